"""Evaluate the theme stage on a labelled CSV: agreement, coherence, diversity, stability.

Library side of ``kilvoice eval topics``. Texts are embedded with the pipeline's
embedder (or an override such as ``tfidf``) and themed with the pipeline's topic stage.
"""
from __future__ import annotations

import csv
import random
import time
from pathlib import Path


from kilvoice.errors import KilvoiceError
from kilvoice.records import Statement

EMBEDDERS = {"static": "kilvoice.embed.static.v2", "static-plain": "kilvoice.embed.static.v1",
             "minilm": "kilvoice.embed.minilm.v1", "tfidf": "kilvoice.embed.tfidf.v1",
             "onnx": "kilvoice.embed.onnx.v1"}


def read_labelled(path: str | Path, text_column: str, label_column: str | None = None,
                  limit: int | None = None, seed: int = 42) -> tuple[list[str], list[str] | None]:
    """Texts (and labels) from a CSV; rows with empty text (or empty label) are skipped.

    With ``limit`` a seeded random sample of that many rows is kept, in file order.
    """
    texts, labels, _ = read_labelled_rows(path, text_column, label_column, limit, seed)
    return texts, labels


def read_labelled_rows(path: str | Path, text_column: str, label_column: str | None = None,
                       limit: int | None = None, seed: int = 42) -> tuple[list[str], list[str] | None, list[int]]:
    """As :func:`read_labelled`, plus each kept text's row number in the CSV: the 0-based index of
    its data row (header not counted, blank lines skipped, as ``pandas.read_csv(path).index``)."""
    from kilvoice.csvtable import read_rows

    rows = []
    for number, (_, row) in enumerate(read_rows(path, [text_column, label_column])):
        text = (row.get(text_column) or "").strip()
        label = (row.get(label_column) or "").strip() if label_column else ""
        if text and (label or not label_column):
            rows.append((text, label, number))
    if not rows:
        raise KilvoiceError("K707", path=path, text=text_column, label=label_column or "")
    if limit and limit < len(rows):
        keep = sorted(random.Random(seed).sample(range(len(rows)), limit))
        rows = [rows[i] for i in keep]
    texts = [t for t, _, _ in rows]
    return texts, ([lab for _, lab, _ in rows] if label_column else None), [n for _, _, n in rows]


def stage_from_pipeline(pipeline: str | Path | None, embedder: str | None = None):
    """(embedder, topic stage, seed) as the pipeline file (or the defaults) configures them."""
    from kilvoice import registry
    from kilvoice.config import DEFAULTS, load_pipeline, stage_settings

    config = load_pipeline(pipeline) if pipeline else {k: dict(v) for k, v in DEFAULTS.items()}
    embed_name, embed_settings = stage_settings(config, "embed")
    if embedder:
        embed_name, embed_settings = EMBEDDERS.get(embedder, embedder), {}
    topics_name, topics_settings = stage_settings(config, "topics")
    seed = int(config["project"].get("seed", 42))
    return registry.create(embed_name, **embed_settings), registry.create(topics_name, **topics_settings), seed


def holding_share(jaccards) -> float | None:
    """Share of themes that held on resampling (the reports' "robust" verdict: mean best
    Jaccard >= 0.75, Hennig 2007); None when nothing was measured."""
    from kilvoice.topics.stability import verdict

    values = list(jaccards)
    return round(sum(verdict(j) == "holds" for j in values) / len(values), 3) if values else None


def topic_labels(assignments, statement_ids: list[str]) -> list[int]:
    """One integer per statement: its primary theme's index, -1 for other / rejected."""
    primary = {a.statement_id: a.theme_id for a in assignments if a.primary}
    out = []
    for sid in statement_ids:
        tid = primary.get(sid, "other")
        out.append(int(tid[1:]) - 1 if tid.startswith("T") else -1)
    return out


def score_topics(texts: list[str], labels_pred: list[int], topic_words: list[list[str]],
                 labels_true: list[str] | None = None) -> dict:
    """Every metric of ``kilvoice eval topics`` for one fitted labelling."""
    from kilvoice.topics.labels import TOKEN_PATTERN, clean_text
    from kilvoice.topics.metrics import agreement, diversity, npmi, outlier_share
    from sklearn.feature_extraction.text import CountVectorizer

    analyzer = CountVectorizer(preprocessor=clean_text, token_pattern=TOKEN_PATTERN).build_analyzer()
    result = {"ari": None, "ami": None, "nmi": None}
    if labels_true is not None:
        result.update({k: round(v, 4) for k, v in agreement(labels_true, labels_pred).items()})
    result.update({
        "n_topics": len({t for t in labels_pred if t >= 0}),
        "outlier_share": round(outlier_share(labels_pred), 4),
        "npmi": round(npmi(topic_words, texts, analyzer, top_n=10), 4),
        "diversity": round(diversity(topic_words, top_n=25), 4),
    })
    return result


def write_themes(out: str | Path, themes, assignments, row_numbers: list[int]) -> list[Path]:
    """``themes.csv`` (id, title, description, keywords, size, parent) and ``assignments.csv``
    (row: the input row number as :func:`read_labelled_rows` gives it; theme_id: its primary theme,
    "other" when it has none) in the folder ``out``, so titles can be judged against gold labels.
    Statement ids are ``r<i>``, ``i`` indexing ``row_numbers``."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        primary = {a.statement_id: a.theme_id for a in assignments if a.primary}
        theme_rows = [[t.id, t.title, t.description, "; ".join(t.keywords), t.size, t.parent or ""] for t in themes]
        assignment_rows = [[n, primary.get(f"r{i}", "other")] for i, n in enumerate(row_numbers)]
        written = []
        for name, header, rows in (("themes.csv", ["id", "title", "description", "keywords", "size", "parent"],
                                    theme_rows),
                                   ("assignments.csv", ["row", "theme_id"], assignment_rows)):
            path = out / name
            with path.open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(header)
                writer.writerows(rows)
            written.append(path)
    except OSError as e:
        raise KilvoiceError("K510", path=out, problem=e.strerror or type(e).__name__) from None
    return written


def evaluate_topics(path, text_column: str, label_column: str | None = None, pipeline=None,
                    limit: int | None = None, seed: int | None = None, embedder: str | None = None,
                    on_step=None, output: str | Path | None = None) -> dict:
    """Fit the pipeline's topic stage on a CSV's texts and score it (see ``score_topics``).

    ``on_step(name)`` is called after each of the steps "read", "embed", "themes", "score".
    With ``output`` the themes and each row's theme are also written there (:func:`write_themes`).
    """
    step = on_step or (lambda name: None)
    t0 = time.perf_counter()
    texts, labels_true, row_numbers = read_labelled_rows(path, text_column, label_column, limit,
                                                         seed if seed is not None else 42)
    step("read")
    emb, stage, pipeline_seed = stage_from_pipeline(pipeline, embedder)
    seed = pipeline_seed if seed is None else seed
    from kilvoice.embed import embed_cached

    vectors = embed_cached(emb, texts)
    t_embed = time.perf_counter() - t0
    step("embed")
    statements = [Statement(id=f"r{i}", conversation_id=f"r{i}", utterance_index=0, index=0, text=t)
                  for i, t in enumerate(texts)]
    themes, assignments, rejects, info = stage.run(statements, vectors, seed, embed=emb.encode)  # as the main job
    step("themes")
    labels_pred = topic_labels(assignments, [s.id for s in statements])
    words = [info["topic_words"][t.id] for t in themes if t.id.startswith("T")]
    result = score_topics(texts, labels_pred, words, labels_true)
    step("score")
    result.update({
        "stability": info.get("stability"),
        "themes_holding": holding_share(v["jaccard"] for v in info.get("theme_stability", {}).values()),
        "seconds": round(time.perf_counter() - t0, 2),
        "seconds_embed": round(t_embed, 2),
        "seconds_stability": info.get("timings", {}).get("stability", 0.0),
        "n_rows": len(texts),
        "n_rejected": len(rejects),
        "embedder": emb.model_id,
        "stage": info.get("stage"),
        "seed": seed,
        "titles": [t.title for t in themes if t.id.startswith("T")],
    })
    if output is not None:
        result["output"] = [str(p) for p in write_themes(output, themes, assignments, row_numbers)]
    return result

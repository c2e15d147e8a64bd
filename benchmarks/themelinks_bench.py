"""Theme-link benchmark: are the theme -> framework links an officer reads right?

    PYTHONPATH=. .venv/bin/python benchmarks/themelinks_bench.py [--datasets nhs,petitions,bbc,chatterbot]

For each labelled set of benchmarks/DATASETS.md (at most ``--limit`` rows, seeded, as
topics_bench.py samples them): the main job's theme stage runs on the texts as
``pipelines/big-conversation.toml`` configures it, then the map stage maps the themes zero-shot
onto a framework whose items are the set's categories (title + a description written from the
category name alone: ``benchmarks/labels/themelinks-frameworks.yaml``).

Counted per set (:func:`kilvoice.mapping.themelinks.score_links`): theme-link *precision* (a
link is right when its item is the theme's majority category or a category holding >= 30% of
the theme's statements) and the *majority share* (themes linked to their majority category /
themes). ``v1`` is the old rule (every candidate a link), ``calibrated`` the shipped rule.

Calibration is leave-one-dataset-out: for each set, the rule (metric, min value, margin over the
runner-up, cap on links per theme) is chosen on the other sets (highest mean majority share
among rules whose precision is >= ``--precision`` on every one of them) and scored on the held-out
set; then the mean and the worst held-out set. The themes and candidates of each set are cached
in ``--work`` so the grid search does not re-run the theme stage.

``--embedder static,onnx`` loads every set once per embedder, holds a dataset out on both, and
chooses one rule on the other datasets of both embedders (how ``kilvoice.map.learned.v4``'s ONNX
rule was chosen); the table gives mean and worst per embedder. ``static`` is the static model
itself (no ``--embedder``: the pipeline's, now ``auto.v2``). ``--relative`` adds thresholds on
each run's own score distribution (``RELATIVE``; tried and rejected).

``--family agree`` chooses among the agreement rules (``AGREE`` x ``AGREE_MIN_VALUE``: the leader
links only when the statements' vote and/or the theme's title name it too) and ``grid+agree``
among GRID's score rules with each of them; ``--gaps`` chooses on precision that also counts, as
wrong, the links of themes whose category is missing from the framework (:func:`gap_check`: each
item dropped in turn, recomputed from the cached statement, theme and title scores), and prints
them for v4 and v6. ``kilvoice.map.learned.v6``'s rule was chosen by ``--embedder static,onnx
--family agree --gaps`` (docs/PERFORMANCE.md, "links19b").
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
FRAMEWORKS = Path(__file__).parent / "labels" / "themelinks-frameworks.yaml"
PIPELINE = ROOT / "pipelines" / "big-conversation.toml"

# nhs9: the NHS set's first coded theme grouped into nine broad categories (the grouping is ours,
# written from the theme names; pxtextmining groups its framework similarly). Same texts as nhs,
# so when one of the two is held out the other is left out of the choice too.
NHS9 = {
    "General experience": ["Not assigned", "Organisation & efficiency", "Funding & use of financial resources",
                           "Positive experience & gratitude", "Negative experience & dissatisfaction",
                           "Labelling not possible", "Learning organisation", "Equality, Diversity & Inclusion"],
    "Staff": ["Staff manner & personal attributes", "Number & deployment of staff", "Staff responsiveness",
              "Staff continuity", "Competence & training"],
    "Communication & involvement": ["Unspecified communication", "Staff listening, understanding & involving patients",
                                    "Information directly from staff during care", "Information provision & guidance",
                                    "Being kept informed, clarity & consistency of information",
                                    "Interaction with family/ carers"],
    "Access to care": ["Contacting services", "Appointment arrangements", "Appointment method", "Timeliness of care",
                       "Psychological therapy arrangements", "Existence of services", "Choice of services",
                       "Out of hours support (community services)"],
    "Medication": ["Pain management", "Supplying & understanding medication"],
    "Patient journey & coordination": ["Diagnosis & triage", "Referals & continuity of care", "Discharge", "Care plans",
                                       "Patient records", "Admission", "Impact of treatment/ care", "Mental Health Act"],
    "Environment & equipment": ["Cleanliness, tidiness & infection control", "Provision of medical equipment",
                                "Environment & Facilities", "Sensory experience", "Feeling safe"],
    "Location & transport": ["Service location", "Transport to/ from services", "Parking"],
    "Daily life on the ward": ["Activities & access to fresh air", "Food & drink provision & facilities",
                               "Electronic entertainment", "Patient appearance & grooming"],
}
SAME_TEXTS = {"nhs": "nhs9", "nhs9": "nhs"}


def nhs9_rows(n: int = 3000) -> list[tuple[str, str]]:
    import topics_bench

    group = {theme: g for g, themes in NHS9.items() for theme in themes}
    return [(text, group[label]) for text, label in topics_bench.nhs_rows(n)]


def rows(name: str, limit: int) -> list[tuple[str, str]]:
    import topics_bench

    return nhs9_rows(limit) if name == "nhs9" else topics_bench.rows(name, limit)


GRID = {"metric": ["vote", "share", "score"],
        "min_value": {"vote": [0.2, 0.25, 0.3, 0.35, 0.4, 0.5], "share": [0.2, 0.3, 0.4, 0.5, 0.6],
                      "score": [0.0, 0.02, 0.05, 0.08, 0.1]},
        "min_margin": {"vote": [0.0, 0.05, 0.1, 0.15, 0.2], "share": [0.0, 0.05, 0.1, 0.2],
                       "score": [0.0, 0.01, 0.02, 0.04]},
        "max_links": [1, 2, 3], "min_vote": {"vote": [0.0], "share": [0.0], "score": [0.0, 0.2, 0.3, 0.4]}}
# --family agree: rules with no threshold beyond the candidates' own (score >= floor, any margin,
# one link), the best-scoring candidate linked only when the named signals agree on it
# (ThemeLinkRule.agree_with; links19b). --family grid+agree: GRID's score rules with each of these.
AGREE = [(), ("vote",), ("title",), ("vote", "title")]
AGREE_MIN_VALUE = [0.0, 0.05, 0.1]  # the floor alone, v3's floor + 0.1, and half-way
# --family corpus: v6's agreement with the run's own item prototypes (``corpus``: prototypes.py) in place
# of, or beside, the raw vote; the prototypes' settings (n_seed, C, centre) are chosen with the rule
# (links19c; kilvoice.map.learned.v7's, (20, 0.3, 0.5), is what this family chooses on all ten sets; the
# list starts where the search started, which decides ties, so the section's folds reproduce).
CORPUS_GRID = [(20, 0.1, 0.5)] + [g for g in itertools.product((10, 20, 30, 50), (0.03, 0.1, 0.3, 1.0), (0.0, 0.5, 1.0))
                                  if g != (20, 0.1, 0.5)]
CORPUS_AGREE = [("corpus", "title"), ("vote", "corpus", "title")]
# --relative: thresholds on the run's own score distribution instead of cosines above the floor
# (tried for issue 19, rejected: docs/PERFORMANCE.md, "Theme links on both embedders").
# sd: score / sd of all theme-item scores; zrow: z of the score among the theme's items;
# zcol: z among the themes' scores for the item (an item close to everything counts less).
RELATIVE = {"sd": ([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], [0.0, 0.1, 0.2, 0.3, 0.5]),
            "zrow": ([1.0, 1.5, 2.0, 2.5, 3.0], [0.0, 0.25, 0.5, 0.75, 1.0]),
            "zcol": ([0.5, 1.0, 1.5, 2.0, 2.5], [0.0, 0.25, 0.5, 0.75, 1.0])}


def relative(score_: np.ndarray) -> dict[str, np.ndarray]:
    """The --relative metrics of one set, from its theme-item scores (score minus floor)."""
    def z(x, axis):
        sd = x.std(axis=axis, keepdims=True)
        return (x - x.mean(axis=axis, keepdims=True)) / np.where(sd > 0, sd, 1.0)
    return {"sd": score_ / (score_.std() or 1.0), "zrow": z(score_, 1), "zcol": z(score_, 0)}


def write_framework(name: str, folder: Path) -> Path:
    import yaml

    spec = yaml.safe_load(FRAMEWORKS.read_text(encoding="utf-8"))[name]
    items = [{"id": label, "title": label.replace("_", " ").capitalize() if label.islower() else label,
              "description": text} for label, text in spec["items"].items()]
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"id": name, "title": spec["title"], "items": items}, sort_keys=False),
                    encoding="utf-8")
    return path


def collect(name: str, limit: int, embedder: str | None = None, arrays: Path | None = None) -> dict:
    """Run the theme and map stages on one set; the candidates, their features and the labels.
    ``embedder`` overrides the pipeline's (``onnx``, ``static-plain``, ... as ``eval topics``).
    ``arrays``: an ``.npz`` for the vectors the item-prototype scores need (:func:`statement_evidence`)."""
    from kilvoice.embed import embed_cached
    from kilvoice.frameworks import load_framework
    from kilvoice.mapping import ZeroShotMapper
    from kilvoice.mapping.themelinks import CALIBRATED_SETTINGS
    from kilvoice.records import Statement
    from kilvoice.topics.evaluate import stage_from_pipeline

    t0 = time.perf_counter()
    data = rows(name, limit)
    texts, labels = [t for t, _ in data], [lab for _, lab in data]
    emb, stage, seed = stage_from_pipeline(PIPELINE, embedder)
    vectors = embed_cached(emb, texts)
    statements = [Statement(id=f"r{i}", conversation_id=f"r{i}", utterance_index=0, index=0, text=t)
                  for i, t in enumerate(texts)]
    themes, assignments, _, _ = stage.run(statements, vectors, seed, embed=emb.encode)
    t_themes = time.perf_counter() - t0
    mapper = ZeroShotMapper(frameworks=[], theme_links=CALIBRATED_SETTINGS)
    with tempfile.TemporaryDirectory() as tmp:
        mapper.frameworks = [str(write_framework(name, Path(tmp)))]
        items = load_framework(mapper.frameworks[0]).item_ids
        links, _, _ = mapper.run(themes, assignments, statements, vectors, emb)
        cand = mapper.candidates_[name]
        extra = statement_evidence(mapper.frameworks[0], themes, assignments, statements, vectors, emb,
                                   [tid for tid in cand["themes"] if tid != "other"], arrays)
    parent = {t.id: t.parent for t in themes}
    theme_labels: dict[str, list[str]] = {tid: [] for tid in cand["themes"]}
    for a in assignments:
        if a.primary and a.theme_id in theme_labels:
            lab = labels[int(a.statement_id[1:])]
            theme_labels[a.theme_id].append(lab)
            p = parent.get(a.theme_id)
            if p and p != a.theme_id and p in theme_labels:
                theme_labels[p].append(lab)
    keep = [k for k, tid in enumerate(cand["themes"]) if tid != "other"]
    shipped: dict[str, list[str]] = {}
    for link in links:
        if link.source_kind == "theme" and link.status == "link":
            shipped.setdefault(link.source_id, []).append(link.item_id)
    return {"dataset": name, "n_rows": len(texts), "items": items,
            "themes": [cand["themes"][k] for k in keep],
            "labels": [theme_labels[cand["themes"][k]] for k in keep],
            "candidates": cand["candidates"][keep].astype(int).tolist(),
            **{m: np.round(cand[m][keep], 5).tolist() for m in ("vote", "share", "score")},
            "floor": round(float(cand["floor"]), 5),
            "shipped": shipped, "seconds_themes": round(t_themes, 1), **extra,
            "seconds": round(time.perf_counter() - t0, 1)}


def statement_evidence(framework: str, themes, assignments, statements, vectors, emb, kept: list[str],
                       arrays: Path | None = None) -> dict:
    """What the statement-vote rules read: every statement's zero-shot scores (``S``), each kept
    theme's statement rows (members as the map stage counts them, most typical first: cosine to the
    theme's centroid) and the theme's scores from its centroid alone and from its title + keywords.
    ``arrays``: also saved there, the normalised statement vectors, the item index (centroids,
    prototypes, owner) and the title + keywords vectors (links19c's corpus prototypes re-score them)."""
    from kilvoice.frameworks import load_framework
    from kilvoice.mapping import zeroshot as zs

    index = zs.build_index(load_framework(framework), emb)
    x = zs.normalise(vectors)
    S = zs.score_matrix(x, index)
    row = {s.id: i for i, s in enumerate(statements)}
    members: dict[str, list[int]] = {}
    for a in assignments:
        if a.statement_id in row:
            members.setdefault(a.theme_id, []).append(row[a.statement_id])
    for t in themes:
        if t.parent and t.parent != t.id:
            have = members.setdefault(t.parent, [])
            seen = set(have)
            have.extend(r for r in members.get(t.id, []) if r not in seen)
    by_id = {t.id: t for t in themes}
    ordered, cent, own = [], [], []
    for tid in kept:
        rows = members.get(tid, [])
        c = zs.normalise(x[rows].mean(axis=0))[0] if rows else np.zeros(x.shape[1], np.float32)
        ordered.append([int(r) for r in sorted(rows, key=lambda r: -float(x[r] @ c))])
        cent.append(c)
        t = by_id[tid]
        own.append(f"{t.title}. {', '.join(t.keywords)}")
    own_vecs = zs.normalise(emb.encode(own)) if own else np.zeros((0, x.shape[1]), np.float32)
    T_own = zs.score_matrix(own_vecs, index) if own else np.zeros((0, len(index.item_ids)))
    if arrays is not None:
        np.savez_compressed(arrays, x=x, centroids=index.centroids, prototypes=index.prototypes,
                            owner=index.owner, own=own_vecs)
    T_cent = zs.score_matrix(np.vstack(cent), index) if cent else np.zeros((0, len(index.item_ids)))
    return {"S": np.round(S, 4).tolist(), "members": ordered, "score_own": np.round(T_own, 5).tolist(),
            "score_centroid": np.round(T_cent, 5).tolist()}


def statement_scores(d: dict, drop: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One set's normalised statement vectors and their zero-shot item scores as the map stage
    computes them (from the ``.npz`` :func:`statement_evidence` saved), without item ``drop``."""
    from kilvoice.mapping import zeroshot as zs

    key = ("_scores", drop)
    if key not in d:
        a = np.load(d["arrays"])
        keep = [j for j in range(len(d["items"])) if j != drop]
        protos = np.isin(a["owner"], keep)
        owner = np.searchsorted(np.asarray(keep), a["owner"][protos])
        index = zs.ItemIndex(d["dataset"], [d["items"][j] for j in keep], a["centroids"][keep],
                             a["prototypes"][protos], owner, [])
        d[key] = (a["x"], zs.score_matrix(a["x"], index, normalised=True))
    return d[key]


def corpus_signal(d: dict, settings: dict | None, drop: int | None = None) -> np.ndarray:
    """The ``corpus`` signal of one set (prototypes.corpus_votes on the cached vectors), cached."""
    from kilvoice.mapping.prototypes import check_settings, corpus_votes

    settings = check_settings(settings)
    key = ("_corpus", drop, tuple(sorted(settings.items())))
    if key not in d:
        x, S = statement_scores(d, drop)
        d[key] = corpus_votes(x, S, d["members"], settings)
    return d[key]


def link_rule(rule: dict):
    """The ThemeLinkRule of a bench rule (whose ``corpus`` key holds the prototypes' settings)."""
    from kilvoice.mapping.themelinks import ThemeLinkRule

    metric = rule["metric"]
    return ThemeLinkRule(**{k: v for k, v in rule.items() if k != "corpus"}
                         | {"metric": "score" if metric in RELATIVE else metric})


def score(data: dict, rule: dict | None) -> dict:
    """Precision and majority share of one set's theme links under ``rule`` (None: v1, every
    candidate a link)."""
    from kilvoice.mapping.themelinks import decide, score_links

    cand = np.asarray(data["candidates"], dtype=bool)
    if rule is None:
        linked = cand
    else:
        metric = rule["metric"]
        r = link_rule(rule)
        values = relative(np.asarray(data["score"]))[metric] if metric in RELATIVE else np.asarray(data[metric])
        signals = {"title": np.asarray(data["score_own"]) - data["floor"] if "score_own" in data else None}
        if "corpus" in r.agree_with:
            signals["corpus"] = corpus_signal(data, rule.get("corpus"))
        linked = decide(values, cand, r, np.asarray(data["vote"]), signals=signals) == 2
    items = data["items"]
    by_theme = {tid: [items[j] for j in np.flatnonzero(linked[k])] for k, tid in enumerate(data["themes"])}
    return score_links(by_theme, dict(zip(data["themes"], data["labels"])))


def rules(relative_metrics: bool = False, family: str = "grid"):
    if family == "corpus":
        for (n, c, centre), agree, v in itertools.product(CORPUS_GRID, CORPUS_AGREE, AGREE_MIN_VALUE[:2]):
            yield {"metric": "score", "min_value": v, "min_margin": 0.0, "max_links": 1, "min_vote": 0.0,
                   "agree_with": agree, "corpus": {"n_seed": n, "C": c, "centre": centre}}
        return
    if family == "agree":
        for agree, v in itertools.product(AGREE, AGREE_MIN_VALUE):
            yield {"metric": "score", "min_value": v, "min_margin": 0.0, "max_links": 1, "min_vote": 0.0,
                   "agree_with": agree}
        return
    if family == "grid+agree":
        for v, m, c, w, agree in itertools.product(GRID["min_value"]["score"], GRID["min_margin"]["score"],
                                                   GRID["max_links"], GRID["min_vote"]["score"], AGREE[1:]):
            yield {"metric": "score", "min_value": v, "min_margin": m, "max_links": c, "min_vote": w,
                   "agree_with": agree}
    for metric in GRID["metric"]:
        for v, m, c, w in itertools.product(GRID["min_value"][metric], GRID["min_margin"][metric], GRID["max_links"],
                                            GRID["min_vote"][metric]):
            yield {"metric": metric, "min_value": v, "min_margin": m, "max_links": c, "min_vote": w}
    if relative_metrics:
        for metric, (values, margins) in RELATIVE.items():
            for v, m, c, w in itertools.product(values, margins, GRID["max_links"], GRID["min_vote"]["score"]):
                yield {"metric": metric, "min_value": v, "min_margin": m, "max_links": c, "min_vote": w}


def precision_with_gaps(d: dict, rule: dict, res: dict) -> float:
    """Precision when a framework may lack a theme's category: right links / (links + the wrong links
    of :func:`gap_check`)."""
    wrong = gap_check(d, rule)["gap_wrong"]
    return res["n_right"] / (res["n_links"] + wrong) if res["n_links"] + wrong else 0.0


def choose(sets: list[dict], precision: float, relative_metrics: bool = False, family: str = "grid",
           gaps: bool = False) -> dict:
    """The rule with the highest mean majority share among those with precision >= ``precision``
    on every set (ties: higher mean precision, then fewer links per theme); if none qualifies,
    the rule with the highest worst-set precision. ``gaps``: precision counts the wrong links of
    themes whose category is missing too (:func:`precision_with_gaps`)."""
    best, best_key, fallback, fallback_key = None, None, None, None
    for rule in rules(relative_metrics, family):
        res = [score(d, rule) for d in sets]
        prec = [r["precision"] if r["precision"] is not None else 0.0 for r in res]
        if gaps:
            prec = [precision_with_gaps(d, rule, r) for d, r in zip(sets, res)]
        maj = [r["majority_share"] for r in res]
        key = (float(np.mean(maj)), float(np.mean(prec)), -rule["max_links"])
        if min(prec) >= precision and (best_key is None or key > best_key):
            best, best_key = rule, key
        fkey = (min(prec), float(np.mean(maj)))
        if fallback_key is None or fkey > fallback_key:
            fallback, fallback_key = rule, fkey
    return best or fallback


def lodo(data: dict[str, dict], precision: float, relative_metrics: bool = False, family: str = "grid",
         gaps: bool = False) -> list[dict]:
    """Hold out each dataset in turn (on every embedder loaded); choose the rule on the other
    datasets' sets, of every embedder loaded (one rule for all of them), and score it on each
    held-out set."""
    out = []
    for held in dict.fromkeys(d["dataset"] for d in data.values()):
        train = [d for d in data.values() if d["dataset"] not in (held, SAME_TEXTS.get(held))]
        rule = choose(train, precision, relative_metrics, family, gaps)
        for key, d in data.items():
            if d["dataset"] == held:
                res = score(d, rule)
                out.append({"held_out": key, "embedder": d.get("embedder") or "static", "rule": rule,
                            **res, "v1": score(d, None), **gap_check(d, rule),
                            "precision_with_gaps": round(precision_with_gaps(d, rule, res), 4)})
    return out


def without_item(d: dict, drop: int, corpus: dict | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One set's candidates and features as the map stage finds them when the framework lacks item
    ``drop`` (recomputed from the cached statement, theme and title scores: floor, statement links,
    candidates, votes)."""
    from kilvoice.mapping import zeroshot as zs
    from kilvoice.mapping import THEME_SHARE
    from kilvoice.mapping.themelinks import theme_features

    keep = [j for j in range(len(d["items"])) if j != drop]
    S = np.asarray(d["S"], dtype=np.float32)[:, keep]
    T = (np.asarray(d["score"]) + d["floor"])[:, keep]
    floor = zs.calibrated_floor(S)
    chosen = zs.select(S, floor, zs.DEFAULT_MARGIN, 3)
    cand = zs.select(T, floor, zs.DEFAULT_MARGIN, 3)
    for k, rows in enumerate(d["members"]):
        if rows:
            n = chosen[rows].sum(axis=0)
            cand[k] = (cand[k] | ((n / len(rows) >= THEME_SHARE) & (n >= 2))) & (n >= 1)
    features = theme_features(T, floor, S, chosen, d["members"], np.asarray(d["score_own"])[:, keep])
    if corpus is not None:
        features["corpus"] = corpus_signal(d, corpus, drop)
    return cand, features


def gap_check(d: dict, settings: dict) -> dict:
    """Themes whose category is not in the framework: drop each item in turn; a theme whose majority
    category it was (alone) should get no link, or one to a category holding >= ``RIGHT_SHARE``."""
    from kilvoice.mapping.themelinks import RIGHT_SHARE, decide, label_shares

    rule, themes, links, right = link_rule(settings), 0, 0, 0
    if "S" not in d:  # a cache written before links19b: nothing to recompute from
        return {"gap_themes": 0, "gap_links": 0, "gap_wrong": 0}
    shares = [label_shares(labs) for labs in d["labels"]]
    for drop, name in enumerate(d["items"]):
        gap = [k for k, sh in enumerate(shares) if sh and {lab for lab, x in sh.items() if x == max(sh.values())} == {name}]
        if not gap:
            continue
        cand, f = without_item(d, drop, settings.get("corpus", {}) if "corpus" in rule.agree_with else None)
        status = decide(f[rule.metric], cand, rule, f["vote"], None, f)
        others = [it for j, it in enumerate(d["items"]) if j != drop]
        for k in gap:
            themes += 1
            for j in np.flatnonzero(status[k] == 2):
                links += 1
                right += shares[k].get(others[j], 0.0) >= RIGHT_SHARE
    return {"gap_themes": themes, "gap_links": links, "gap_wrong": links - right}


def shipped_v4(d: dict) -> dict:
    """``kilvoice.map.learned.v4``'s rule for a set: by the embedder that embedded it."""
    from kilvoice.mapping.themelinks import BOTH_EMBEDDERS_SETTINGS, CALIBRATED_SETTINGS

    return BOTH_EMBEDDERS_SETTINGS if d.get("embedder") == "onnx" else CALIBRATED_SETTINGS


def table(results: list[dict], data: dict[str, dict], shipped: dict) -> str:
    lines = ["| held-out set | themes | rule chosen on the other sets | precision | majority share "
             "| links | precision with gaps | gap themes linked wrongly | v1 precision | v1 majority share | v1 links |",
             "|" + "---|" * 11]
    for r in results:
        rule = r["rule"]
        text = (f"{rule['metric']} >= {rule['min_value']}, margin {rule['min_margin']}, cap {rule['max_links']}, "
                f"vote >= {rule.get('min_vote', 0.0)}" + (f", agree with {'+'.join(rule['agree_with'])}"
                                                          if rule.get("agree_with") else ""))
        lines.append(f"| {r['held_out']} | {r['n_themes']} | {text} | {r['precision']} | {r['majority_share']} "
                     f"| {r['n_links']} | {r['precision_with_gaps']} | {r['gap_wrong']} of {r['gap_themes']} "
                     f"| {r['v1']['precision']} | {r['v1']['majority_share']} | {r['v1']['n_links']} |")
    for emb in dict.fromkeys(r["embedder"] for r in results):
        sub = [r for r in results if r["embedder"] == emb]
        for name, f in (("mean", np.mean), ("worst", np.min)):
            vals = [f([r[k] or 0.0 for r in sub]) for k in ("precision", "majority_share", "precision_with_gaps")]
            v1 = [f([r["v1"][k] or 0.0 for r in sub]) for k in ("precision", "majority_share")]
            wrong = f"{sum(r['gap_wrong'] for r in sub)} of {sum(r['gap_themes'] for r in sub)}" if name == "mean" else ""
            lines.append(f"| **{name}** ({emb}) | | | {vals[0]:.3f} | {vals[1]:.3f} | | {vals[2]:.3f} | {wrong} "
                         f"| {v1[0]:.3f} | {v1[1]:.3f} | |")
    lines += ["", "shipped rules, in-sample (v4: v3's rule on static sets, the both-embedder rule on ONNX sets; "
              "v6: the agreement rule on both; v7: agreement with the run's own item prototypes):",
              "| set | v4 precision | v4 majority share | v4 links | v6 precision | v6 majority share | v6 links "
              "| v7 precision | v7 majority share | v7 links | v7 themes linked |", "|" + "---|" * 11]
    for n, d in data.items():
        a, b, c = (score(d, r) for r in (shipped_v4(d), shipped["v6"], shipped["v7"]))
        lines.append(f"| {n} | {a['precision']} | {a['majority_share']} | {a['n_links']} | {b['precision']} "
                     f"| {b['majority_share']} | {b['n_links']} | {c['precision']} | {c['majority_share']} "
                     f"| {c['n_links']} | {c['n_themes_linked']} of {c['n_themes']} |")
    return "\n".join(lines)


def main(argv=None):
    from kilvoice.mapping.themelinks import AGREEMENT_SETTINGS, CORPUS_SETTINGS

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", default="nhs,nhs9,petitions,bbc,chatterbot")
    ap.add_argument("--limit", type=int, default=3000)
    ap.add_argument("--precision", type=float, default=0.8, help="precision a rule must reach on every training set")
    ap.add_argument("--work", default="/tmp/kilvoice-themelinks-bench")
    ap.add_argument("--refresh", action="store_true", help="re-run the theme stage even if cached")
    ap.add_argument("--embedder", default=None, help="override the pipeline's embedder (e.g. onnx); a comma list "
                    "(static,onnx) loads each set once per embedder and chooses one rule for all of them")
    ap.add_argument("--family", default="grid", choices=["grid", "agree", "grid+agree", "corpus"],
                    help="the rules LODO chooses among: GRID's thresholds, the agreement rules (AGREE), both, or "
                    "agreement with the run's own item prototypes (CORPUS_GRID x CORPUS_AGREE)")
    ap.add_argument("--gaps", action="store_true", help="choose on precision that also counts the wrong links of "
                    "themes whose category is missing from the framework (gap_check), and print them for v4 and v6")
    ap.add_argument("--relative", action="store_true", help="also try thresholds relative to each run's score "
                    "distribution (RELATIVE)")
    args = ap.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    data = {}
    # "static" is the static model itself (the pipeline's own embedder is auto.v2, which picks ONNX
    # for most of these sets); no --embedder: the pipeline's embedder
    embedders = [e or None for e in (args.embedder or "").split(",")]
    for embedder in embedders:
        for name in args.datasets.split(","):
            path = work / f"{name}-{args.limit}{'-' + embedder if embedder else ''}.json"
            if args.refresh or not path.is_file():
                path.write_text(json.dumps(collect(name, args.limit, embedder, path.with_suffix(".npz"))))
            key = name if len(embedders) == 1 else f"{name}@{embedder or 'static'}"
            data[key] = {**json.loads(path.read_text()), "embedder": embedder, "arrays": str(path.with_suffix(".npz"))}
            print(f"# {key}: {data[key]['n_rows']} rows, {len(data[key]['themes'])} themes, "
                  f"{data[key]['seconds']}s", flush=True)
    results = lodo(data, args.precision, args.relative, args.family, args.gaps)
    for r in results:
        print(json.dumps(r), flush=True)
    print(table(results, data, {"v6": AGREEMENT_SETTINGS, "v7": CORPUS_SETTINGS}))
    if args.gaps:
        print("\nthemes whose category is missing from the framework (each item dropped in turn), linked anyway:")
        print("| set | themes | v4 wrong links | v6 wrong links | v7 wrong links |\n|---|---|---|---|---|")
        for n, d in data.items():
            a, b, c = (gap_check(d, r) for r in (shipped_v4(d), AGREEMENT_SETTINGS, CORPUS_SETTINGS))
            print(f"| {n} | {a['gap_themes']} | {a['gap_wrong']} | {b['gap_wrong']} | {c['gap_wrong']} |")


if __name__ == "__main__":
    main()

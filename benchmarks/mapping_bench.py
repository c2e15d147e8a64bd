"""Mapping benchmark: labelled sets mapped onto a framework of their own label names.

    PYTHONPATH=. .venv/bin/python benchmarks/mapping_bench.py                # static model, nhs
    PYTHONPATH=. .venv/bin/python benchmarks/mapping_bench.py --dataset nhs9 --limit 3000 --embedder onnx --ks 25
    PYTHONPATH=/work/main /work/benchvenv/bin/python benchmarks/mapping_bench.py --embedder minilm

Sets (``--dataset``): ``nhs`` (the NHS Friends-and-Family-Test set coded against a 50-theme
framework, multi-label), ``nhs9m`` (the same, every coded theme grouped into nine categories),
``nhs9`` (the first coded theme grouped into nine: single-label, the shape of issue 19's held-out
set), and petitions, bbc, chatterbot (single-label; benchmarks/DATASETS.md).
Builds a framework YAML from the label names (in a temp dir: nothing about the sets is
committed), then reports micro/macro F1 at K = 0, 10, 25, 50 confirmations per item for
kilvoice's mappers (``--mappers v5,v2``: v5 = ``kilvoice.map.learned.v5``'s ``Hybrid5Mapper``, v2 =
the hybrid of ``kilvoice.map.learned.v2``-``v4``, v1 = embedding-only ``LearnedMapper``; K = 0 is
the zero-shot stage), a TF-IDF + one-vs-rest logistic regression baseline trained on the same K
rows, and that baseline trained on 80% of rows (scored on the other 20%). The K rows are drawn
once per ``--seeds`` seed; the table gives the mean and range over them. Embeddings are cached
in ``--cache``. One JSON line per result, then a summary table.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT.parent / "shared" / "corpora" / "nhs-feedback" / "v6framework_230831.csv"
FIRST_LABEL = "Not assigned"


def load(path: Path):
    import pandas as pd

    df = pd.read_csv(path)
    labels = list(df.columns[list(df.columns).index(FIRST_LABEL):])
    text = df["FFT answer"].fillna("").astype(str).str.strip()
    keep = (text.str.len() > 0) & (text.str.lower() != "did not answer")
    df = df[keep]
    Y = df[labels].fillna(0).to_numpy().astype(int)
    return df["FFT answer"].astype(str).str.strip().tolist(), Y, labels


def load_nhs9m(path: Path):
    """nhs9m: the NHS rows with *every* coded theme grouped into the nine categories of
    ``themelinks_bench.NHS9`` (multi-label; nhs9 keeps the first coded theme only). The held-out
    NHS set of issue 19 is 9 analyst categories; whether one or several per comment is not known,
    so both shapes are measured. "Safeguarding concerns?" is a flag, not a theme: left out."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from themelinks_bench import NHS9

    texts, Y50, labels50 = load(path)
    col = {label: j for j, label in enumerate(labels50)}
    groups = list(NHS9)
    Y = np.column_stack([Y50[:, [col[t] for t in NHS9[g]]].max(axis=1) for g in groups])
    keep = np.flatnonzero(Y.sum(axis=1) > 0)
    return [texts[i] for i in keep], Y[keep], groups


def load_labelled(name: str, limit: int | None):
    """A single-label set of benchmarks/topics_bench.py (petitions, bbc, chatterbot: the same seeded
    sample as the topics benchmark), as texts, a one-hot label matrix and the label names."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from topics_bench import rows

    data = rows(name, limit)
    labels = sorted({label for _, label in data})
    Y = np.array([[int(label == name) for name in labels] for _, label in data], dtype=int)
    return [text for text, _ in data], Y, labels


def load_set(name: str, limit: int | None, seed: int = 0):
    """Texts, label matrix and label names of a set: ``nhs`` (multi-label, a sample seeded by
    ``seed``) or a single-label set of topics_bench.py (``nhs9``, petitions, bbc, chatterbot)."""
    if name not in ("nhs", "nhs9m"):
        return load_labelled(name, limit)
    texts, Y, labels = load(CSV) if name == "nhs" else load_nhs9m(CSV)
    if limit and len(texts) > limit:  # the same kind of seeded sample as topics_bench
        keep = np.sort(np.random.default_rng(seed).choice(len(texts), limit, replace=False))
        texts, Y = [texts[i] for i in keep], Y[keep]
    return texts, Y, labels


def write_framework(labels: list[str], folder: Path, name: str = "nhs") -> Path:
    import yaml

    title = "NHS patient experience framework v6" if name == "nhs" else f"{name} labels"
    data = {"id": f"bench-{name}", "title": f"{title} (theme names only)",
            "items": [{"id": f"t{j:02d}", "title": label} for j, label in enumerate(labels)]}
    path = folder / f"bench-{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def make_embedder(name: str, texts: list[str]):
    if name.startswith("static"):
        from kilvoice.embed import StaticEmbedder
        return StaticEmbedder(weighting="idf" if name == "static-idf" else None).fit(texts)
    if name == "onnx":
        from kilvoice.embed_onnx import OnnxEmbedder
        return OnnxEmbedder()
    from kilvoice.embed import MiniLMEmbedder
    return MiniLMEmbedder()


def encode_cached(embedder, texts: list[str], cache: Path | None) -> np.ndarray:
    """``embedder.encode(texts)``, kept in ``cache`` under the model id and a hash of the texts
    (an IDF-weighted static model is fitted on these same texts, so the hash covers its weights)."""
    import hashlib

    if cache is None:
        return embedder.encode(texts)
    digest = hashlib.sha256("\x00".join([str(embedder.model_id), *texts]).encode("utf-8")).hexdigest()[:20]
    path = cache / f"{digest}.npy"
    if path.is_file():
        return np.load(path)
    cache.mkdir(parents=True, exist_ok=True)
    X = np.asarray(embedder.encode(texts), dtype=np.float32)
    np.save(path, X)
    return X


def baseline(texts, Y, train, test, seed):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    vec = TfidfVectorizer(sublinear_tf=True, min_df=1, ngram_range=(1, 2))
    Xtr = vec.fit_transform([texts[i] for i in train])
    Xte = vec.transform([texts[i] for i in test])
    cols = [j for j in range(Y.shape[1]) if 0 < Y[train, j].sum() < len(train)]
    P = np.zeros((len(test), Y.shape[1]), dtype=int)
    # C=10 + balanced was the strongest of C in {1, 10} x {None, balanced} at K=25 and at 80%
    clf = OneVsRestClassifier(LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000, random_state=seed)).fit(Xtr, Y[np.ix_(train, cols)])
    P[:, cols] = clf.predict(Xte)
    return P


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", choices=["static", "static-idf", "minilm", "onnx"], default="static",
                    help="static: plain mean (kilvoice.embed.static.v1); static-idf: weighted by the "
                         "corpus's IDF, as the main job's default kilvoice.embed.static.v2; onnx: "
                         "kilvoice.embed.onnx.v1 (int8 MiniLM, no torch)")
    ap.add_argument("--dataset", default="nhs", help="nhs (the v6 framework CSV, multi-label), nhs9m (the same, "
                    "grouped into nine categories) or a single-label set of topics_bench.py: nhs9 (the first "
                    "coded theme in nine categories), petitions, bbc, chatterbot")
    ap.add_argument("--limit", type=int, default=None, help="a seeded sample of at most this many rows")
    ap.add_argument("--ks", default="0,10,25,50")
    ap.add_argument("--seed", type=int, default=0, help="seed of the row sample (nhs, nhs9m) and the 80%% split")
    ap.add_argument("--seeds", default="0,1,2", help="seeds of the K labelled rows, one run each (mean and range "
                    "reported); '' : --seed only")
    ap.add_argument("--C", type=float, default=10.0)
    ap.add_argument("--prior-weight", type=float, default=1.0)
    ap.add_argument("--mappers", default="v5,v2", help="learned mappers to run at K > 0: v5 "
                    "(kilvoice.map.learned.v5's), v2 (learned.v2-v4's hybrid), v1 (embeddings only)")
    ap.add_argument("--self-training", type=int, default=1)
    ap.add_argument("--cache", default="/tmp/kilvoice-mapping-bench", help="embeddings kept here between runs "
                    "('' : none)")
    args = ap.parse_args(argv)
    if args.dataset in ("nhs", "nhs9m") and not CSV.is_file():
        sys.exit(f"{CSV} not found (needs ../shared/corpora)")
    sys.path.insert(0, str(ROOT))
    from kilvoice.frameworks import load_framework
    from kilvoice.mapping import zeroshot as zs
    from kilvoice.mapping.evaluate import f1_report, predict, sample_per_label

    t0 = time.perf_counter()
    texts, Y, labels = load_set(args.dataset, args.limit, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        fw = load_framework(write_framework(labels, Path(tmp), args.dataset))
    embedder = make_embedder(args.embedder, texts)
    X = zs.normalise(encode_cached(embedder, texts, Path(args.cache) if args.cache else None))
    t_embed = time.perf_counter() - t0
    index = zs.build_index(fw, embedder)
    S = zs.score_matrix(X, index)
    floor = zs.calibrated_floor(S)
    results = []
    n = len(texts)
    seeds = [int(x) for x in args.seeds.split(",")] if args.seeds else [args.seed]
    for k in [int(x) for x in args.ks.split(",")]:
        for seed in (seeds if k else seeds[:1]):
            train = sample_per_label(Y, k, seed) if k else np.zeros(0, dtype=int)
            test = np.setdiff1d(np.arange(n), train)
            for mapper in (args.mappers.split(",") if k else ["zero-shot"]) + (["tfidf-lr"] if k else []):
                t = time.perf_counter()
                if mapper == "tfidf-lr":
                    P = baseline(texts, Y, train, test, seed)
                else:
                    P = predict(X, S, Y, train, test, floor, C=args.C, prior_weight=args.prior_weight, seed=seed,
                                mapper=mapper, texts=texts, self_training=args.self_training)
                r = f1_report(Y[test], P, fw.item_ids)
                results.append({"method": mapper if mapper == "tfidf-lr" else f"kilvoice-{mapper}", "k": k,
                                "seed": seed, "n_train": len(train), "n_test": len(test),
                                "micro_f1": r["micro_f1"], "macro_f1": r["macro_f1"],
                                "seconds": round(time.perf_counter() - t, 2)})
                print(json.dumps(results[-1]), flush=True)
    rng = np.random.default_rng(args.seed)
    perm = rng.permutation(n)
    train, test = np.sort(perm[: int(0.8 * n)]), np.sort(perm[int(0.8 * n):])
    t = time.perf_counter()
    r = f1_report(Y[test], baseline(texts, Y, train, test, args.seed), fw.item_ids)
    results.append({"method": "tfidf-lr-80%", "k": None, "n_train": len(train), "n_test": len(test),
                    "micro_f1": r["micro_f1"], "macro_f1": r["macro_f1"], "seconds": round(time.perf_counter() - t, 2)})
    print(json.dumps(results[-1]), flush=True)
    print(f"# {args.dataset}: rows {n}, items {len(labels)}, embedder {embedder.model_id}, embed {t_embed:.1f}s, "
          f"floor {floor:.3f}, total {time.perf_counter() - t0:.1f}s")
    print(summary(results))


def summary(results: list[dict]) -> str:
    """One row per method and K: micro and macro F1, the mean over the seeds with their range, and
    the mean difference from TF-IDF + LR on the same rows."""
    lines = ["| method | K | seeds | train rows | scored rows | micro F1 mean (min-max) | macro F1 mean "
             "| micro F1 - TF-IDF + LR, mean (min) |", "|---|---|---|---|---|---|---|---|"]
    base = {(r["k"], r.get("seed")): r["micro_f1"] for r in results if r["method"] == "tfidf-lr"}
    for method, k in dict.fromkeys((r["method"], r["k"]) for r in results):
        rs = [r for r in results if r["method"] == method and r["k"] == k]
        micro = [r["micro_f1"] for r in rs]
        diff = [r["micro_f1"] - base[(k, r.get("seed"))] for r in rs if (k, r.get("seed")) in base]
        lines.append(f"| {method} | {k if k is not None else '80%'} | {len(rs)} | {rs[0]['n_train']} | "
                     f"{rs[0]['n_test']} | {np.mean(micro):.3f} ({min(micro):.3f}-{max(micro):.3f}) | "
                     f"{np.mean([r['macro_f1'] for r in rs]):.3f} | "
                     + (f"{np.mean(diff):+.3f} ({min(diff):+.3f})" if diff and method != "tfidf-lr" else "") + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

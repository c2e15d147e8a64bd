"""Embedders alone: the bundled static model, MiniLM as int8 ONNX, MiniLM on torch; same data, same process.

For each labelled set (``topics_bench.DATASETS``: nhs, petitions, bbc, chatterbot) and embedder
(``onnx``: the dynamic int8 MiniLM, ``onnx.v1``; ``onnx2``: the static int8 build, ``onnx.v2``; ``minilm``: torch fp32):

- k-means at the true label count, AMI against the labels, mean of seeds 0, 1, 2;
- a logistic-regression probe trained on 25 labelled rows per label (labels with more than 25
  rows), micro F1 on the remaining rows, mean of seeds 0, 1, 2;
- sentences/s of ``encode`` (the static v2 model includes its fit on the corpus), the CPU seconds
  (user + sys of the process) it took and the tokens the ONNX model read (``onnx@W``: a W-token window).

Then the mean and the worst set per embedder, and (``--equivalence``) the cosine between ONNX-int8
and torch vectors of the same 500 real sentences (NHS comments and Pol.is statements).
The torch rows need the bench venv (``make bench-venv``); without torch they are left out.

Run: KILVOICE_CORPORA=/work/shared/corpora PYTHONPATH=. .venv-bench/bin/python benchmarks/embed_bench.py
     [--datasets nhs,petitions,bbc,chatterbot] [--embedders static,onnx,minilm] [--equivalence] [--limit N]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import topics_bench  # noqa: E402

EMBEDDERS = {"static": "kilvoice.embed.static.v2", "static-plain": "kilvoice.embed.static.v1",
             "onnx": "kilvoice.embed.onnx.v1", "onnx2": "kilvoice.embed.onnx.v2", "minilm": "kilvoice.embed.minilm.v1"}
K = 25
SEEDS = (0, 1, 2)


def make(name: str):
    """An embedder by its name here; ``onnx@128``: the ONNX model reading only a text's first 128 tokens;
    ``onnx:b1``: one text a batch."""
    from kilvoice import registry

    if name == "minilm":
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
    name, _, batch = name.partition(":b")  # ``onnx:b1``: one text a batch (int8 activations scaled per text)
    name, _, window = name.partition("@")
    settings = {"max_length": int(window)} if window else {}
    embedder = registry.create(EMBEDDERS[name], **settings, **({"batch_size": int(batch)} if batch else {}))
    embedder.encode(["warm up: load the model before timing"])
    return embedder


def encode(embedder, texts: list[str]) -> tuple[np.ndarray, float]:
    return encode_timed(embedder, texts)[:2]


def encode_timed(embedder, texts: list[str]) -> tuple[np.ndarray, float, float]:
    """Vectors, wall seconds and CPU seconds (this process, all threads) of fitting and encoding."""
    from kilvoice.embed import fit_to_corpus

    t0, c0 = time.perf_counter(), time.process_time()
    fit_to_corpus(embedder, texts)
    vectors = np.asarray(embedder.encode(texts), dtype=np.float32)
    return vectors, time.perf_counter() - t0, time.process_time() - c0


def kmeans_ami(vectors: np.ndarray, labels: list[str]) -> float:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_mutual_info_score

    n = len(set(labels))
    scores = [adjusted_mutual_info_score(labels, KMeans(n, n_init=10, random_state=s).fit_predict(vectors))
              for s in SEEDS]
    return float(np.mean(scores))


def probe_f1(vectors: np.ndarray, labels: list[str], k: int = K) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    labels_arr = np.asarray(labels)
    kept = [lab for lab in sorted(set(labels)) if (labels_arr == lab).sum() > k]
    scores = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        train = np.concatenate([rng.choice(np.flatnonzero(labels_arr == lab), size=k, replace=False) for lab in kept])
        test = np.setdiff1d(np.flatnonzero(np.isin(labels_arr, kept)), train)
        clf = LogisticRegression(max_iter=2000).fit(vectors[train], labels_arr[train])
        scores.append(f1_score(labels_arr[test], clf.predict(vectors[test]), average="micro"))
    return float(np.mean(scores))


def equivalence(n: int = 500) -> dict:
    """Cosine between ONNX-int8 and torch MiniLM vectors on n real sentences."""
    texts = [t for t, _ in topics_bench.nhs_rows()] + [t for t, _ in topics_bench.polis_rows()]
    texts = [t for t in dict.fromkeys(texts) if len(t.split()) >= 3]
    texts = random.Random(0).sample(texts, n)
    onnx_vecs, onnx_s = encode(make("onnx"), texts)
    torch_vecs, torch_s = encode(make("minilm"), texts)
    cos = (onnx_vecs * torch_vecs).sum(axis=1) / (np.linalg.norm(onnx_vecs, axis=1) * np.linalg.norm(torch_vecs, axis=1))
    return {"n": n, "cos_mean": round(float(cos.mean()), 4), "cos_min": round(float(cos.min()), 4),
            "cos_p01": round(float(np.quantile(cos, 0.01)), 4),
            "onnx_per_s": round(n / onnx_s, 1), "torch_per_s": round(n / torch_s, 1)}


def summary(results: list[dict]) -> str:
    lines = ["| embedder | " + " | ".join(f"{r} {m}" for r in ("mean", "worst") for m in ("AMI", "F1@25")) + " |",
             "|---|---|---|---|---|"]
    for name in dict.fromkeys(r["embedder"] for r in results):
        rows = [r for r in results if r["embedder"] == name]
        ami, f1 = [r["kmeans_ami"] for r in rows], [r["probe_f1"] for r in rows]
        lines.append(f"| {name} | {np.mean(ami):.3f} | {np.mean(f1):.3f} | {min(ami):.3f} | {min(f1):.3f} |")
    return "\n".join(lines)


def table(results: list[dict]) -> str:
    lines = ["| set | rows | labels | embedder | k-means AMI | probe F1@25 | sentences/s | CPU s | tokens read |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['dataset']} | {r['n_rows']} | {r['n_labels']} | {r['embedder']} | {r['kmeans_ami']:.3f} "
                     f"| {r['probe_f1']:.3f} | {r['per_s']:.0f} | {r.get('cpu_s', '')} | {r.get('tokens') or ''} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="nhs,petitions,bbc,chatterbot")
    parser.add_argument("--embedders", default="static,onnx,minilm")
    parser.add_argument("--equivalence", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="At most N rows per set (a seeded sample).")
    parser.add_argument("--out", default="/tmp/kilvoice-embed-bench.json")
    args = parser.parse_args()
    results, extra = [], {}
    if args.equivalence:
        extra["equivalence"] = equivalence()
        print(json.dumps(extra["equivalence"]), flush=True)
    models = {name: make(name) for name in args.embedders.split(",")}
    for dataset in args.datasets.split(","):
        rows = topics_bench.rows(dataset, args.limit)
        texts, labels = [t for t, _ in rows], [lab for _, lab in rows]
        for name, model in models.items():
            vectors, seconds, cpu = encode_timed(model, texts)
            tokens = sum(map(len, model.tokenize(texts))) if hasattr(model, "tokenize") else None
            result = {"dataset": dataset, "embedder": name, "n_rows": len(texts), "n_labels": len(set(labels)),
                      "kmeans_ami": kmeans_ami(vectors, labels), "probe_f1": probe_f1(vectors, labels),
                      "per_s": len(texts) / seconds, "cpu_s": round(cpu, 2), "tokens": tokens,
                      "load": round(os.getloadavg()[0], 1)}
            print(json.dumps(result), flush=True)
            results.append(result)
    Path(args.out).write_text(json.dumps({"results": results, **extra}, indent=1))
    print(table(results))
    print()
    print(summary(results))


if __name__ == "__main__":
    main()

"""The theme stage alone at scale: N synthetic statements (clustered float32 embeddings and
texts drawn from each cluster's words), wall time, CPU time and peak RSS of ``ThemeStage.run``.

Not a quality benchmark (the data are synthetic; see topics_bench.py): it checks that a run
above ``fit_sample`` statements stays fast and memory-bounded (fitted on the sample, the rest
placed chunk by chunk).

Run:  PYTHONPATH=. .venv/bin/python benchmarks/topics_scale.py --n 1000000 [--dim 256] [--clusters 30]
"""
from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np


def synthetic(n: int, dim: int, clusters: int, seed: int = 0):
    from kilvoice.records import Statement

    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    label = rng.integers(clusters, size=n)
    X = np.empty((n, dim), dtype=np.float32)
    for a in range(0, n, 100_000):  # in chunks: no float64 copy of the whole matrix
        b = min(n, a + 100_000)
        X[a:b] = centres[label[a:b]] + rng.normal(scale=0.9 / np.sqrt(dim), size=(b - a, dim)).astype(np.float32)
    def word(i: int) -> str:  # made-up words of letters only ("bav", "kezo"): the tokenizer keeps letters
        out = ""
        while True:
            out += "bcdfghjklmnpqrstvwxz"[i % 20] + "aeiou"[(i // 20) % 5]
            i //= 100
            if not i:
                return out + "m"

    common = [word(i) for i in range(200)]
    own = [[word(1000 + 100 * c + j) for j in range(25)] for c in range(clusters)]
    lengths = rng.integers(5, 14, size=n)
    picks = rng.random(size=(n, 13))
    statements = []
    for i in range(n):  # half the words from the statement's cluster (none for 10% of statements)
        topical = own[label[i]] if picks[i, 0] < 0.9 else common
        pools = [topical if p < 0.5 else common for p in picks[i, 1:lengths[i]]]
        text = " ".join(pool[int(p * 1e6) % len(pool)] for pool, p in zip(pools, picks[i, 1:lengths[i]]))
        statements.append(Statement(id=f"s{i:07d}", conversation_id=f"c{i // 5}", utterance_index=0,
                                    index=i % 5, text=text.capitalize() + "."))
    return statements, X, label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--clusters", type=int, default=30)
    parser.add_argument("--fit-sample", type=int, default=None, help="default: the stage's own")
    args = parser.parse_args()
    t = time.perf_counter()
    statements, X, truth = synthetic(args.n, args.dim, args.clusters)
    built = time.perf_counter() - t
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from kilvoice.topics import ThemeStage

    settings = {} if args.fit_sample is None else {"fit_sample": args.fit_sample}
    t, c = time.perf_counter(), time.process_time()
    themes, assignments, rejects, info = ThemeStage(**settings).run(statements, X, 42)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    from sklearn.metrics import adjusted_mutual_info_score

    primary = {a.statement_id: a.theme_id for a in assignments if a.primary}
    pred = [primary.get(s.id, "rejected") for s in statements]
    print(json.dumps({
        "n": args.n, "dim": args.dim, "clusters": args.clusters, "build_s": round(built, 1),
        "rss_after_build_mb": round(rss_before), "stage_wall_s": round(wall, 1), "stage_cpu_s": round(cpu, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "n_fitted": info.get("n_fitted"), "n_themes": info["n_themes"], "outlier_share": round(info["outlier_share"], 4),
        "ami_vs_generating_clusters": round(float(adjusted_mutual_info_score(truth, pred)), 3),
        "timings": info["timings"],
    }, indent=1))


if __name__ == "__main__":
    main()

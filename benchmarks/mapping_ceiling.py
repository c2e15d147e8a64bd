"""How far can a mapper get from K confirmations per item on the NHS set? Diagnostics, not a product.

    PYTHONPATH=. .venv/bin/python benchmarks/mapping_ceiling.py [--seeds 0,1] [--embeddings FILE.npy]

For the K = 50 sample of ``benchmarks/mapping_bench.py`` (same sampler, same seeds) it fits the
hybrid features' per-item logistic regressions without self-training and reports micro F1 for:

* ``biased``: the confirmations as drawn (a few per item: the largest item is 29% of rows but
  ~5% of confirmations);
* ``oracle-prior``: the same scores with each item's *true* share of the scored rows plugged in
  (Bayes prior correction): the best any prior-shift fix could do;
* ``oracle-count``: each item linked to exactly its true number of scored rows, best scores first:
  the best any threshold could do with these scores;
* ``natural``: the same number of training rows drawn at random (the real item proportions);
* the TF-IDF + LR baseline on 80% of rows (the acceptance bar).

``--embeddings`` takes a saved (n x d) matrix, e.g. MiniLM embeddings made in the bench venv, in
the row order of ``mapping_bench.load``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def fit_scores(F_train, Y_train, F_test, class_weight="balanced", C=10.0):
    from sklearn.linear_model import LogisticRegression

    S = np.zeros((F_test.shape[0], Y_train.shape[1]))
    for j in range(Y_train.shape[1]):
        col = Y_train[:, j]
        if 0 < col.sum() < len(col):
            m = LogisticRegression(C=C, class_weight=class_weight, solver="liblinear").fit(F_train, col)
            S[:, j] = m.predict_proba(F_test)[:, 1]
    return S


def decide(S, t):
    P = (S >= t).astype(int)
    P[np.arange(len(S)), S.argmax(axis=1)] = 1
    return P


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--embeddings", help="saved embeddings (.npy) instead of the bundled static model")
    args = ap.parse_args(argv)
    from mapping_bench import CSV, baseline, load
    from kilvoice.mapping import zeroshot as zs
    from kilvoice.mapping.evaluate import f1_report, sample_per_label
    from kilvoice.mapping.hybrid import TextFeatures

    if not CSV.is_file():
        sys.exit(f"{CSV} not found (needs ../shared/corpora)")
    texts, Y, labels = load(CSV)
    ids = [str(j) for j in range(Y.shape[1])]
    if args.embeddings:
        X = np.load(args.embeddings)
    else:
        from kilvoice.embed import StaticEmbedder
        X = zs.normalise(StaticEmbedder().encode(texts))
    F = TextFeatures().fit(texts).transform(texts, X)
    micro = lambda Yt, P: f1_report(Yt, P, ids)["micro_f1"]
    for seed in (int(s) for s in args.seeds.split(",")):
        train = sample_per_label(Y, args.k, seed)
        test = np.setdiff1d(np.arange(len(Y)), train)
        S = fit_scores(F[train], Y[train], F[test])
        out = {"seed": seed, "k": args.k, "n_train": int(len(train)),
               "biased": max(micro(Y[test], decide(S, t)) for t in (0.3, 0.4, 0.5))}
        pi, pi_train = Y[test].mean(axis=0).clip(1e-4, 1), 0.5  # balanced weights: training prior 1/2
        a, b = pi / pi_train, (1 - pi) / (1 - pi_train)
        Q = a * S / (a * S + b * (1 - S))
        out["oracle_prior"] = max(micro(Y[test], decide(Q, t)) for t in (0.2, 0.3, 0.4, 0.5))
        counts = Y[test].sum(axis=0)
        P = np.zeros_like(Y[test])
        for j in range(Y.shape[1]):
            P[np.argsort(-S[:, j])[: counts[j]], j] = 1
        out["oracle_count"] = micro(Y[test], P)
        rng = np.random.default_rng(seed)
        nat = np.sort(rng.choice(len(Y), len(train), replace=False))
        rest = np.setdiff1d(np.arange(len(Y)), nat)
        Sn = fit_scores(F[nat], Y[nat], F[rest], class_weight=None)
        out["natural"] = max(micro(Y[rest], decide(Sn, t)) for t in (0.2, 0.3, 0.4))
        perm = np.random.default_rng(seed).permutation(len(Y))
        tr80, te80 = np.sort(perm[: int(0.8 * len(Y))]), np.sort(perm[int(0.8 * len(Y)):])
        out["tfidf_lr_80pct"] = micro(Y[te80], baseline(texts, Y, tr80, te80, seed))
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()

"""Stability: how robust the themes are to the sample.

Fit the theme model on two different random 90% subsamples (different seeds) and take
the adjusted Rand index of the two assignments on the statements both contain. A
deterministic algorithm does not score 1.0 by construction; only robust themes do.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from sklearn.metrics import adjusted_rand_score


def subsample_stability(X: np.ndarray, fit_labels: Callable[[np.ndarray, int], np.ndarray],
                        seed: int, share: float = 0.9) -> float:
    """ARI between two fits on ``share`` subsamples drawn with seeds ``seed+1`` and ``seed+2``.

    ``fit_labels(X_subset, seed)`` returns one label per row (-1 = other, counted as
    its own cluster). Returns NaN when there are too few rows to subsample.
    """
    n = X.shape[0]
    m = int(round(share * n))
    if m < 4:
        return float("nan")
    labels = []
    for s in (seed + 1, seed + 2):
        rows = np.sort(np.random.default_rng(s).choice(n, size=m, replace=False))
        full = np.full(n, -2, dtype=int)
        full[rows] = fit_labels(X[rows], s)
        labels.append(full)
    shared = (labels[0] != -2) & (labels[1] != -2)
    return float(adjusted_rand_score(labels[0][shared], labels[1][shared]))

"""Stability: how robust the themes are to the sample.

Fit the theme model on two different random 90% subsamples (different seeds) and take
the adjusted Rand index of the two assignments on the statements both contain. A
deterministic algorithm does not score 1.0 by construction; only robust themes do.

The same two fits also say which *themes* hold (Hennig, "Cluster-wise assessment of cluster
stability", CSDA 2007): for each theme of the main fit, the Jaccard similarity of its members
with the most similar cluster of each subsample fit (on the statements that fit saw), averaged
over the two. Hennig reads below 0.5 as a theme that dissolves, 0.6-0.75 as a pattern whose
borders are doubtful and 0.75 or more as a stable theme.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from sklearn.metrics import adjusted_rand_score

LEFT_OUT = -2  # a row a subsample fit did not see


def subsample_fits(X: np.ndarray, fit_labels: Callable[..., np.ndarray], seed: int,
                   share: float = 0.9, with_rows: bool = False) -> list[np.ndarray]:
    """Two label vectors over all rows, from fits on ``share`` subsamples drawn with seeds
    ``seed+1`` and ``seed+2`` (rows left out are ``LEFT_OUT``; ``-1`` = other). ``[]`` when
    there are too few rows to subsample. ``fit_labels(X_subset, seed)`` returns one label per row
    (``fit_labels(X_subset, seed, rows)`` with ``with_rows``: the fit reads the rows' texts too)."""
    n = X.shape[0]
    m = int(round(share * n))
    if m < 4:
        return []
    fits = []
    for s in (seed + 1, seed + 2):
        rows = np.sort(np.random.default_rng(s).choice(n, size=m, replace=False))
        full = np.full(n, LEFT_OUT, dtype=int)
        full[rows] = fit_labels(X[rows], s, rows) if with_rows else fit_labels(X[rows], s)
        fits.append(full)
    return fits


def agreement(fits: list[np.ndarray]) -> float:
    """ARI of two subsample fits on the rows both saw ("other" counted as its own cluster);
    NaN without fits."""
    if len(fits) < 2:
        return float("nan")
    shared = (fits[0] != LEFT_OUT) & (fits[1] != LEFT_OUT)
    return float(adjusted_rand_score(fits[0][shared], fits[1][shared]))


def subsample_stability(X: np.ndarray, fit_labels: Callable[[np.ndarray, int], np.ndarray],
                        seed: int, share: float = 0.9) -> float:
    """ARI between two fits on ``share`` subsamples (see :func:`subsample_fits`)."""
    return agreement(subsample_fits(X, fit_labels, seed, share))


def theme_stability(labels: np.ndarray, fits: list[np.ndarray]) -> dict[int, float]:
    """Theme (label >= 0 of the main fit) -> mean over ``fits`` of the best Jaccard similarity
    between its members and one theme of that fit, on the rows the fit saw. The subsample's
    "other" (-1) is no match: members it left there count against the theme."""
    out: dict[int, float] = {}
    if not fits:
        return out
    labels = np.asarray(labels)
    for t in np.unique(labels[labels >= 0]):
        scores = []
        for fit in fits:
            seen = fit != LEFT_OUT
            members = (labels == t) & seen
            if not members.any():
                continue
            best = 0.0
            for c in np.unique(fit[members & (fit >= 0)]):
                other = (fit == c) & seen
                inter = int(np.sum(members & other))
                best = max(best, inter / int(np.sum(members | other)))
            scores.append(best)
        if scores:
            out[int(t)] = float(np.mean(scores))
    return out


from kilvoice.holds import HOLDS, PARTLY, verdict  # noqa: E402,F401 - where the report reads them

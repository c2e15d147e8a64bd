"""The theme stage above ``fit_sample`` statements: fit on a seeded sample, assign the rest.

The fit (word features, reducer, consensus clustering, BERTopic keywords, the two stability
fits) costs more than linear time and memory in the statements it sees. Above ``fit_sample``
statements it sees a seeded uniform sample of that many (drawn from the canonical order, so the
same statements give the same sample wherever they are stored); every other statement is then
placed the way the consensus places the statements that did not vote: its nearest theme
centroid, or "other" when it is further than ``outlier_threshold`` from every theme (the
lowest at most ``max_outlier_share`` of them, as in the fit).

Statements are scored in chunks of :data:`CHUNK` rows, so the word features and the reducer's
float64 copy never exist for all statements at once. Runs at or below ``fit_sample`` do not
come here: their themes are exactly those of the unsampled stage.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

CHUNK = 50_000


def fit_rows(n: int, fit_sample: int, seed: int) -> np.ndarray | None:
    """Sorted positions of the statements the model is fitted on; ``None`` when all of them are
    (``n <= fit_sample``, or ``fit_sample`` is 0: no sampling)."""
    cap = int(fit_sample or 0)
    if cap <= 0 or n <= cap:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size=cap, replace=False))


class Rows:
    """``embeddings[keep]`` without the copy: rows are looked up on access (``rows[idx]``,
    ``rows[mask]``). Holds a million 256-d statements once instead of twice."""

    def __init__(self, embeddings: np.ndarray, keep: np.ndarray):
        self.embeddings = embeddings
        self.keep = np.asarray(keep)
        self.shape = (len(self.keep), embeddings.shape[1])

    def __len__(self) -> int:
        return len(self.keep)

    def __getitem__(self, idx) -> np.ndarray:
        return self.embeddings[self.keep[idx]]


def score_all(model, rows: Rows, texts: Sequence[str], features: Callable | None) -> np.ndarray:
    """Cosine similarity of every statement to every theme centroid (n x k, float32), chunk by
    chunk: ``features(X, texts)`` adds the word features the model was fitted with."""
    n, k = len(rows), int(model.n_themes_)
    sims = np.zeros((n, k), dtype=np.float32)
    if k == 0:
        return sims
    for a in range(0, n, CHUNK):
        X = rows[np.arange(a, min(n, a + CHUNK))]
        if features is not None:
            X = features(X, texts[a:a + CHUNK])
        sims[a:a + len(X)] = model.transform(X)
    return sims


def extend_labels(sims: np.ndarray, fitted: np.ndarray, fitted_labels: np.ndarray, threshold: float,
                  max_share: float) -> np.ndarray:
    """Labels of all rows: the fit's own for the ``fitted`` rows, the nearest centroid for the
    others, "other" (-1) below ``threshold`` (the lowest ``max_share`` of those rows at most)."""
    n = sims.shape[0]
    labels = np.full(n, -1, dtype=int)
    rest = np.setdiff1d(np.arange(n), fitted)
    if sims.shape[1] and len(rest):
        best = sims[rest].max(axis=1)
        labels[rest] = sims[rest].argmax(axis=1)
        low = np.flatnonzero(best < threshold)
        cap = int(np.floor(max_share * len(rest)))
        if len(low) > cap:
            low = low[np.argsort(best[low], kind="stable")[:cap]]
        labels[rest[low]] = -1
    labels[fitted] = fitted_labels
    return labels

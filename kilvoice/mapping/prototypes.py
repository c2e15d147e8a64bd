"""Item prototypes from the corpus: which item each statement is about, judged by the run's own
statements rather than by how close an item's description happens to sit to everything.

A framework item's description is one sentence; its cosine to a statement depends on the
embedder's scale and on how broad the sentence is ("The experience overall, good or bad, thanks
and complaints" is close to every comment that thanks anyone). :class:`CorpusPrototypes` reads
each item from the run instead (self-training, as in Lbl2Vec or zero-shot self-training):

1. every item's scores are standardised over the run's statements: the item's mean score times
   ``centre`` is taken off, so an item whose description is close to everything does not win
   everywhere (``centre`` 0: the raw scores; 1: fully centred);
2. each item's *seeds* are the ``n_seed`` statements that score it highest on that standardised
   score by the clearest margin over their runner-up item;
3. a multinomial logistic regression on the seeds' vectors (``C``) gives every statement an item:
   the item whose seeds its vector is most like.

:func:`corpus_votes` turns that into the ``corpus`` signal of a theme-link rule
(``ThemeLinkRule.agree_with``): for each theme, the share of its statements each item wins. The
signal compares items with each other, never a cosine with a threshold, so it reads the same under
any embedder. The rule was chosen leave-one-dataset-out on both embedders (every fold chose it),
and the settings by the same criterion on all ten sets (``benchmarks/themelinks_bench.py --family
corpus``; docs/PERFORMANCE.md, "links19c")."""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from kilvoice.errors import KilvoiceError
from kilvoice.mapping.zeroshot import row_chunks

DEFAULTS = {"n_seed": 20, "C": 0.3, "centre": 0.5}  # chosen on all ten bench sets (docs/PERFORMANCE.md, "links19c")


def check_settings(settings: dict | None) -> dict:
    """``[map] corpus_prototypes`` settings with the defaults filled in; K760 names a bad one."""
    settings = dict(settings or {})
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise KilvoiceError("K760", problem=f"unknown setting {', '.join(map(repr, unknown))}")
    out = {**DEFAULTS, **settings}
    n_seed, c, centre = out["n_seed"], out["C"], out["centre"]
    if isinstance(n_seed, bool) or not isinstance(n_seed, int) or n_seed < 1:
        raise KilvoiceError("K760", problem=f"n_seed = {n_seed!r} is not a whole number >= 1")
    if isinstance(c, bool) or not isinstance(c, (int, float)) or not c > 0:
        raise KilvoiceError("K760", problem=f"C = {c!r} is not a number > 0")
    if isinstance(centre, bool) or not isinstance(centre, (int, float)) or not 0 <= centre <= 1:
        raise KilvoiceError("K760", problem=f"centre = {centre!r} is not a number from 0 to 1")
    return out


def seed_rows(scores: np.ndarray, n_seed: int, centre: float) -> tuple[np.ndarray, np.ndarray]:
    """Each item's seeds: of the statements whose best item it is on the standardised score, the
    ``n_seed`` with the largest margin over their runner-up (ties: the earlier row). Returns the
    rows and the item of each (items with no statement have no seeds)."""
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[1] < 2 or scores.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    shift = centre * scores.mean(axis=0, dtype=np.float64)
    best = np.empty(scores.shape[0], dtype=np.int64)
    margin = np.empty(scores.shape[0], dtype=np.float64)
    for part in row_chunks(scores.shape[0]):  # a chunk of rows at a time: no copy of a million rows
        std = scores[part] - shift
        best[part] = std.argmax(axis=1)
        top2 = np.partition(std, -2, axis=1)[:, -2:]
        margin[part] = top2[:, 1] - top2[:, 0]
    rows, items = [], []
    for j in range(scores.shape[1]):
        mine = np.flatnonzero(best == j)
        mine = mine[np.argsort(-margin[mine], kind="stable")][:n_seed]
        rows.append(mine)
        items.append(np.full(len(mine), j, dtype=np.int64))
    return np.concatenate(rows), np.concatenate(items)


class CorpusPrototypes(BaseEstimator):
    """Each statement's item by the run's own clearest statements (see the module docstring).

    ``fit(X, scores)``: ``X`` the statements' (normalised) vectors, ``scores`` their (n, n_items)
    item scores. ``predict(X)``: each row's item index (0 .. n_items - 1). With fewer than two
    items holding seeds there is nothing to compare: ``predict`` gives -1 for every row (no signal).
    """

    def __init__(self, n_seed: int = DEFAULTS["n_seed"], C: float = DEFAULTS["C"],
                 centre: float = DEFAULTS["centre"], random_state: int = 0):
        self.n_seed = n_seed
        self.C = C
        self.centre = centre
        self.random_state = random_state

    def fit(self, X, scores):
        X = np.asarray(X, dtype=np.float32)
        scores = np.asarray(scores)
        if X.shape[0] != scores.shape[0]:
            raise ValueError(f"{X.shape[0]} vectors but {scores.shape[0]} rows of scores")
        self.n_items_ = scores.shape[1] if scores.ndim == 2 else 0
        rows, items = seed_rows(scores, self.n_seed, self.centre)
        self.seeds_ = rows
        self.classes_ = np.unique(items)
        self.model_ = None
        if len(self.classes_) >= 2:
            self.model_ = LogisticRegression(C=self.C, max_iter=1000, random_state=self.random_state)
            self.model_.fit(X[rows].astype(np.float64), items)
        return self

    def predict(self, X) -> np.ndarray:
        """Each row's item; -1 for every row when the fit found fewer than two items' seeds. Rows
        are scored a chunk at a time (a million statements: no (n, n_items) matrix of floats)."""
        check_is_fitted(self, "classes_")
        X = np.asarray(X)
        out = np.full(X.shape[0], -1, dtype=np.int64)
        if self.model_ is None:
            return out
        coef = self.model_.coef_.astype(np.float32)
        bias = self.model_.intercept_.astype(np.float32)
        for part in row_chunks(X.shape[0]):
            out[part] = self.classes_[np.argmax(X[part] @ coef.T + bias, axis=1)]
        return out


def corpus_votes(vectors: np.ndarray, scores: np.ndarray, members: list[list[int]],
                 settings: dict | None = None) -> np.ndarray:
    """The ``corpus`` signal, (n_themes, n_items): the share of each theme's statements whose item
    by :class:`CorpusPrototypes` is that item (a theme without statements, or a run with no signal:
    a row of zeros, which agrees with any leader)."""
    settings = check_settings(settings)
    n_items = scores.shape[1] if np.ndim(scores) == 2 else 0
    out = np.zeros((len(members), n_items))
    if not len(members) or not n_items or not np.shape(vectors)[0]:
        return out
    item = CorpusPrototypes(**settings).fit(vectors, scores).predict(vectors)
    for k, rows in enumerate(members):
        got = item[rows] if rows else np.zeros(0, dtype=np.int64)
        got = got[got >= 0]
        if len(got):
            out[k] = np.bincount(got, minlength=n_items) / len(rows)
    return out


__all__ = ["CorpusPrototypes", "DEFAULTS", "check_settings", "corpus_votes", "seed_rows"]

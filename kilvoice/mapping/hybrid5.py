"""The v5 learned mapper: the hybrid mapper, told by the confirmations how many items a statement has.

:class:`Hybrid5Mapper` is :class:`~kilvoice.mapping.hybrid.HybridMapper` (embeddings + word
n-grams, class-balanced one-vs-rest logistic regression, one round of self-training on the run's
other statements) with one change:

* ``single_label="auto"``: when every confirmed statement was confirmed for exactly one item (and
  there are at least ``min_single`` of them), the data is coded one item per statement, so each
  statement gets its best item only (in the pseudo-labels of self-training too, unless
  ``pseudo_one`` is off). The hybrid mapper links every item scoring >= ``threshold`` plus the
  best; on single-coded data the extra links can only be right where the best is wrong.

:func:`features` can also append the zero-shot scores as features (``prior_weight``; 0 in the
stage: tried and rejected). On six labelled sets v5 ties v2-v4's mapper (mean -0.000 on ONNX,
+0.001 static; bbc and chatterbot up to +0.005, petitions -0.007): docs/PERFORMANCE.md, "map19".

:class:`Hybrid5Stage` is the ``kilvoice.map.learned.v5`` stage built on it.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from kilvoice.mapping.hybrid import HybridMapper, HybridStage, TextFeatures

# the stage's settings (docs/PERFORMANCE.md, "map19"); evaluate.predict(mapper="v5") uses them
V5_SETTINGS = {"word_weight": 1.0, "prior_weight": 0.0, "single_label": "auto", "pseudo_one": True}


class Hybrid5Mapper(HybridMapper):
    """:class:`HybridMapper` that predicts one item per row when the confirmations have one item
    per row (``single_label``: "auto", True or False; "auto" needs ``min_single`` rows)."""

    def __init__(self, C: float = 10.0, class_weight="balanced", threshold: float = 0.4,
                 at_least_one: bool = True, self_training: int = 1, pseudo_threshold: float = 0.5,
                 pseudo_weight: float = 1.0, solo_share: float | None = 0.8, single_label="auto",
                 min_single: int = 10, pseudo_one: bool = True, random_state=None):
        super().__init__(C=C, class_weight=class_weight, threshold=threshold, at_least_one=at_least_one,
                         self_training=self_training, pseudo_threshold=pseudo_threshold,
                         pseudo_weight=pseudo_weight, solo_share=solo_share, random_state=random_state)
        self.single_label = single_label
        self.min_single = min_single
        self.pseudo_one = pseudo_one

    def fit(self, X, y, X_unlabelled=None):
        Y = np.asarray(y)
        if self.single_label == "auto":
            self.one_per_row_ = bool(Y.ndim == 1 or (len(Y) >= self.min_single and (Y.sum(axis=1) == 1).all()))
        else:
            self.one_per_row_ = bool(self.single_label)
        return super().fit(X, y, X_unlabelled=X_unlabelled)

    def _pseudo_labels(self, scores: np.ndarray) -> np.ndarray:
        if self.one_per_row_ and not self.pseudo_one:  # self-training as v2's: the cap is on what is shown
            return HybridMapper._decide(self, scores, self.pseudo_threshold)
        return self._decide(scores, self.pseudo_threshold)

    def _decide(self, scores: np.ndarray, threshold: float) -> np.ndarray:
        if not getattr(self, "one_per_row_", False):
            return super()._decide(scores, threshold)
        chosen = np.zeros(scores.shape, dtype=int)
        rows = np.flatnonzero(scores.max(axis=1) > 0) if scores.size else np.zeros(0, dtype=int)
        chosen[rows, scores[rows].argmax(axis=1)] = 1
        return chosen


def features(texts: list[str], vectors: np.ndarray, scores: np.ndarray | None, word_weight: float = 1.0,
             prior_weight: float = 0.0):
    """The v5 feature matrix: embeddings, word 1-2 grams and ``prior_weight`` x zero-shot scores."""
    F = TextFeatures(word_weight).fit(texts).transform(texts, vectors)
    if prior_weight and scores is not None:
        F = sp.hstack([F, sp.csr_matrix(np.asarray(scores, dtype=np.float64) * prior_weight)]).tocsr()
    return F


class Hybrid5Stage(HybridStage):
    """``kilvoice.map.learned.v5``: as v4 (:class:`HybridStage` with v4's theme-link rules), with
    :class:`Hybrid5Mapper` and the zero-shot scores among its features."""

    name = "kilvoice.map.learned.v5"

    def __init__(self, *args, prior_weight: float = 0.0, single_label="auto", **kwargs):
        super().__init__(*args, **kwargs)
        self.prior_weight = prior_weight
        self.single_label = single_label

    def make_features(self, vectors: np.ndarray, scores: np.ndarray):
        return features(self._texts, vectors, scores, self.word_weight, self.prior_weight)

    def make_model(self):
        return Hybrid5Mapper(C=self.C, self_training=self.self_training, single_label=self.single_label,
                             random_state=self.random_state)

    def finish_scores(self, out: np.ndarray, model, floor: float) -> np.ndarray:
        """On one-item-per-statement data only each statement's best item can reach the floor."""
        if not model.one_per_row_ or not out.size:
            return out
        best = out.argmax(axis=1)
        capped = np.minimum(out, np.float32(0.99 * floor))
        capped[np.arange(len(out)), best] = out[np.arange(len(out)), best]
        return capped


__all__ = ["Hybrid5Mapper", "Hybrid5Stage", "features"]

"""The learned mapper: officer decisions become training examples, zero-shot scores the prior.

:class:`LearnedMapper` is a scikit-learn estimator (``fit`` returns self, no logic in
``__init__``, learned state ends in ``_``, ``random_state``). Its input ``X`` is the statement
embeddings with the zero-shot item scores appended as the last ``prior_columns`` columns, so
it clones, pipelines and grid-searches like any classifier:

* each item gets a logistic regression on ``[embedding, prior_weight * zero-shot scores]``;
* an item with no positive (or no negative) training example falls back to the zero-shot rule
  (score >= ``prior_floor`` and within ``prior_margin`` of the row's best zero-shot score) on
  rows that no trained item claims, so unconfirmed items still link;
* ``y`` is a 0/1 indicator matrix (multi-label). A 1-D ``y`` is treated as multiclass
  (``predict`` returns the best class), which is what scikit-learn's estimator checks use.

:class:`LearnedStage` is the ``kilvoice.map.learned.v1`` stage built on it.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from kilvoice.mapping import ZeroShotMapper
from kilvoice.mapping import zeroshot as zs


def as_proba(scores: np.ndarray, multilabel: bool) -> np.ndarray:
    """Per-label scores as predict_proba: as they are for multi-label, rows summing to 1 otherwise."""
    if multilabel:
        return scores
    total = scores.sum(axis=1, keepdims=True)
    total[total == 0] = 1.0
    return scores / total


def label_matrix(y, name: str) -> tuple[bool, np.ndarray, np.ndarray]:
    """``y`` as a 0/1 matrix: (multilabel?, classes_, Y). A 1-d ``y`` is one-hot encoded."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim == 1:
        target = type_of_target(y)
        if target not in ("binary", "multiclass"):
            raise ValueError(f"Unknown label type: {target}")
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"{name} needs at least 2 classes; got 1 class")
        return False, classes, (y[:, None] == classes[None, :]).astype(int)
    Y = np.asarray(y).astype(int)
    return True, np.arange(Y.shape[1]), Y


class ScoresPredictMixin:
    """``predict_proba`` and ``predict`` from ``predict_scores`` (per-label scores in [0, 1]):
    the best label for single-label data, else the labels ``_decide`` picks at ``threshold``."""

    def predict_proba(self, X) -> np.ndarray:
        return as_proba(self.predict_scores(X), self.multilabel_)

    def predict(self, X) -> np.ndarray:
        scores = self.predict_scores(X)
        if not self.multilabel_:
            return self.classes_[np.argmax(scores, axis=1)]
        return self._decide(scores, self.threshold)

    def _decide(self, scores: np.ndarray, threshold: float) -> np.ndarray:
        return (scores >= threshold).astype(int)


class LearnedMapper(ScoresPredictMixin, ClassifierMixin, BaseEstimator):
    """One-vs-rest logistic regression on embeddings with a zero-shot prior.

    Parameters
    ----------
    prior_columns : number of trailing columns of ``X`` holding zero-shot scores, one per label
        (0: no prior, plain embeddings).
    prior_weight : scale of the prior columns as features.
    prior_floor : zero-shot score at which an untrained label is predicted.
    prior_margin : an untrained label is predicted only within this margin of the row's best
        zero-shot score (the zero-shot stage's margin rule).
    C : inverse regularisation strength of each logistic regression.
    class_weight : passed to each logistic regression.
    threshold : probability at which a trained label is predicted (multi-label).
    random_state : seed for the solvers.
    """

    def __init__(self, prior_columns: int = 0, prior_weight: float = 1.0, prior_floor: float = 0.3,
                 prior_margin: float = zs.DEFAULT_MARGIN, C: float = 10.0, class_weight=None,
                 threshold: float = 0.3, random_state=None):
        self.prior_columns = prior_columns
        self.prior_weight = prior_weight
        self.prior_floor = prior_floor
        self.prior_margin = prior_margin
        self.C = C
        self.class_weight = class_weight
        self.threshold = threshold
        self.random_state = random_state

    def _features(self, X: np.ndarray) -> np.ndarray:
        if self.prior_columns:
            X = X.copy()
            X[:, -self.prior_columns:] *= self.prior_weight
        return X

    def fit(self, X, y):
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=False)
        self.multilabel_, self.classes_, Y = label_matrix(y, type(self).__name__)
        if self.prior_columns and self.prior_columns != Y.shape[1]:
            raise ValueError(f"prior_columns={self.prior_columns} but y has {Y.shape[1]} labels")
        F = self._features(np.asarray(X, dtype=np.float64))
        self.estimators_ = []
        for j in range(Y.shape[1]):
            col = Y[:, j]
            if 0 < col.sum() < len(col):
                est = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=1000,
                                         random_state=self.random_state)
                self.estimators_.append(est.fit(F, col))
            else:
                self.estimators_.append(None)
        return self

    def predict_scores(self, X) -> np.ndarray:
        """Per-label scores in [0, 1]: probabilities for trained labels, zero-shot for the others."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        F = self._features(np.asarray(X, dtype=np.float64))
        out = np.zeros((X.shape[0], len(self.estimators_)))
        if self.prior_columns:
            priors = X[:, X.shape[1] - self.prior_columns:]
            near_best = priors >= priors.max(axis=1, keepdims=True) - self.prior_margin
        for j, est in enumerate(self.estimators_):
            if est is not None:
                out[:, j] = est.predict_proba(F)[:, 1]
        if self.prior_columns:  # untrained labels speak only for rows no trained label claims
            unclaimed = (out < self.threshold).all(axis=1)
            near_best &= unclaimed[:, None]
        for j, est in enumerate(self.estimators_):
            if est is None and self.prior_columns:
                # rescale so that prior_floor lands on the probability threshold
                scaled = np.clip(priors[:, j] * self.threshold / max(self.prior_floor, 1e-6), 0, 1)
                out[:, j] = np.where(near_best[:, j], scaled, np.minimum(scaled, 0.99 * self.threshold))
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags


def training_set(decisions: list[dict], framework_id: str, item_ids: list[str], statement_ids: list[str]):
    """Rows and 0/1 labels from officer decisions on this run's statements.

    A decided statement is taken to belong to exactly the items accepted for it: a rejected
    item, and any item not accepted, counts as a negative.
    """
    pos = {sid: i for i, sid in enumerate(statement_ids)}
    cols = {iid: j for j, iid in enumerate(item_ids)}
    rows: dict[int, np.ndarray] = {}
    for d in decisions:
        if d.get("framework_id") != framework_id or d.get("statement_id") not in pos or d.get("item_id") not in cols:
            continue
        r = pos[d["statement_id"]]
        label = rows.setdefault(r, np.zeros(len(item_ids), dtype=int))
        label[cols[d["item_id"]]] = 1 if d.get("accepted") else 0
    idx = sorted(rows)
    Y = np.vstack([rows[r] for r in idx]) if idx else np.zeros((0, len(item_ids)), dtype=int)
    return np.asarray(idx, dtype=int), Y


class LearnedStage(ZeroShotMapper):
    """``kilvoice.map.learned.v1``: zero-shot, then a :class:`LearnedMapper` per framework
    trained on officer decisions (needs at least ``min_decisions`` decided statements)."""

    name = "kilvoice.map.learned.v1"

    def __init__(self, *args, C: float = 10.0, prior_weight: float = 1.0, min_decisions: int = 5,
                 random_state: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.C = C
        self.prior_weight = prior_weight
        self.min_decisions = min_decisions
        self.random_state = random_state

    def statement_scores(self, framework, index, vectors, statement_ids, confirmed):
        scores, floor, method = super().statement_scores(framework, index, vectors, statement_ids, confirmed)
        rows, Y = training_set(confirmed, framework.id, framework.item_ids, statement_ids)
        if len(rows) < self.min_decisions or Y.sum() == 0:
            return scores, floor, {**method, "n_decisions": int(len(rows))}
        X = np.hstack([vectors, scores])
        model = LearnedMapper(prior_columns=scores.shape[1], prior_weight=self.prior_weight, prior_floor=floor,
                              C=self.C, random_state=self.random_state).fit(X[rows], Y)
        learned = model.predict_scores(X)
        # put learned probabilities on the zero-shot scale: the model's threshold lands on the floor
        rescaled = np.clip(learned * (floor / model.threshold), 0, 1).astype(np.float32)
        return rescaled, floor, {"method": "learned", "n_decisions": int(len(rows))}


__all__ = ["LearnedMapper", "LearnedStage", "training_set", "zs"]

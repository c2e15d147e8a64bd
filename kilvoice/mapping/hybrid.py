"""The hybrid learned mapper: embeddings and word n-grams, trained on officer decisions.

:class:`HybridMapper` is a scikit-learn estimator (``fit`` returns self, no logic in
``__init__``, learned state ends in ``_``, ``random_state``). Its input ``X`` is any numeric
feature matrix, dense or sparse; :class:`TextFeatures` builds the one the stage uses: the
statement embeddings hstacked with TF-IDF word 1-2 grams fitted on all of the run's statements
(transductive: the statements being mapped are available unlabelled, as they are to an officer).

* each item gets a class-balanced logistic regression (liblinear);
* ``self_training`` rounds (transductive): the unlabelled rows passed as ``X_unlabelled`` to
  ``fit`` get pseudo-labels (items scoring >= ``pseudo_threshold``, and always the row's best
  item), and the models are refitted, unbalanced, on confirmed + pseudo-labelled rows. Officers
  confirm a few rows per item, so the confirmed rows badly misstate how common each item is
  (on the NHS set the largest item is 29% of rows but 5% of confirmations); the pseudo-labelled
  pool restores the real proportions;
* ``predict`` links every item scoring >= ``threshold`` and, with ``at_least_one``, the row's
  best item (a statement coded against a full framework always has some item);
* catch-all items (in confirmations, an item that stands alone on at least ``solo_share`` of
  its rows, e.g. "not assigned" or a general "negative experience") are dropped from rows where
  a specific item is predicted (``exclusive_`` lists them);
* items with no positive (or no negative) example score 0; the stage falls back to zero-shot
  scores for them.

:class:`HybridStage` is the ``kilvoice.map.learned.v2`` stage built on it.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from kilvoice.mapping import ZeroShotMapper
from kilvoice.mapping.learned import ScoresPredictMixin, label_matrix, training_set


class TextFeatures:
    """Embeddings hstacked with sublinear TF-IDF word 1-2 grams (``word_weight`` scales them)."""

    def __init__(self, word_weight: float = 1.0, min_df: int | None = None):
        self.word_weight = word_weight
        self.min_df = min_df

    def fit(self, texts: list[str]) -> "TextFeatures":
        from sklearn.feature_extraction.text import TfidfVectorizer

        min_df = self.min_df if self.min_df is not None else (2 if len(texts) >= 200 else 1)
        self.vectorizer_ = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=min_df)
        try:
            self.vectorizer_.fit(texts)
        except ValueError:  # no word at all (empty or stop-word-only texts)
            self.vectorizer_ = None
        return self

    def transform(self, texts: list[str], embeddings: np.ndarray) -> sp.csr_matrix:
        parts = [sp.csr_matrix(np.asarray(embeddings, dtype=np.float64))]
        if self.vectorizer_ is not None and self.word_weight:
            parts.append(self.vectorizer_.transform(texts) * self.word_weight)
        return sp.hstack(parts).tocsr()


class HybridMapper(ScoresPredictMixin, ClassifierMixin, BaseEstimator):
    """One-vs-rest logistic regression on any features, with transductive self-training.

    Parameters
    ----------
    C : inverse regularisation strength of each logistic regression.
    class_weight : class weights of the first fit on confirmed rows ("balanced" by default).
    threshold : score at which an item is predicted (multi-label).
    at_least_one : also predict each row's best-scoring item.
    self_training : rounds of pseudo-labelling ``X_unlabelled`` (0: off).
    pseudo_threshold : score at which an unlabelled row gets an item as pseudo-label.
    pseudo_weight : sample weight of pseudo-labelled rows (confirmed rows weigh 1).
    solo_share : an item with >= 3 confirmed rows standing alone on at least this share of them is
        a catch-all, predicted only on rows with no other item (None: off).
    random_state : seed for the solvers.
    """

    def __init__(self, C: float = 10.0, class_weight="balanced", threshold: float = 0.4,
                 at_least_one: bool = True, self_training: int = 1, pseudo_threshold: float = 0.5,
                 pseudo_weight: float = 1.0, solo_share: float | None = 0.8, random_state=None):
        self.C = C
        self.class_weight = class_weight
        self.threshold = threshold
        self.at_least_one = at_least_one
        self.self_training = self_training
        self.pseudo_threshold = pseudo_threshold
        self.pseudo_weight = pseudo_weight
        self.solo_share = solo_share
        self.random_state = random_state

    def _fit_all(self, X, Y: np.ndarray, class_weight, sample_weight=None) -> list:
        if isinstance(class_weight, dict) and not self.multilabel_:
            # multiclass weights are per class, not per side of each one-vs-rest problem
            rows = np.asarray([class_weight.get(c, 1.0) for c in self.classes_[Y.argmax(axis=1)]])
            sample_weight = rows if sample_weight is None else sample_weight * rows
            class_weight = None
        out = []
        for j in range(Y.shape[1]):
            col = Y[:, j]
            if 0 < col.sum() < len(col):
                est = LogisticRegression(C=self.C, class_weight=class_weight, solver="liblinear",
                                         random_state=self.random_state)
                out.append(est.fit(X, col, sample_weight=sample_weight))
            else:
                out.append(None)
        return out

    def _scores(self, X, estimators) -> np.ndarray:
        out = np.zeros((X.shape[0], len(estimators)))
        for j, est in enumerate(estimators):
            if est is not None:
                out[:, j] = est.predict_proba(X)[:, 1]
        return out

    def _decide(self, scores: np.ndarray, threshold: float) -> np.ndarray:
        chosen = (scores >= threshold).astype(int)
        if self.at_least_one and scores.size:
            rows = np.flatnonzero(scores.max(axis=1) > 0)
            chosen[rows, scores[rows].argmax(axis=1)] = 1
        excl = getattr(self, "exclusive_", np.zeros(0, dtype=int))
        if self.multilabel_ and len(excl):
            specific = np.setdiff1d(np.arange(chosen.shape[1]), excl)
            has_specific = chosen[:, specific].sum(axis=1) > 0
            chosen[np.ix_(has_specific, excl)] = 0
        return chosen

    def _pseudo_labels(self, scores: np.ndarray) -> np.ndarray:
        return self._decide(scores, self.pseudo_threshold)

    def fit(self, X, y, X_unlabelled=None):
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=False, accept_sparse="csr")
        self.multilabel_, self.classes_, Y = label_matrix(y, type(self).__name__)
        self.exclusive_ = np.zeros(0, dtype=int)
        if self.multilabel_ and self.solo_share is not None:
            positives = Y.sum(axis=0)
            alone = ((Y.sum(axis=1, keepdims=True) == 1) & (Y == 1)).sum(axis=0)
            share = alone / np.maximum(positives, 1)
            self.exclusive_ = np.flatnonzero((positives >= 3) & (share >= self.solo_share))
        self.estimators_ = self._fit_all(X, Y, self.class_weight)
        self.n_pseudo_ = 0
        if X_unlabelled is not None and self.self_training and X_unlabelled.shape[0]:
            U = validate_data(self, X_unlabelled, reset=False, accept_sparse="csr")
            stack = sp.vstack if sp.issparse(X) or sp.issparse(U) else np.vstack
            both = stack([X, U])
            weights = np.r_[np.ones(X.shape[0]), np.full(U.shape[0], self.pseudo_weight)]
            for _ in range(self.self_training):
                pseudo = self._pseudo_labels(self._scores(U, self.estimators_))
                self.estimators_ = self._fit_all(both, np.vstack([Y, pseudo]), None, weights)
            self.n_pseudo_ = int(U.shape[0])
        return self

    def predict_scores(self, X) -> np.ndarray:
        """Per-label scores in [0, 1] (0 for labels that had no positive or no negative example)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csr")
        return self._scores(X, self.estimators_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags


class HybridStage(ZeroShotMapper):
    """``kilvoice.map.learned.v2``: zero-shot, then a :class:`HybridMapper` per framework trained
    on officer decisions (needs ``min_decisions`` decided statements), self-trained on the run's
    other statements. Items without a confirmed example keep their zero-shot scores."""

    name = "kilvoice.map.learned.v2"

    def __init__(self, *args, C: float = 10.0, word_weight: float = 1.0, self_training: int = 1,
                 min_decisions: int = 5, random_state: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.C = C
        self.word_weight = word_weight
        self.self_training = self_training
        self.min_decisions = min_decisions
        self.random_state = random_state
        self._texts: list[str] = []

    def run(self, themes, assignments, statements, embeddings, embedder, conversations=None, confirmed=None,
            consume=False):
        self._texts = [s.text for s in statements]
        try:
            return super().run(themes, assignments, statements, embeddings, embedder, conversations, confirmed,
                               consume)
        finally:
            self._texts = []

    def statement_scores(self, framework, index, vectors, statement_ids, confirmed):
        scores, floor, method = super().statement_scores(framework, index, vectors, statement_ids, confirmed)
        rows, Y = training_set(confirmed, framework.id, framework.item_ids, statement_ids)
        if len(rows) < self.min_decisions or Y.sum() == 0 or len(self._texts) != len(statement_ids):
            return scores, floor, {**method, "n_decisions": int(len(rows))}
        F = self.make_features(vectors, scores)
        rest = np.setdiff1d(np.arange(len(statement_ids)), rows)
        model = self.make_model()
        model.fit(F[rows], Y, X_unlabelled=F[rest])
        learned = model.predict_scores(F)
        # the model's threshold lands on the zero-shot floor; untrained items keep zero-shot scores
        rescaled = np.clip(learned * (floor / model.threshold), 0, 1)
        if len(model.exclusive_):  # catch-all items stay below the floor where a specific item links
            specific = np.setdiff1d(np.arange(rescaled.shape[1]), model.exclusive_)
            hit = (rescaled[:, specific] >= floor).any(axis=1)
            rescaled[np.ix_(hit, model.exclusive_)] = np.minimum(rescaled[np.ix_(hit, model.exclusive_)],
                                                                 0.99 * floor)
        trained = np.array([est is not None for est in model.estimators_])
        # untrained items keep zero-shot scores, but only on rows that no trained item claims
        claimed = (rescaled[:, trained] >= floor).any(axis=1, keepdims=True)
        fallback = np.where(claimed, np.minimum(scores, 0.99 * floor), scores)
        out = np.where(trained[None, :], rescaled, fallback).astype(np.float32)
        return self.finish_scores(out, model, floor), floor, {"method": "learned-hybrid", "n_decisions": int(len(rows))}

    # -- hooks (kilvoice.map.learned.v5 overrides them) --------------------------------------
    def make_features(self, vectors: np.ndarray, scores: np.ndarray):
        """The model's features for every statement (``scores``: the zero-shot scores)."""
        return TextFeatures(self.word_weight).fit(self._texts).transform(self._texts, vectors)

    def make_model(self) -> HybridMapper:
        return HybridMapper(C=self.C, self_training=self.self_training, random_state=self.random_state)

    def finish_scores(self, out: np.ndarray, model: HybridMapper, floor: float) -> np.ndarray:
        return out


__all__ = ["HybridMapper", "HybridStage", "TextFeatures"]

"""ThemeModel: the fitted part of the theme stage, as a scikit-learn estimator.

``ThemeModel().fit(X)`` clusters embeddings with the configured reducer and clusterer
(numbers only; this is what stability checks and the estimator contract use).
``fit(X, documents=texts)`` runs the same components inside BERTopic, which adds the
c-TF-IDF keywords. Learned state ends in ``_``; nothing happens in ``__init__``.
"""
from __future__ import annotations

import logging

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from threadpoolctl import threadpool_limits
from sklearn.utils.validation import check_is_fitted, validate_data

from kilvoice.errors import KilvoiceError
from kilvoice.topics.labels import CoverageKeywords
from kilvoice.topics.components import centroids_of, make_clusterer, make_reducer, normalize


class ThemeModel(ClusterMixin, TransformerMixin, BaseEstimator):
    """Reducer + clusterer (+ BERTopic keywords when documents are given).

    Parameters mirror the ``[topics]`` section of a pipeline file. ``labels_`` holds
    the theme index of each row (-1 = "other"), numbered by decreasing size.
    """

    def __init__(self, reducer: str = "pca", n_components: int = 32, clusterer: str = "consensus",
                 n_themes="auto", min_themes: int = 8, max_themes: int = 25,
                 outlier_threshold: float = 0.35, max_outlier_share: float = 0.08,
                 n_init: int = 2, n_init_final: int = 12, selection: str = "silhouette",
                 k_penalty: float = 0.004, k_smooth: int = 0, consensus_runs: int = 40,
                 consensus_cut: float = 0.6,
                 representation: str = "coverage", top_n_words: int = 25, rescue: bool = False,
                 consensus_dtype: str = "float64", pca_solver: str = "full", random_state: int = 0):
        self.reducer = reducer
        self.n_components = n_components
        self.clusterer = clusterer
        self.n_themes = n_themes
        self.min_themes = min_themes
        self.max_themes = max_themes
        self.outlier_threshold = outlier_threshold
        self.max_outlier_share = max_outlier_share
        self.n_init = n_init
        self.n_init_final = n_init_final
        self.selection = selection
        self.k_penalty = k_penalty
        self.k_smooth = k_smooth
        self.consensus_runs = consensus_runs
        self.consensus_cut = consensus_cut
        self.representation = representation
        self.top_n_words = top_n_words
        self.rescue = rescue
        self.consensus_dtype = consensus_dtype
        self.pca_solver = pca_solver
        self.random_state = random_state

    # -- components -------------------------------------------------------
    def _components(self):
        if not (self.n_themes == "auto" or (isinstance(self.n_themes, (int, np.integer))
                                            and self.n_themes >= 1)):
            raise KilvoiceError("K705", name="n_themes", value=self.n_themes,
                                expected='"auto" or a whole number >= 1')
        seed = int(self.random_state or 0)
        reducer = make_reducer(self.reducer, random_state=seed, n_components=self.n_components,
                               solver=self.pca_solver)
        kw = {}
        if self.clusterer in ("kmeans", "agglomerative"):
            kw = dict(n_themes=self.n_themes, min_themes=self.min_themes,
                      max_themes=self.max_themes, outlier_threshold=self.outlier_threshold,
                      max_outlier_share=self.max_outlier_share, n_init=self.n_init,
                      n_init_final=self.n_init_final, selection=self.selection, k_penalty=self.k_penalty,
                      k_smooth=self.k_smooth)
        elif self.clusterer == "consensus":
            kw = dict(n_themes=self.n_themes, min_themes=self.min_themes, max_themes=self.max_themes,
                      outlier_threshold=self.outlier_threshold, max_outlier_share=self.max_outlier_share,
                      runs=self.consensus_runs, cut=self.consensus_cut, dtype=self.consensus_dtype)
        return reducer, make_clusterer(self.clusterer, random_state=seed, **kw)

    # -- fitting ----------------------------------------------------------
    def fit(self, X, y=None, documents=None, vectorizer=None, texts=None, memo=None):
        """Cluster ``X`` (n x d embeddings). With ``documents`` also fit BERTopic keywords.
        With ``rescue``, a catch-all's statements are rescued after the clustering
        (:mod:`kilvoice.topics.rescue`), read from ``documents`` or, for a fit without keywords
        (the stability fits), ``texts``, with ``vectorizer``. ``memo``: a dict kept for one theme run,
        in which the rescue remembers what it reads of each statement (the same for every fit)."""
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        reducer, clusterer = self._components()
        # One BLAS/OpenMP thread: on a shared 2-core laptop, k-means' spinning OpenMP
        # threads ran 13x slower than one thread (measured 84 s vs 6.4 s under load).
        with threadpool_limits(1):
            return self._fit(X, documents, vectorizer, reducer, clusterer, texts, memo)

    def _fit(self, X, documents, vectorizer, reducer, clusterer, texts=None, memo=None):
        if documents is None:
            reduced = reducer.fit_transform(X)
            clusterer.fit(reduced)
            labels = np.asarray(clusterer.labels_, dtype=int)
            self.topic_model_ = None
        else:
            self.topic_model_ = self._fit_bertopic(list(documents), X, reducer, clusterer, vectorizer)
            reducer = self.topic_model_.umap_model
            clusterer = self.topic_model_.hdbscan_model
            reduced = reducer.transform(X)
            labels = np.asarray(self.topic_model_.topics_, dtype=int)
        self.reducer_ = reducer
        self.clusterer_ = clusterer
        space = normalize(reduced)
        texts = documents if documents is not None else texts
        self.rescued_ = None
        if self.rescue and texts is not None and vectorizer is not None and labels.size and labels.max() >= 0:
            labels = self._rescue(space, labels, list(texts), vectorizer, memo)
        if self.topic_model_ is not None:
            self.topic_model_.words_now()  # the fit's keywords, unless the rescue's replaced them
        self.labels_ = labels
        self.n_themes_ = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
        self.centroids_ = centroids_of(space, labels, self.n_themes_)
        return self

    def _rescue(self, space, labels, texts, vectorizer, memo=None):
        """Labels after :func:`kilvoice.topics.rescue.rescue`; BERTopic's keywords follow them."""
        from kilvoice.topics.rescue import ThemeWords, rescue

        try:
            words = ThemeWords(texts, vectorizer, top_n=self.top_n_words, memo=memo)
        except ValueError:  # no word survives the vectorizer: nothing to test themes with
            return labels
        new, self.rescued_ = rescue(space, labels, words, int(self.random_state or 0))
        if self.topic_model_ is not None and not np.array_equal(new, labels):
            from bertopic.vectorizers import ClassTfidfTransformer

            self.topic_model_.pending_ = None  # the fit's keywords are never read: the rescue's replace them
            # BERTopic warns that topics set by hand may break a later topic reduction; none follows, and
            # the warning reads as a fault to an officer watching the run
            quiet = logging.getLogger("BERTopic")
            level = quiet.level
            quiet.setLevel(logging.ERROR)
            try:
                self.topic_model_.update_topics(
                    texts, topics=new.tolist(),
                    top_n_words=40 if self.representation == "coverage" else self.top_n_words,
                    vectorizer_model=vectorizer, ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                    representation_model=self.topic_model_.representation_model)
            finally:
                quiet.setLevel(level)
        return new

    def _fit_bertopic(self, documents, X, reducer, clusterer, vectorizer):
        from bertopic.vectorizers import ClassTfidfTransformer

        from kilvoice.topics.lazy import LazyBERTopic as BERTopic

        representation = None
        if self.representation == "coverage" and vectorizer is not None:
            representation = [CoverageKeywords(vectorizer.build_analyzer(), top_n=self.top_n_words)]
        elif self.representation not in ("coverage", "ctfidf"):
            raise KilvoiceError("K705", name="representation", value=self.representation,
                                expected='"coverage" or "ctfidf"')
        model = BERTopic(
            embedding_model=None, umap_model=reducer, hdbscan_model=clusterer,
            vectorizer_model=vectorizer, ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
            representation_model=representation,
            top_n_words=self.top_n_words if representation is None else 40,
            calculate_probabilities=False, verbose=False,
        )
        model.fit_transform(documents, embeddings=np.asarray(X, dtype=np.float32))
        return model

    # -- using a fitted model ---------------------------------------------
    def transform(self, X) -> np.ndarray:
        """Cosine similarity of each row to each theme centroid (n x n_themes)."""
        check_is_fitted(self, "centroids_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return normalize(self.reducer_.transform(X)) @ self.centroids_.T

    def predict(self, X) -> np.ndarray:
        sims = self.transform(X)
        if sims.shape[1] == 0:
            return np.full(sims.shape[0], -1, dtype=int)
        best = sims.argmax(axis=1)
        return np.where(sims.max(axis=1) < self.outlier_threshold, -1, best)

    def keywords(self, theme: int) -> list[tuple[str, float]]:
        """BERTopic's c-TF-IDF words for a theme (empty without documents)."""
        check_is_fitted(self, "labels_")
        if self.topic_model_ is None:
            return []
        words = self.topic_model_.get_topic(theme) or []
        return [(w, float(s)) for w, s in words if w]

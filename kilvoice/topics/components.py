"""Registered reducers and clusterers injected into BERTopic.

Every component is a small scikit-learn style object (``fit`` / ``transform`` or
``fit`` / ``predict`` with ``labels_``), so BERTopic can take it in place of its
UMAP and HDBSCAN defaults. ``make_reducer`` / ``make_clusterer`` look them up by
the names used in pipeline files (``reducer = "pca"``, ``clusterer = "kmeans"``).

The clusterers here choose the theme count automatically (``n_themes = "auto"``)
within ``[min_themes, max_themes]`` and mark as outliers (-1) the statements least
similar to their theme centroid, never more than ``max_outlier_share`` of them.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from kilvoice.errors import KilvoiceError

REDUCERS: dict[str, Callable] = {}
CLUSTERERS: dict[str, Callable] = {}


def register_reducer(name: str):
    def deco(factory):
        REDUCERS[name] = factory
        return factory
    return deco


def register_clusterer(name: str):
    def deco(factory):
        CLUSTERERS[name] = factory
        return factory
    return deco


def normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


# ---------------------------------------------------------------- reducers
class IdentityReducer:
    """No reduction: passes (unit-normalised) embeddings straight through. For ablations."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return normalize(X)

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


class PCAReducer:
    """Unit-normalise, then PCA to ``n_components`` (capped by the data), re-normalised.
    ``solver``: scikit-learn's ``svd_solver``; "full" (default) or "covariance_eigh" (the
    eigenvectors of the d x d covariance: ~10x faster for many more rows than columns, the same
    components up to rounding, so other labels at the margin: ``kilvoice.topics.bertopic.v4``)."""

    def __init__(self, n_components: int = 32, random_state: int = 0, solver: str = "full"):
        self.n_components = n_components
        self.random_state = random_state
        self.solver = solver

    def fit(self, X, y=None):
        from sklearn.decomposition import PCA

        X = normalize(X)
        k = max(1, min(self.n_components, X.shape[0] - 1, X.shape[1]))
        self.pca_ = PCA(n_components=k, svd_solver=self.solver, random_state=self.random_state).fit(X)
        return self

    def transform(self, X):
        return normalize(self.pca_.transform(normalize(X)))

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


@register_reducer("none")
def _identity(random_state: int = 0, **_) -> IdentityReducer:
    return IdentityReducer()


@register_reducer("pca")
def _pca(random_state: int = 0, n_components: int = 32, solver: str = "full", **_) -> PCAReducer:
    return PCAReducer(n_components=n_components, random_state=random_state, solver=solver)


@register_reducer("umap")
def _umap(random_state: int = 0, n_components: int = 5, n_neighbors: int = 15, **_):
    from umap import UMAP

    return UMAP(n_neighbors=n_neighbors, n_components=n_components, min_dist=0.0,
                metric="cosine", random_state=random_state, low_memory=True)


# ---------------------------------------------------------------- clusterers
def _kmeans(X: np.ndarray, k: int, seed: int, n_init: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(X)


def _agglomerative(X: np.ndarray, k: int, seed: int, n_init: int) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X)


BASE_ALGORITHMS = {"kmeans": _kmeans, "agglomerative": _agglomerative}


def centroids_of(X: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Unit-length mean vector of each label 0..k-1 (labels -1 ignored)."""
    cents = np.zeros((k, X.shape[1]))
    for c in range(k):
        members = X[labels == c]
        if len(members):
            cents[c] = members.mean(axis=0)
    return normalize(cents)


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0.. by decreasing size (ties broken by first member), -1 kept."""
    ids = [c for c in np.unique(labels) if c >= 0]
    first = {c: int(np.argmax(labels == c)) for c in ids}
    order = sorted(ids, key=lambda c: (-int(np.sum(labels == c)), first[c]))
    mapping = {c: i for i, c in enumerate(order)}
    return np.array([mapping.get(int(c), -1) for c in labels], dtype=int)


class AutoCluster:
    """k-means or Ward clustering with an automatic number of themes.

    ``n_themes="auto"`` fits every k in ``[min_themes, max_themes]`` and keeps the one
    with the best silhouette (cosine, on a seeded sample of at most ``sample_size``
    points) after a small penalty per extra theme, which favours the coarser, more
    reproducible solution when scores are close. Statements whose cosine similarity to
    their centroid is below ``outlier_threshold`` become -1, capped at
    ``max_outlier_share``.
    """

    def __init__(self, algorithm: str = "kmeans", n_themes="auto", min_themes: int = 8,
                 max_themes: int = 25, outlier_threshold: float = 0.35,
                 max_outlier_share: float = 0.08, n_init: int = 2, n_init_final: int = 12,
                 k_penalty: float = 0.004, k_smooth: int = 0,
                 sample_size: int = 2000, selection: str = "silhouette", random_state: int = 0):
        self.algorithm = algorithm
        self.n_themes = n_themes
        self.min_themes = min_themes
        self.max_themes = max_themes
        self.outlier_threshold = outlier_threshold
        self.max_outlier_share = max_outlier_share
        self.n_init = n_init
        self.n_init_final = n_init_final
        self.k_penalty = k_penalty
        self.k_smooth = k_smooth
        self.sample_size = sample_size
        self.selection = selection
        self.random_state = random_state

    def _candidates(self, n: int) -> list[int]:
        if self.n_themes != "auto":
            return [max(1, min(int(self.n_themes), n))]
        hi = max(2, min(int(self.max_themes), n // 3 if n >= 6 else 1, n - 1))
        lo = max(2, min(int(self.min_themes), hi))
        return list(range(lo, hi + 1))

    def fit(self, X, y=None):
        from sklearn.metrics import adjusted_rand_score, silhouette_score

        if self.algorithm not in BASE_ALGORITHMS:
            raise KilvoiceError("K703", name=self.algorithm, available=", ".join(BASE_ALGORITHMS))
        X = normalize(X)
        n = X.shape[0]
        run = BASE_ALGORITHMS[self.algorithm]
        candidates = self._candidates(n)
        rng = np.random.default_rng(self.random_state)
        sample = np.sort(rng.choice(n, size=min(n, self.sample_size), replace=False))
        best, best_k, scores, fitted = None, None, {}, {}
        for k in candidates:
            labels = run(X, k, self.random_state, self.n_init_final if len(candidates) == 1 else self.n_init)
            if len(candidates) == 1:
                best = labels
                break
            if len(np.unique(labels[sample])) < 2:
                continue
            if self.selection == "stability":
                other = run(X, k, self.random_state + 7919, 1)
                s = float(adjusted_rand_score(run(X, k, self.random_state + 104729, 1), other))
            else:
                s = float(silhouette_score(X[sample], labels[sample], metric="cosine"))
            scores[k] = round(s, 4)
            fitted[k] = labels
        if scores:
            # Each k's score is averaged with its neighbours' (k +- k_smooth): one lucky
            # restart should not decide the theme count, or subsamples disagree on it.
            w = int(self.k_smooth)
            smooth = {k: float(np.mean([scores[j] for j in range(k - w, k + w + 1) if j in scores]))
                      for k in scores}
            best_k = max(scores, key=lambda k: (smooth[k] - self.k_penalty * (k - candidates[0]), -k))
            best = fitted[best_k]
        if best_k is not None and self.n_init_final > self.n_init and self.algorithm == "kmeans":
            # Choose k cheaply, then refit it with more restarts: a better optimum is a
            # more reproducible one (subsample ARI 0.60-0.90 -> 0.86-0.88 on petitions).
            best = run(X, best_k, self.random_state, self.n_init_final)
        if best is None:
            best = np.zeros(n, dtype=int)
        labels = relabel_by_size(best)
        k = int(labels.max()) + 1
        cents = centroids_of(X, labels, k)
        sims = np.einsum("ij,ij->i", X, cents[labels])
        labels = self._outliers(labels, sims)
        self.scores_ = scores
        self.n_clusters_ = k
        self.labels_ = labels
        self.similarity_ = sims
        self.cluster_centers_ = cents
        return self

    def _outliers(self, labels: np.ndarray, sims: np.ndarray) -> np.ndarray:
        labels = labels.copy()
        cap = int(np.floor(self.max_outlier_share * len(labels)))
        low = np.where(sims < self.outlier_threshold)[0]
        if len(low) > cap:
            low = low[np.argsort(sims[low], kind="stable")[:cap]]
        labels[low] = -1
        return labels

    def predict(self, X):
        X = normalize(X)
        sims = X @ self.cluster_centers_.T
        labels = sims.argmax(axis=1)
        return np.where(sims.max(axis=1) < self.outlier_threshold, -1, labels)

    def fit_predict(self, X, y=None):
        return self.fit(X).labels_


@register_clusterer("kmeans")
def _kmeans_factory(random_state: int = 0, **kw) -> AutoCluster:
    return AutoCluster(algorithm="kmeans", random_state=random_state, **kw)


@register_clusterer("agglomerative")
def _agglo_factory(random_state: int = 0, **kw) -> AutoCluster:
    return AutoCluster(algorithm="agglomerative", random_state=random_state, **kw)


@register_clusterer("hdbscan")
def _hdbscan_factory(random_state: int = 0, min_cluster_size: int = 10, **_):
    from hdbscan import HDBSCAN

    return HDBSCAN(min_cluster_size=min_cluster_size, metric="euclidean",
                   cluster_selection_method="leaf", prediction_data=True)


def make_reducer(name: str, random_state: int = 0, **kw):
    if name not in REDUCERS:
        raise KilvoiceError("K702", name=name, available=", ".join(sorted(REDUCERS)))
    return REDUCERS[name](random_state=random_state, **kw)


def make_clusterer(name: str, random_state: int = 0, **kw):
    if name not in CLUSTERERS:
        raise KilvoiceError("K703", name=name, available=", ".join(sorted(CLUSTERERS)))
    return CLUSTERERS[name](random_state=random_state, **kw)


from kilvoice.topics import consensus  # noqa: E402,F401  (registers the "consensus" clusterer)

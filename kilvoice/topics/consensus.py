"""Consensus k-means: themes that many k-means runs agree on (evidence accumulation).

One k-means run depends on its start and on the theme count it is given; two subsamples of
the same conversations then disagree on which statements belong together (measured: subsample
stability 0.42 on the sample notes with word features). Consensus clustering (Fred and Jain,
"Combining multiple clusterings using evidence accumulation", TPAMI 2005) runs k-means
``runs`` times for each of several theme counts ``ks``, counts how often each pair of
statements lands in the same cluster (the co-association matrix), and cuts the average-linkage
tree of that matrix where pairs are together in fewer than ``1 - cut`` of the runs. The theme
count follows from the data (bounded by ``min_themes``/``max_themes``); the themes are the
groups the runs agree on, so they move little when the sample moves (mean subsample stability
over 3-5 seeds, against one k-means fit on the same features: samples 0.47 -> 0.68, petitions
0.54 -> 0.77, NHS 0.68 -> 0.86; see docs/PERFORMANCE.md, Topics).

The matrix is n x n, so at most ``sample_size`` statements (seeded sample) vote; the rest join
their nearest theme centroid. Clusters smaller than ``min_size`` are folded into the nearest
larger one; the "other" rule of :class:`~kilvoice.topics.components.AutoCluster` then applies.
"""
from __future__ import annotations

import numpy as np

from kilvoice.topics.components import AutoCluster, centroids_of, normalize, register_clusterer, relabel_by_size


class ConsensusCluster(AutoCluster):
    """Evidence-accumulation clustering over k-means runs; same outputs as ``AutoCluster``.

    Parameters
    ----------
    ks : theme counts of the base k-means runs (default: 10, 15, 20 within the bounds).
    runs : k-means runs (one start each) per value of ``ks``.
    cut : average-linkage distance at which the tree is cut (pairs together in at least
        ``1 - cut`` of the runs on average end up in one theme).
    min_size : smallest theme (default: 10, or 1% of statements if that is smaller, at least 3).
    sample_size : at most this many statements build the co-association matrix.
    init : start of each k-means run: "random" (default; as stable as "k-means++" here and
        a third faster, and varied starts are what an ensemble wants) or "k-means++".
    dtype : "float64" (default) or "float32": the precision the k-means runs and the
        co-association count in (float32 runs ~1.7x faster; other labels, so a new stage version).
    """

    def __init__(self, n_themes="auto", min_themes: int = 8, max_themes: int = 25,
                 outlier_threshold: float = 0.35, max_outlier_share: float = 0.08, ks=None,
                 runs: int = 40, cut: float = 0.6, min_size: int | None = None, sample_size: int = 4000,
                 init: str = "random", dtype: str = "float64", random_state: int = 0):
        super().__init__(algorithm="kmeans", n_themes=n_themes, min_themes=min_themes, max_themes=max_themes,
                         outlier_threshold=outlier_threshold, max_outlier_share=max_outlier_share,
                         random_state=random_state)
        self.ks = ks
        self.runs = runs
        self.cut = cut
        self.min_size = min_size
        self.sample_size = sample_size
        self.init = init
        self.dtype = dtype

    def _base_ks(self, n: int) -> list[int]:
        hi = max(2, min(int(self.max_themes), n // 3 if n >= 6 else 1, n - 1))
        lo = max(2, min(int(self.min_themes), hi))
        ks = self.ks or (10, 15, 20)
        return sorted({min(max(int(k), lo), hi) for k in ks})

    def fit(self, X, y=None):
        from scipy.cluster.hierarchy import linkage
        from scipy.spatial.distance import squareform
        from sklearn.cluster import KMeans

        X = normalize(X)
        n = X.shape[0]
        rng = np.random.default_rng(self.random_state)
        voters = np.sort(rng.choice(n, size=min(n, self.sample_size), replace=False))
        V = X[voters]
        m = len(voters)
        Vk = V if self.dtype == "float64" else V.astype(self.dtype)  # what the k-means runs read
        distinct = len(np.unique(np.round(V, 6), axis=0))
        ks = sorted({min(k, distinct) for k in self._base_ks(m)})
        # one column per (run, cluster): H @ H.T counts the runs in which two statements met
        H = np.zeros((m, self.runs * sum(ks)), dtype=np.float32)
        col = 0
        for k in ks:
            for _ in range(self.runs):
                start = int(rng.integers(2**31 - 1))
                labels = KMeans(n_clusters=k, n_init=1, init=self.init, random_state=start).fit_predict(Vk)
                H[np.arange(m), col + labels] = 1.0
                col += k
        together = H @ H.T
        del H
        distance = 1.0 - together / (len(ks) * self.runs)
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        del together, distance
        min_size = self.min_size or max(3, min(10, m // 100))
        labels = self._cut(tree, V, min_size, distinct)
        cents = centroids_of(V, labels, int(labels.max()) + 1)
        full = np.empty(n, dtype=int)
        full[voters] = labels
        rest = np.setdiff1d(np.arange(n), voters)
        if len(rest):
            full[rest] = (X[rest] @ cents.T).argmax(axis=1)
        labels = relabel_by_size(full)
        k = int(labels.max()) + 1
        cents = centroids_of(X, labels, k)
        sims = np.einsum("ij,ij->i", X, cents[labels])
        self.scores_ = {}  # no per-k score: the count comes from the cut (kept for AutoCluster's API)
        self.n_clusters_ = k
        self.labels_ = self._outliers(labels, sims)
        self.similarity_ = sims
        self.cluster_centers_ = cents
        return self

    def _cut(self, tree, V: np.ndarray, min_size: int, distinct: int) -> np.ndarray:
        """Cut the tree at ``cut``; then finer (up to the lower bound) or merged (down to the upper).
        ``distinct``: the number of different rows of ``V``."""
        from scipy.cluster.hierarchy import fcluster

        if self.n_themes == "auto":
            lo, hi = int(self.min_themes), int(self.max_themes)
        else:
            lo = hi = max(1, int(self.n_themes))
        labels = fcluster(tree, self.cut, "distance")
        big = self._n_big(labels, min_size)
        # cut finer until enough themes of a useful size (or the tree runs out)
        for count in range(len(np.unique(labels)) + 1, min(len(V), 4 * hi) + 1):
            if big >= lo:
                break
            finer = fcluster(tree, count, "maxclust")
            if self._n_big(finer, min_size) > big:
                labels, big = finer, self._n_big(finer, min_size)
        if big < lo <= distinct:
            # no agreed structure (runs disagree everywhere, e.g. uniform noise): plain k-means at
            # the lower bound, so the theme count still honours min_themes
            from sklearn.cluster import KMeans

            labels = KMeans(n_clusters=lo, n_init=10, random_state=int(self.random_state or 0)).fit_predict(V)
        labels = self._fold_small(V, labels, min_size)
        if labels.max() + 1 > hi:
            labels = self._merge(V, labels, hi)
        return labels

    @staticmethod
    def _merge(V: np.ndarray, labels: np.ndarray, target: int) -> np.ndarray:
        """Merge clusters to ``target`` by average-linkage on their centroids (runs that never
        join two clusters leave the tree tied at the top; centroids break the tie)."""
        from sklearn.cluster import AgglomerativeClustering

        cents = centroids_of(V, labels, int(labels.max()) + 1)
        groups = AgglomerativeClustering(n_clusters=target, metric="cosine", linkage="average").fit_predict(cents)
        return groups[labels]

    @staticmethod
    def _n_big(labels: np.ndarray, min_size: int) -> int:
        return int(np.sum(np.bincount(labels) >= min_size))

    @staticmethod
    def _fold_small(X: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
        """Members of clusters below ``min_size`` join the nearest large cluster; labels 0..k-1."""
        ids, counts = np.unique(labels, return_counts=True)
        big = ids[counts >= min_size]
        if len(big) == 0:
            big = ids[[int(np.argmax(counts))]]
        index = {c: i for i, c in enumerate(big)}
        out = np.array([index.get(c, -1) for c in labels], dtype=int)
        cents = centroids_of(X, out, len(big))
        small = out == -1
        if small.any():
            out[small] = (X[small] @ cents.T).argmax(axis=1)
        return out


@register_clusterer("consensus")
def _consensus_factory(random_state: int = 0, n_init=None, n_init_final=None, selection=None, k_penalty=None,
                       k_smooth=None, **kw) -> ConsensusCluster:
    return ConsensusCluster(random_state=random_state, **kw)

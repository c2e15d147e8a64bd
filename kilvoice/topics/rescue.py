"""Rescue a catch-all's statements after the fit (``[topics] rescue``, on by default from
``kilvoice.topics.bertopic.v2``).

The consensus often leaves one large cluster of varied remarks that the stage titles
"Mixed: ..." (fewer than ``MIXED_KEYWORD_SHARE`` of its statements use any of its five main
keywords). Some of its statements belong to subjects of their own or to an existing theme. After
the fit, for each such catch-all (the same test the stage names themes with):

1. its members are clustered again (k-means, k = 2..4, seeded) in the model's reduced space;
   each sub-cluster that passes the SAME test as any theme (size >= ``MIXED_MIN_SIZE`` and
   keyword coverage >= ``MIXED_KEYWORD_SHARE``, keywords chosen as BERTopic chooses them:
   c-TF-IDF re-ranked by coverage, :class:`~kilvoice.topics.labels.CoverageKeywords`) becomes a
   theme of its own; the k that promotes the most statements wins (ties: the smaller k);
2. a member left in it moves to a subject theme when it is at least as close to that theme's
   centroid as the theme's own median member is (a threshold from each theme's similarity
   distribution, not a fixed cosine).

What is left stays in the catch-all. Everything is a function of the fit's labels, the reduced
vectors, the texts and the seed: the same inputs give the same themes.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from kilvoice.topics.components import centroids_of, normalize
from kilvoice.topics.labels import CoverageKeywords, coverage_of_words, pick_keywords, singular_words

MIXED_MIN_SIZE = 10  # the stage's test (kilvoice.topics): a theme this big ...
MIXED_KEYWORD_SHARE = 0.25  # ... that fewer of its statements than this use any of its 5 main keywords is "Mixed"
SPLITS = (2, 3, 4, 6, 8)  # sub-cluster counts tried on a catch-all
CHANCE_DRAWS = 5  # random parts of a catch-all of a sub-cluster's size ...
CHANCE_FACTOR = 2.0  # ... whose mean keyword coverage a sub-cluster must reach this many times over
TOP_WORDS = 40  # c-TF-IDF words handed to the coverage re-ranking, as in ThemeModel's BERTopic


def _bertopic_text(doc: str) -> str:
    """BERTopic's preprocessing of a document before the vectorizer (English)."""
    doc = re.sub(r"[^A-Za-z0-9 ]+", "", doc.replace("\n", " ").replace("\t", " "))
    return doc or "emptydoc"


MEMO_MAX_ITEMS = 30000  # texts remembered per function (as labels.PhraseAnalyzer's memo)


def _per_text(texts: Sequence[str], f, memo: dict | None) -> list:
    """``[f(t) for t in texts]``, remembered in ``memo`` (one dict per run, keyed by ``f``'s name):
    the main fit and both stability fits read the same statements, so each is read once. ``f``
    depends on the text alone, so a remembered value is the value."""
    if memo is None:
        return [f(t) for t in texts]
    seen = memo.setdefault(f.__name__, {})
    out = []
    for t in texts:
        v = seen.get(t)
        if v is None:
            v = f(t)
            if len(seen) < MEMO_MAX_ITEMS:
                seen[t] = v
        out.append(v)
    return out


class ThemeWords:
    """Keywords of any labelling of the same documents, computed as ThemeModel's BERTopic does
    (class-based TF-IDF with frequent words reduced, top words re-ranked by coverage), from one
    document-term matrix: trying a split costs a sparse product, not a refit."""

    def __init__(self, documents: Sequence[str], vectorizer, top_n: int = 25, n_keywords: int = 8,
                 memo: dict | None = None):
        from sklearn.base import clone

        self.documents = list(documents)
        self.vectorizer = clone(vectorizer)
        self.counts = self.vectorizer.fit_transform(_per_text(self.documents, _bertopic_text, memo)).tocsr()
        self.words = np.asarray(self.vectorizer.get_feature_names_out())
        self.coverage = CoverageKeywords(self.vectorizer.build_analyzer(), top_n=top_n)
        self.n_keywords = n_keywords
        # each document read once: what the re-ranking counts and what coverage matches
        self.analyzed = [frozenset(self.coverage.analyzer(d)) for d in self.documents]
        self.singular = _per_text(self.documents, singular_words, memo)
        # what c-TF-IDF's idf reads of a labelling: each word's count over all classes (the same for
        # every labelling) and the mean count of words per class (total / number of classes)
        self.word_counts = np.asarray(self.counts.sum(axis=0), dtype=np.float64).ravel()
        self.doc_totals = np.asarray(self.counts.sum(axis=1), dtype=np.float64).ravel()

    def idf(self, labels: np.ndarray) -> np.ndarray:
        """The idf of ``ClassTfidfTransformer`` fitted on the classes of ``labels``: from each word's
        count over all classes (the same for every labelling) and the mean count of words per class."""
        inverse = np.unique(labels, return_inverse=True)[1]
        avg_nr_samples = int(np.bincount(inverse, weights=self.doc_totals).mean())
        return np.log((avg_nr_samples / self.word_counts) + 1)

    def ctfidf_row(self, labels: np.ndarray, t: int, idf: np.ndarray) -> np.ndarray:
        """Theme ``t``'s row of ``ClassTfidfTransformer(reduce_frequent_words=True)`` fitted on the
        classes of ``labels``, without the other classes' rows: the same operations on the same
        integer counts (l1 share, square root, times idf), so the same floats."""
        row = np.asarray(self.counts[np.flatnonzero(labels == t)].sum(axis=0), dtype=np.float64).ravel()
        total = row.sum()
        return np.sqrt(row / total) * idf if total else row

    def keywords(self, labels: np.ndarray, wanted: Sequence[int]) -> dict[int, list[str]]:
        """Theme -> its top ``n_keywords`` keywords under ``labels`` (-1 is a class, as in BERTopic):
        c-TF-IDF of the classes wanted only (:meth:`ctfidf_row`), not of every class."""
        idf = self.idf(labels)
        out = {}
        for t in wanted:
            row = self.ctfidf_row(labels, t, idf)
            top = np.argsort(-row, kind="stable")[:TOP_WORDS]
            words = [(str(self.words[j]), float(row[j])) for j in top if row[j] > 0]
            ranked = self.coverage.rank(words, [self.analyzed[i] for i in np.flatnonzero(labels == t)])
            out[int(t)] = pick_keywords(ranked, self.n_keywords)
        return out

    def coverage_of(self, labels: np.ndarray, wanted: Sequence[int]) -> dict[int, float]:
        """Theme -> share of its statements that use one of its five main keywords."""
        kws = self.keywords(labels, wanted)
        return {int(t): coverage_of_words(kws[int(t)][:5], [self.singular[i] for i in np.flatnonzero(labels == t)])
                for t in wanted}

    def coherent(self, labels: np.ndarray, wanted: Sequence[int], min_size: int, share: float) -> dict[int, bool]:
        """Theme -> whether it passes the stage's test: at least ``min_size`` statements and
        ``share`` of them using one of its five main keywords."""
        sizes = np.bincount(labels[labels >= 0])
        return {t: sizes[t] >= min_size and c >= share for t, c in self.coverage_of(labels, wanted).items()}


def rescue(space: np.ndarray, labels: np.ndarray, words: ThemeWords, seed: int,
           min_size: int = MIXED_MIN_SIZE, share: float = MIXED_KEYWORD_SHARE) -> tuple[np.ndarray, dict]:
    """(new labels, what was done). ``space``: unit vectors the centroids live in; ``labels``:
    the fit's (-1 = other), themes 0..k-1. New themes are numbered from k on."""
    from sklearn.cluster import KMeans

    labels = np.asarray(labels).copy()
    k = int(labels.max()) + 1 if labels.size and labels.max() >= 0 else 0
    report = {"catch_alls": 0, "promoted": [], "moved": 0}
    if k == 0:
        return labels, report
    sizes = np.bincount(labels[labels >= 0], minlength=k)
    cov0 = words.coverage_of(labels, [t for t in range(k) if sizes[t] >= min_size])
    mixed = [t for t, c in cov0.items() if c < share]
    # a promoted part must be as focused as this fit's typical theme (the median coverage of the
    # themes that pass): parts that only just pass were remarks like "Central south.", "I hope so."
    typical = float(np.median([c for c in cov0.values() if c >= share] or [1.0]))
    report["catch_alls"] = len(mixed)
    nxt = k
    rng = np.random.default_rng(seed)
    for c in mixed:
        idx = np.flatnonzero(labels == c)
        chance = _by_chance(labels, idx, words, nxt, rng)
        best, best_n = None, 0.0
        for n_sub in SPLITS:
            if len(idx) < n_sub * min_size:
                break
            sub = KMeans(n_clusters=n_sub, n_init=4, random_state=seed).fit_predict(space[idx])
            trial = labels.copy()
            trial[idx] = sub + nxt
            cov = words.coverage_of(trial, range(nxt, nxt + n_sub))
            sizes_sub = np.bincount(sub, minlength=n_sub)
            passed = [j for j in range(n_sub) if sizes_sub[j] >= min_size and cov[nxt + j] >= share
                      and cov[nxt + j] >= typical and cov[nxt + j] >= CHANCE_FACTOR * chance(int(sizes_sub[j]))]
            # the statements its words name, weighted by how focused it is: a split that pulls in
            # remarks using none of its words scores less than a tighter one naming as many
            score = sum(sizes_sub[j] * cov[nxt + j] ** 2 for j in passed)
            if score > best_n + 1e-9:
                best, best_n = (sub, passed), score
        if best is None:
            continue
        sub, passed = best
        for j in passed:
            labels[idx[sub == j]] = k + len(report["promoted"])
            report["promoted"].append(int((sub == j).sum()))
    nxt = k + len(report["promoted"])
    subjects = [t for t in range(nxt) if t not in mixed]
    if mixed and subjects:
        cents = centroids_of(space, labels, nxt)
        own = {t: float(np.median(space[labels == t] @ cents[t])) for t in subjects if np.any(labels == t)}
        subjects = [t for t in subjects if t in own]
        left = np.flatnonzero(np.isin(labels, mixed))
        if len(left) and subjects:
            sims = normalize(space[left]) @ cents[subjects].T
            best = sims.argmax(axis=1)
            floor = np.array([own[t] for t in subjects])
            move = sims[np.arange(len(left)), best] >= floor[best]
            labels[left[move]] = np.asarray(subjects)[best[move]]
            report["moved"] = int(move.sum())
    used = [t for t in range(nxt) if np.any(labels == t)]  # a catch-all split whole leaves a gap
    index = np.full(nxt + 1, -1)
    index[used] = np.arange(len(used))
    return index[labels], report


def _by_chance(labels: np.ndarray, idx: np.ndarray, words: ThemeWords, free: int, rng, draws: int = CHANCE_DRAWS):
    """size -> the mean keyword coverage of ``draws`` random parts of that size of the catch-all
    ``idx`` (each tested as a theme of its own, label ``free``): a small group finds five words
    a quarter of it shares by chance alone, so a sub-cluster has to do clearly better."""
    seen: dict[int, float] = {}

    def chance(size: int) -> float:
        if size not in seen:
            total = 0.0
            for _ in range(draws):
                trial = labels.copy()
                trial[rng.choice(idx, size=size, replace=False)] = free
                total += words.coverage_of(trial, [free])[free]
            seen[size] = total / draws
        return seen[size]
    return chance

"""Pure scoring functions for themes: agreement with labels, coherence, diversity."""
from __future__ import annotations

import itertools
import math
from typing import Sequence

import numpy as np
from sklearn.metrics import (adjusted_mutual_info_score, adjusted_rand_score,
                             normalized_mutual_info_score)


def agreement(labels_true: Sequence, labels_pred: Sequence[int]) -> dict[str, float]:
    """ARI, AMI and NMI; outliers (-1) count as one cluster of their own."""
    return {
        "ari": float(adjusted_rand_score(labels_true, labels_pred)),
        "ami": float(adjusted_mutual_info_score(labels_true, labels_pred)),
        "nmi": float(normalized_mutual_info_score(labels_true, labels_pred)),
    }


def npmi(topics: Sequence[Sequence[str]], documents: Sequence[str], analyzer,
         top_n: int = 10) -> float:
    """Mean NPMI coherence of each topic's top ``top_n`` words, by document co-occurrence.

    ``analyzer`` turns a document into tokens (e.g. a CountVectorizer's
    ``build_analyzer()``); a multi-word keyword counts as present when all its words
    are. Pairs never seen together score -1; the mean is over topics with >= 2 words.
    """
    doc_sets = [set(analyzer(d)) for d in documents]
    n = len(doc_sets)
    if n == 0:
        return float("nan")
    cache: dict[str, np.ndarray] = {}

    def presence(word: str) -> np.ndarray:
        if word not in cache:
            parts = word.split()
            cache[word] = np.fromiter((all(p in s for p in parts) for s in doc_sets), bool, n)
        return cache[word]

    scores = []
    for words in topics:
        words = list(words)[:top_n]
        pair_scores = []
        for a, b in itertools.combinations(words, 2):
            pa, pb = presence(a), presence(b)
            p_a, p_b = pa.mean(), pb.mean()
            p_ab = (pa & pb).mean()
            if p_ab == 0 or p_a == 0 or p_b == 0:
                pair_scores.append(-1.0)
            elif p_ab == 1.0:
                pair_scores.append(1.0)
            else:
                pair_scores.append(math.log(p_ab / (p_a * p_b)) / -math.log(p_ab))
        if pair_scores:
            scores.append(float(np.mean(pair_scores)))
    return float(np.mean(scores)) if scores else float("nan")


def diversity(topics: Sequence[Sequence[str]], top_n: int = 25) -> float:
    """Share of unique words among every topic's top ``top_n`` words (BERTopic paper)."""
    words = [w for t in topics for w in list(t)[:top_n]]
    return float(len(set(words)) / len(words)) if words else float("nan")


def outlier_share(labels: Sequence[int]) -> float:
    labels = np.asarray(labels)
    return float(np.mean(labels == -1)) if labels.size else 0.0

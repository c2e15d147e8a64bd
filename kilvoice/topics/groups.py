"""Which themes form a group (``P01``...): average linkage of the theme centroids into about
sqrt(k) groups (cosine), a catch-all kept out of them unless ``group_catch_alls``.

Average linkage puts every theme somewhere, a catch-all ("Mixed: ...", or a one-answer theme
such as '"Nothing"') too: its centroid sits near the middle of everything, so on real mixed
notes it joined a group of unrelated themes ("Phone calls, Higher education and 6 more").
Without ``group_catch_alls`` a catch-all is shown alone: it has no subject to share. A theme
whose mean similarity to the rest of its group is low leaving the group was tried too and
left out: it did not raise the share of grouped pairs of themes with the same analysts' label
(docs/PERFORMANCE.md, "titles21d").
"""
from __future__ import annotations

import numpy as np


def form_groups(centroids: np.ndarray, catch_all: list[bool], group_catch_alls: bool = True) -> list[list[int]]:
    """Groups of theme positions (rows of ``centroids``), in position order; a theme kept out of
    the groups is a group of one."""
    from sklearn.cluster import AgglomerativeClustering

    n_parents = max(2, int(round(np.sqrt(len(centroids)))))
    labels = AgglomerativeClustering(n_clusters=n_parents, metric="cosine", linkage="average").fit_predict(centroids)
    groups: dict[int, list[int]] = {}
    for pos, g in enumerate(labels):
        groups.setdefault(int(g), []).append(pos)
    if group_catch_alls:
        return list(groups.values())
    out = []
    for members in groups.values():
        kept = [p for p in members if not catch_all[p]]
        out += ([kept] if kept else []) + [[p] for p in members if catch_all[p]]
    return out


def merge_by_depth(lists: list[list[str]], last: list[bool], depth: int) -> list[str]:
    """The first words of each list, then the second of each..., down to ``depth``, without
    repeats. Lists flagged in ``last`` (catch-all themes) come after all the others: a group is
    named by its children with a subject, not after the one without one."""
    out: list[str] = []
    for later in (False, True):
        for d in range(depth):
            for words, flag in zip(lists, last):
                if flag == later and d < len(words) and words[d] not in out:
                    out.append(words[d])
    return out

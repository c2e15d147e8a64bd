"""Theme links an officer can trust: which of a theme's candidate items become links, which
only "possible" links, and how to count whether they are right.

The map stage first finds a theme's *candidates* as ``kilvoice.map.zeroshot.v1`` always did
(the theme scores at least the framework's floor and within the margin of its best item, or
>= 20% of its statements link to the item; and at least one of its statements does). On
held-out data only half of those were right, so :func:`decide` keeps as links only the
candidates a :class:`ThemeLinkRule` trusts and marks the others ``possible``: shown in the
report beside the links, never counted as coverage, and made links by an officer who accepts
them. The rule's settings were chosen leave-one-dataset-out (``benchmarks/themelinks_bench.py``,
docs/PERFORMANCE.md, "Theme links").

:func:`score_links` is the measure: a theme's link is right when the item is the theme's
majority category or a category holding at least ``RIGHT_SHARE`` of the theme's statements.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, fields

import numpy as np

from kilvoice.errors import KilvoiceError
from kilvoice.records import LINK, POSSIBLE
RIGHT_SHARE = 0.3
METRICS = ("vote", "share", "score")
SIGNALS = ("vote", "title", "corpus")  # what ``agree_with`` can name


@dataclass(frozen=True)
class ThemeLinkRule:
    """When a candidate becomes a link.

    metric : what ranks a theme's candidates. ``vote``: share of the theme's statements whose
        best-scoring item it is; ``share``: share of its statements linked to the item;
        ``score``: the theme's own score minus the framework's floor.
    min_value : a link needs at least this value.
    min_margin : the top candidate needs this lead over the theme's runner-up item.
    max_links : at most this many links per theme (the top ``max_links`` by ``metric``); a
        second or later link needs ``min_value`` (and ``min_vote``) only.
    min_vote : a link also needs this share of the theme's statements to have the item as their
        best-scoring item (0: no such test).
    agree_with : the leader by ``metric`` links only if it also leads each of these signals
        (its lineage does): ``vote``, the item most of the theme's statements score highest;
        ``title``, the item the theme's own title + keywords score highest; ``corpus``, the item
        most of its statements are given by the run's own item prototypes
        (:func:`kilvoice.mapping.prototypes.corpus_votes`). A theme whose signals name different
        items gets possible links only. The test compares items with each other, not cosines
        with a threshold, so it means the same under any embedder.
    """

    # the defaults are the calibrated rule, chosen leave-one-dataset-out (docs/PERFORMANCE.md, "Theme links")
    metric: str = "score"
    min_value: float = 0.1
    min_margin: float = 0.04
    max_links: int = 1
    min_vote: float = 0.2
    agree_with: tuple[str, ...] = ()

    def __post_init__(self):
        if self.metric not in METRICS:
            raise KilvoiceError("K520", problem=f"metric {self.metric!r} is not known")
        for name in ("min_value", "min_margin", "min_vote"):
            if isinstance(getattr(self, name), bool) or not isinstance(getattr(self, name), (int, float)):
                raise KilvoiceError("K520", problem=f"{name} = {getattr(self, name)!r} is not a number")
        if isinstance(self.max_links, bool) or not isinstance(self.max_links, int) or self.max_links < 1:
            raise KilvoiceError("K520", problem=f"max_links = {self.max_links!r} is not a whole number >= 1")
        if isinstance(self.agree_with, str) or not all(a in SIGNALS for a in self.agree_with):
            raise KilvoiceError("K520", problem=f"agree_with = {self.agree_with!r} is not a list of "
                                                f"{' / '.join(map(repr, SIGNALS))}")
        object.__setattr__(self, "agree_with", tuple(self.agree_with))  # a TOML array is a list

    @classmethod
    def from_settings(cls, settings: dict) -> "ThemeLinkRule":
        """A rule from a pipeline file's ``theme_links`` table; unknown keys raise K520."""
        unknown = sorted(set(settings) - {f.name for f in fields(cls)})
        if unknown:
            raise KilvoiceError("K520", problem=f"unknown setting {', '.join(map(repr, unknown))}")
        return cls(**settings)


CALIBRATED_SETTINGS = asdict(ThemeLinkRule())
# kilvoice.map.learned.v4's rule for runs on the ONNX MiniLM embedder: chosen on the static and the
# ONNX embedders' scores together (``themelinks_bench.py --embedder static,onnx``; a rule chosen on
# ONNX scores alone did not hold leave-one-dataset-out). Score >= floor + 0.1, 0.02 above the
# runner-up, >= 40% of the theme's statements voting for it (docs/PERFORMANCE.md, "Theme links on
# both embedders").
BOTH_EMBEDDERS_SETTINGS = asdict(ThemeLinkRule(min_margin=0.02, min_vote=0.4))
# kilvoice.map.learned.v6's rule, for every embedder: a theme links to the candidate it scores
# highest (>= floor + 0.05) only when the item most of its statements score highest and the item its
# title + keywords score highest are the same one. Chosen leave-one-dataset-out on both embedders,
# counting the links of themes whose category is missing from the framework as wrong
# (``themelinks_bench.py --embedder static,onnx --family agree --gaps``; docs/PERFORMANCE.md, "links19b").
AGREEMENT_SETTINGS = asdict(ThemeLinkRule(min_value=0.05, min_margin=0.0, min_vote=0.0,
                                          agree_with=("vote", "title")))


# kilvoice.map.learned.v7's rule, for every embedder: v6's, with the run's own item prototypes in
# place of the raw vote: the best-scoring candidate (>= the floor) links only when the item most
# of the theme's statements are given by the prototypes read from the run's clearest statements
# (per-item standardised scores, self-trained) and the item its title + keywords score highest are
# that item too. Every fold chose it leave-one-dataset-out on both embedders (``themelinks_bench.py
# --embedder static,onnx --family corpus``; docs/PERFORMANCE.md, "links19c").
CORPUS_SETTINGS = asdict(ThemeLinkRule(min_value=0.0, min_margin=0.0, min_vote=0.0, agree_with=("corpus", "title")))


def theme_features(T: np.ndarray, floor: float, S: np.ndarray, chosen: np.ndarray,
                   members: list[list[int]], title: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each metric of :class:`ThemeLinkRule` for every (theme, item), shape (n_themes, n_items).

    ``T``: theme scores; ``S``/``chosen``: statement scores and links; ``members``: each theme's
    statement rows; ``title``: the scores of each theme's own title + keywords (then also the
    ``title`` signal, minus the floor). A theme without statements has vote and share 0.
    """
    n_themes, n_items = T.shape
    vote = np.zeros((n_themes, n_items))
    share = np.zeros((n_themes, n_items))
    for k, rows in enumerate(members):
        if rows and n_items:
            best = S[rows].argmax(axis=1)
            vote[k] = np.bincount(best, minlength=n_items) / len(rows)
            share[k] = chosen[rows].sum(axis=0) / len(rows)
    out = {"vote": vote, "share": share, "score": T - floor}
    if title is not None:
        out["title"] = title - floor
    return out


def lineage(parents: list[int | None]) -> np.ndarray:
    """``related[i, j]``: items i and j are the same item or one is an ancestor of the other."""
    related = np.eye(len(parents), dtype=bool)
    for j, p in enumerate(parents):
        while p is not None:
            related[j, p] = related[p, j] = True
            p = parents[p]
    return related


def decide(values: np.ndarray, candidates: np.ndarray, rule: ThemeLinkRule, votes: np.ndarray | None = None,
           related: np.ndarray | None = None, signals: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Per (theme, item): 2 link, 1 possible, 0 neither. Links and possibles are both candidates.

    ``values``: the rule's metric; ``candidates``: the boolean candidate matrix; ``votes``: the
    ``vote`` feature (needed when ``rule.min_vote`` > 0); ``related``: :func:`lineage` of a
    hierarchical framework. A parent and its child are one *lineage*: the runner-up is the best
    item outside the leader's lineage, ``max_links`` counts lineages, votes count for the whole
    lineage, and an item of a linked lineage that passes the tests links too (rolling up would
    add the parent anyway). ``signals``: the matrices ``rule.agree_with`` names (``vote`` may
    come from ``votes``); the leader links only if each signal's top item is in its lineage."""
    status = candidates.astype(np.int8)
    n_items = values.shape[1] if values.ndim == 2 else 0
    related = np.eye(n_items, dtype=bool) if related is None else related
    if rule.min_vote > 0:  # a statement voting for a child item votes for its lineage
        if votes is None:
            raise ValueError("decide() needs votes when the rule has min_vote > 0")
        candidates = candidates & (votes @ related.astype(float) >= rule.min_vote)
    agree = _signals(rule, votes, signals)
    for k in range(values.shape[0]):
        heads: list[int] = []  # the best item of each lineage met so far
        linked: list[int] = []
        for j in np.argsort(-values[k], kind="stable"):
            ok = bool(candidates[k, j]) and values[k, j] >= rule.min_value
            if any(related[h, j] for h in heads):
                if ok and any(related[h, j] for h in linked):
                    status[k, j] = 2
                continue
            if len(heads) >= rule.max_links:
                continue
            heads.append(j)
            if len(heads) == 1:
                others = values[k, ~related[j]]
                if not (ok and values[k, j] - (others.max() if others.size else 0.0) >= rule.min_margin):
                    break  # no clear leader: every candidate stays possible
                if any(m[k, related[j]].max() < m[k].max() for m in agree):
                    break  # the signals name another item: every candidate stays possible
            if ok:
                status[k, j] = 2
                linked.append(j)
    return status


def _signals(rule: ThemeLinkRule, votes: np.ndarray | None,
             signals: dict[str, np.ndarray] | None) -> list[np.ndarray]:
    """The matrices of the signals ``rule.agree_with`` names (``vote``: ``votes`` unless given)."""
    signals = {**({"vote": votes} if votes is not None else {}), **(signals or {})}
    missing = [name for name in rule.agree_with if name not in signals]
    if missing:
        raise ValueError(f"decide() needs the {', '.join(missing)} signal for this rule")
    return [np.asarray(signals[name]) for name in rule.agree_with]


def label_shares(labels: list[str]) -> dict[str, float]:
    """Each label's share of a theme's statements."""
    counts = Counter(labels)
    return {lab: n / len(labels) for lab, n in counts.items()} if labels else {}


def score_links(linked: dict[str, list[str]], theme_labels: dict[str, list[str]],
                right_share: float = RIGHT_SHARE) -> dict:
    """Precision of theme links and the share of themes linked to their majority category.

    ``linked``: theme id -> item ids linked (item ids are the category labels);
    ``theme_labels``: theme id -> the true label of each of its statements. Themes without
    statements are not counted. A link is right when its item is the theme's majority category
    (ties: any of them) or holds >= ``right_share`` of the theme's statements.
    """
    n_links = right = themes = majority_hit = themes_linked = 0
    for tid, labels in theme_labels.items():
        shares = label_shares(labels)
        if not shares:
            continue
        themes += 1
        top = max(shares.values())
        majority = {lab for lab, s in shares.items() if s == top}
        items = linked.get(tid, [])
        themes_linked += bool(items)
        majority_hit += bool(majority & set(items))
        for item in items:
            n_links += 1
            right += item in majority or shares.get(item, 0.0) >= right_share
    return {"precision": round(right / n_links, 4) if n_links else None,
            "majority_share": round(majority_hit / themes, 4) if themes else None,
            "n_links": n_links, "n_right": right, "n_themes": themes, "n_majority": majority_hit,
            "n_themes_linked": themes_linked}


__all__ = ["AGREEMENT_SETTINGS", "BOTH_EMBEDDERS_SETTINGS", "CALIBRATED_SETTINGS", "CORPUS_SETTINGS", "LINK", "POSSIBLE", "RIGHT_SHARE", "ThemeLinkRule", "decide", "label_shares",
           "lineage", "score_links", "theme_features"]

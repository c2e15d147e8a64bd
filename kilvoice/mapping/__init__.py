"""Map themes and statements onto framework items: the ``map`` stage.

Two registered stages (see docs/FRAMEWORKS.md):

* ``kilvoice.map.zeroshot.v1`` scores every statement and theme against every item of each
  framework from the framework file alone (:mod:`kilvoice.mapping.zeroshot`); officer decisions
  passed as ``confirmed`` override the links they name.
* ``kilvoice.map.learned.v1`` does the same, then trains a :class:`~kilvoice.mapping.learned.LearnedMapper`
  per framework on the officer decisions (zero-shot scores as a prior) and re-scores statements
  with it. With no decisions it behaves exactly like the zero-shot stage.
* ``kilvoice.map.learned.v2`` likewise, with a :class:`~kilvoice.mapping.hybrid.HybridMapper`
  on embeddings + word n-grams, self-trained on the run's undecided statements.
* ``kilvoice.map.zeroshot.v2`` and ``kilvoice.map.learned.v3``: v1 and v2 with calibrated theme
  links (:mod:`kilvoice.mapping.themelinks`): a theme's weaker candidates become ``possible``
  links, which officers can accept; links from officers' decisions are kept as they are.
* ``kilvoice.map.learned.v4``: v3, but a run embedded by the ONNX MiniLM model (``onnx.v1``, or
  ``auto.v1`` when it picks ONNX) gets the theme-link rule chosen on the static and the ONNX
  embedders' scores together (``themelinks.BOTH_EMBEDDERS_SETTINGS``); v3's rule, calibrated on
  static scores alone, loses precision there.
* ``kilvoice.map.learned.v5``: v4 with :class:`~kilvoice.mapping.hybrid5.Hybrid5Mapper`: when
  every confirmed statement was confirmed for one item only, each statement gets its best item
  only (docs/PERFORMANCE.md, "map19").
* ``kilvoice.map.learned.v6``: v4's mapper; every run's theme links by one rule that compares
  items rather than cosines: the theme's best-scoring candidate links when the item most of its
  statements score highest and the item its title + keywords score highest are that item too
  (``themelinks.AGREEMENT_SETTINGS``; docs/PERFORMANCE.md, "links19b").
* ``kilvoice.map.learned.v7``: v6 with the ``corpus`` signal in place of the raw vote: each
  statement's item by prototypes the run's own clearest statements give each item (scores
  standardised per item over the run, a logistic regression on each item's seeds:
  :mod:`kilvoice.mapping.prototypes`); the leader links when that vote and the title agree on it
  (``themelinks.CORPUS_SETTINGS``; docs/PERFORMANCE.md, "links19c").

``run`` returns ``(links, rejects, info)``; ``info`` is built by :mod:`kilvoice.mapping.gaps`.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np

from kilvoice.errors import KilvoiceError
from kilvoice.frameworks import Framework, load_frameworks
from kilvoice.mapping import themelinks as tl
from kilvoice.mapping import zeroshot as zs
from kilvoice.mapping.gaps import summarise
from kilvoice.mapping.prototypes import check_settings, corpus_votes
from kilvoice.records import Assignment, Link, Reject, Statement, Theme
from kilvoice.registry import register

STAGE = "map"
THEME_TEXT_WEIGHT = 0.3  # weight of the theme's own title+keywords against its statements' centroid
THEME_SHARE = 0.2  # a theme also links when this share of its statements (and >= 2) link to the item


class ZeroShotMapper:
    """The map stage. Settings come from the pipeline file's ``[map]`` section."""

    name = "kilvoice.map.zeroshot.v1"

    def __init__(self, frameworks: Sequence = ("keep-it-local",), threshold: float | None = None,
                 z: float = zs.DEFAULT_Z, margin: float = zs.DEFAULT_MARGIN, max_items: int = 3,
                 min_floor: float = zs.DEFAULT_MIN_FLOOR, max_evidence: int = 10,
                 theme_links: dict | None = None, theme_links_by_model: dict | None = None,
                 corpus_prototypes: dict | None = None):
        self.frameworks = list(frameworks)
        # settings of the ``corpus`` theme-link signal (prototypes.check_settings; None: its defaults)
        self.corpus_prototypes = corpus_prototypes
        # None: every candidate is a link (v1); else ThemeLinkRule settings (see themelinks.py)
        self.theme_links = theme_links
        # {model_id prefix: ThemeLinkRule settings}: the rule for runs embedded by that model
        self.theme_links_by_model = theme_links_by_model
        self.candidates_: dict[str, dict] = {}
        self._normalised = False  # during run: the statement vectors given to the scores are normalised already
        self.threshold = threshold
        self.z = z
        self.margin = margin
        self.max_items = max_items
        self.min_floor = min_floor
        self.max_evidence = max_evidence

    # -- scoring hooks (the learned stage overrides ``statement_scores``) --------------------
    def statement_scores(self, framework: Framework, index: zs.ItemIndex, vectors: np.ndarray,
                         statement_ids: list[str], confirmed: list[dict]) -> tuple[np.ndarray, float, dict]:
        scores = zs.score_matrix(vectors, index, normalised=getattr(self, "_normalised", False))
        floor = self.threshold if self.threshold is not None else zs.calibrated_floor(scores, self.z, self.min_floor)
        return scores, floor, {"method": "zero-shot"}

    # -- the stage --------------------------------------------------------------------------
    def run(self, themes: list[Theme], assignments: list[Assignment], statements: list[Statement],
            embeddings: np.ndarray, embedder, conversations: dict[str, dict] | None = None,
            confirmed: list[dict] | None = None, consume: bool = False) -> tuple[list[Link], list[Reject], dict]:
        """``consume``: the caller hands ``embeddings`` over (the pipeline, which needs them no
        more): they are normalised in place instead of copied (a million 256-d statements: 1 GB),
        and, when no officer decision can train a model on them, normalised once more in place
        after the theme vectors are taken, for the scores and closest phrases (which normalised
        their own copy of every row: another 1 GB per framework). The same numbers either way."""
        frameworks = load_frameworks(self.frameworks)
        confirmed = list(confirmed or [])
        rejects: list[Reject] = []
        vectors = zs.normalise(embeddings, in_place=consume) if len(statements) else np.zeros((0, 1), dtype=np.float32)
        if len(statements) != vectors.shape[0]:
            raise ValueError(f"{len(statements)} statements but {vectors.shape[0]} embedding rows")
        stmt_ids = [s.id for s in statements]
        row = {sid: i for i, sid in enumerate(stmt_ids)}
        members: dict[str, list[int]] = defaultdict(list)
        for a in assignments:
            if a.statement_id in row:
                members[a.theme_id].append(row[a.statement_id])
        in_parent: dict[str, set[int]] = {}
        for t in themes:  # a parent theme's statements are its children's
            if t.parent and t.parent != t.id:
                seen = in_parent.setdefault(t.parent, set(members[t.parent]))
                for r in members.get(t.id, []):
                    if r not in seen:  # a set: the list test made this quadratic (91k statements: ~15 s)
                        seen.add(r)
                        members[t.parent].append(r)
        theme_vecs = self._theme_vectors(themes, members, vectors, embedder)  # (blended, title alone)
        # from here the statements' rows are only scored and matched to phrases, each of which
        # normalises them first, unless a learned stage trains on them (it needs them as they are)
        if consume and not confirmed and len(stmt_ids):
            vectors, self._normalised = zs.normalise(vectors, in_place=True), True
        try:
            links, thresholds = self._link_all(frameworks, embedder, themes, theme_vecs, members, vectors,
                                               stmt_ids, confirmed, rejects)
        finally:
            self._normalised = False
        info = summarise(frameworks, themes, links, statements, conversations or {}, thresholds)
        info["warnings"] = [w for fw in frameworks for w in fw.warnings]
        return links, rejects, info

    def _link_all(self, frameworks, embedder, themes, theme_vecs, members, vectors, stmt_ids, confirmed,
                  rejects) -> tuple[list[Link], dict]:
        links: list[Link] = []
        thresholds: dict[str, dict] = {}
        for fw in frameworks:
            index = zs.build_index(fw, embedder)
            S, floor, method = self.statement_scores(fw, index, vectors, stmt_ids, confirmed)
            chosen = zs.select(S, floor, self.margin, self.max_items) if len(stmt_ids) else np.zeros(S.shape, bool)
            chosen = _apply_decisions(chosen, S, fw, confirmed, "statement_id", stmt_ids, rejects)
            chosen, S = _roll_up(fw, chosen, S)
            thresholds[fw.id] = {"floor": round(float(floor), 4), "margin": self.margin,
                                 "max_items": self.max_items, **method}
            rows, cols = np.nonzero(chosen)
            closest = zs.closest_phrase_each(vectors, index, rows, cols, normalised=getattr(self, "_normalised", False))
            rationale = {p: "closest: " + p for p in set(closest)}  # one string per phrase, not per link
            for i, j, phrase in zip(rows, cols, closest):
                links.append(Link("statement", stmt_ids[i], fw.id, fw.items[j].id, round(float(S[i, j]), 4),
                                  [stmt_ids[i]], rationale[phrase]))
            links.extend(self._theme_links(fw, index, themes, theme_vecs, members, S, chosen, floor,
                                           stmt_ids, confirmed, rejects, self.theme_link_settings(embedder),
                                           vectors))
        return links, thresholds

    def _theme_vectors(self, themes, members, vectors, embedder) -> tuple[np.ndarray, np.ndarray]:
        """Each theme's vector (its statements' centroid blended with its title + keywords) and
        the vector of its title + keywords alone (the ``title`` signal of the theme-link rule)."""
        if not themes:
            empty = np.zeros((0, max(1, vectors.shape[1])), dtype=np.float32)
            return empty, empty
        own = zs.normalise(embedder.encode([f"{t.title}. {', '.join(t.keywords)}" for t in themes]))
        out = []
        for k, t in enumerate(themes):
            rows = members.get(t.id)
            if rows:
                centre = zs.normalise(vectors[rows].mean(axis=0))[0]
                out.append((1 - THEME_TEXT_WEIGHT) * centre + THEME_TEXT_WEIGHT * own[k])
            else:
                out.append(own[k])
        return zs.normalise(np.vstack(out)), own

    def theme_link_settings(self, embedder) -> dict | None:
        """The theme-link rule for a run embedded by ``embedder``: the first ``theme_links_by_model``
        entry whose key begins its ``model_id``, else ``theme_links``. (Cosines sit differently
        under different models, so a calibrated rule can be one model's.)"""
        model = str(getattr(embedder, "model_id", ""))
        for prefix, settings in (self.theme_links_by_model or {}).items():
            if model.startswith(prefix):
                return settings
        return self.theme_links

    def _theme_links(self, fw, index, themes, vecs, members, S, chosen, floor, stmt_ids,
                     confirmed, rejects, settings, vectors=None) -> list[Link]:
        if not themes:
            return []
        theme_vecs, title_vecs = vecs
        T = zs.score_matrix(theme_vecs, index)
        by_score = zs.select(T, floor, self.margin, self.max_items)
        theme_ids = [t.id for t in themes]
        for k, t in enumerate(themes):
            rows = members.get(t.id, [])
            if rows:
                share = chosen[rows].sum(axis=0) / len(rows)
                by_score[k] |= (share >= THEME_SHARE) & (chosen[rows].sum(axis=0) >= 2)
                # a theme links to an item only if at least one of its own statements does:
                # similarity of the theme as a whole is not evidence an officer can check
                by_score[k] &= chosen[rows].sum(axis=0) >= 1
        status = by_score.astype(np.int8) * 2
        if settings is not None:
            rows_of = [members.get(t.id, []) for t in themes]
            features = tl.theme_features(T, floor, S, chosen, rows_of, zs.score_matrix(title_vecs, index))
            rule = tl.ThemeLinkRule.from_settings(settings)
            if "corpus" in rule.agree_with and vectors is not None:  # the rows are normalised (run)
                features["corpus"] = corpus_votes(vectors, S, rows_of, self.corpus_prototypes)
            self.candidates_[fw.id] = {"themes": theme_ids, "candidates": by_score.copy(), "floor": floor,
                                       **features}
            cols = {iid: j for j, iid in enumerate(fw.item_ids)}
            related = tl.lineage([cols.get(it.parent) if it.parent else None for it in fw.items])
            status = tl.decide(features[rule.metric], by_score, rule, features["vote"], related, features)
        # officers' decisions win over both: accepted -> link, rejected -> neither link nor possible
        decided = _apply_decisions(status == 2, T, fw, confirmed, "theme_id", theme_ids, rejects)
        shown = _apply_decisions(status >= 1, T, fw, confirmed, "theme_id", theme_ids, []) | decided
        by_score, T = _roll_up(fw, shown, T)
        is_link, _ = _roll_up(fw, decided, T)
        out = []
        for k, j in zip(*np.nonzero(by_score)):
            t, item = themes[k], fw.items[j]
            if t.id == "other":  # the catch-all bucket is reviewed statement by statement, not linked
                continue
            rows = members.get(t.id, [])
            linked = [r for r in rows if chosen[r, j]]
            pool = linked or rows
            evidence = [stmt_ids[r] for r in sorted(pool, key=lambda r: -S[r, j])][: self.max_evidence]
            parts = []
            shared = zs.keyword_overlap(item.keywords, t.keywords)
            if shared:
                parts.append("shared keywords: " + ", ".join(shared[:4]))
            parts.append("closest: " + "; ".join(zs.closest_phrases(theme_vecs[k], index, j, 2)))
            if t.keywords:
                parts.append("theme keywords: " + ", ".join(t.keywords[:5]))
            if rows:
                parts.append(f"{len(linked)} of {len(rows)} statements linked")
            out.append(Link("theme", t.id, fw.id, item.id, round(float(T[k, j]), 4), evidence, " | ".join(parts),
                            tl.LINK if is_link[k, j] else tl.POSSIBLE))
        return out


def _apply_decisions(chosen: np.ndarray, scores: np.ndarray, fw: Framework, confirmed: list[dict],
                     key: str, ids: list[str], rejects: list[Reject]) -> np.ndarray:
    """Officer decisions win: accepted links are added, rejected ones removed."""
    if not confirmed:
        return chosen
    pos = {sid: i for i, sid in enumerate(ids)}
    cols = {iid: j for j, iid in enumerate(fw.item_ids)}
    chosen = chosen.copy()
    for d in confirmed:
        if d.get("framework_id") != fw.id or key not in d:
            continue
        if d.get("item_id") not in cols:
            rejects.append(Reject(STAGE, str(d.get(key)), "K115",
                                  KilvoiceError("K115", item=d.get("item_id"), framework=fw.id).message))
            continue
        i = pos.get(d[key])
        if i is None:
            continue
        chosen[i, cols[d["item_id"]]] = bool(d.get("accepted"))
    return chosen


def _roll_up(fw: Framework, chosen: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A link to a child item also links its parent (score: the larger of the two)."""
    cols = {iid: j for j, iid in enumerate(fw.item_ids)}
    if not any(it.parent for it in fw.items) or chosen.size == 0:
        return chosen, scores
    chosen, scores = chosen.copy(), scores.copy()
    for j, item in enumerate(fw.items):
        parent = item.parent
        while parent is not None:
            p = cols[parent]
            hit = chosen[:, j]
            scores[hit, p] = np.maximum(scores[hit, p], scores[hit, j])
            chosen[:, p] |= hit
            parent = fw.items[p].parent
    return chosen, scores


@register("kilvoice.map.zeroshot.v1")
def make_zeroshot(**settings) -> ZeroShotMapper:
    return ZeroShotMapper(**settings)


@register("kilvoice.map.zeroshot.v2")
def make_zeroshot_v2(**settings) -> ZeroShotMapper:
    stage = ZeroShotMapper(**{"theme_links": tl.CALIBRATED_SETTINGS, **settings})
    stage.name = "kilvoice.map.zeroshot.v2"
    return stage


@register("kilvoice.map.learned.v1")
def make_learned(**settings):
    from kilvoice.mapping.learned import LearnedStage

    return LearnedStage(**settings)


@register("kilvoice.map.learned.v2")
def make_learned_v2(**settings):
    from kilvoice.mapping.hybrid import HybridStage

    return HybridStage(**settings)


@register("kilvoice.map.learned.v3")
def make_learned_v3(**settings):
    from kilvoice.mapping.hybrid import HybridStage

    stage = HybridStage(**{"theme_links": tl.CALIBRATED_SETTINGS, **settings})
    stage.name = "kilvoice.map.learned.v3"
    return stage


@register("kilvoice.map.learned.v4")
def make_learned_v4(**settings):
    stage = make_learned_v3(**{"theme_links_by_model": {"onnx:": tl.BOTH_EMBEDDERS_SETTINGS}, **settings})
    stage.name = "kilvoice.map.learned.v4"
    return stage


@register("kilvoice.map.learned.v5")
def make_learned_v5(**settings):
    from kilvoice.mapping.hybrid5 import Hybrid5Stage

    stage = Hybrid5Stage(**{"theme_links": tl.CALIBRATED_SETTINGS,
                            "theme_links_by_model": {"onnx:": tl.BOTH_EMBEDDERS_SETTINGS}, **settings})
    stage.name = "kilvoice.map.learned.v5"
    return stage


@register("kilvoice.map.learned.v7")
def make_learned_v7(**settings):
    """v4's mapper with v6's agreement rule, the run's own item prototypes (``corpus``) in place of
    the raw vote (``themelinks.CORPUS_SETTINGS``; ``corpus_prototypes``: their settings)."""
    check_settings(settings.get("corpus_prototypes"))  # K760 at load, not after the theme stage
    stage = make_learned_v3(**{"theme_links": tl.CORPUS_SETTINGS, "theme_links_by_model": {}, **settings})
    stage.name = "kilvoice.map.learned.v7"
    return stage


@register("kilvoice.map.learned.v6")
def make_learned_v6(**settings):
    """v4's mapper with one theme-link rule for every embedder: a theme links to its best-scoring
    candidate only when its statements' vote and its title agree (``themelinks.AGREEMENT_SETTINGS``)."""
    stage = make_learned_v3(**{"theme_links": tl.AGREEMENT_SETTINGS, "theme_links_by_model": {}, **settings})
    stage.name = "kilvoice.map.learned.v6"
    return stage

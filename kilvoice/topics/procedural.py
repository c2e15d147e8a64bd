"""Themes of procedure and turn-taking, caught after the fit: the theme stage's second line
of defence behind the statement filter (:mod:`kilvoice.substantive`).

A transcript's chairing and courtesy lines take many forms no list of phrases foresees
("I thank the honourable member for her question", "a short question and a short answer").
The statement filter misses some; clustered together they become a theme whose main
keywords are the chair's words ("Member and question"). A theme is **procedural** when at
least half of its top 8 keywords are such words (:data:`CHAIRING`, the issue's definition;
"meeting" and "committee" are left out because residents' groups hold meetings and have
committees, and a theme about them is a subject). Of a procedural theme, the statements that
use one of its chairing keywords are left out of the themes (K708, counted under "What could
not be used") and the theme stage fits again without them; its other statements stay.

How it fits again (``[topics] procedural_refit``): ``"fit"`` (v1, v2) clusters the statements
left anew, so the other themes can change with the 70-odd statements left out (on one Senedd seed
the new fit held two catch-alls where the first held one); ``"keep"`` (v3) keeps the first fit's
other themes and "other" as they were and places only the procedural theme's remaining statements,
each in the theme whose centroid is nearest, or in "other" when it is below the stage's outlier
threshold and "other" is not yet at ``max_outlier_share`` (the fit's own rule; :func:`kept_labels`,
:class:`KeptThemes`). Keywords, titles and stability are then
computed on the kept themes exactly as after a fit.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from kilvoice.topics.components import centroids_of, normalize
from kilvoice.topics.model import ThemeModel

REFITS = ("fit", "keep")
PLACE = -2  # kept_labels: a statement of the procedural theme, placed by KeptThemes

CHAIRING = frozenset("""
question questions member members honourable hon chair chairman chairs thank thanks okay ok right fine
point points item items answer answers yes yeah sure absolutely indeed minister ministers amendment
amendments clause clauses intervention session evidence morning afternoon briefly short quick
supplementary supplementaries final ask asked asking answered repeat translation interpretation diolch
apologies welcome colleagues
friend friends gentleman switch order
""".split())
# ("bill" and "bills" are not: energy bills are a subject in residents' notes, and a bill committee's
# Bill is its subject; "friend", "gentleman", "switch" and "order" flip no theme of 873 distinct
# themes in sample, mix and Senedd reports: docs/PERFORMANCE.md, "westminster16")
TOP = 8
_WORD = re.compile(r"[a-z]+")


def chairing_keywords(keywords: Sequence[str]) -> set[str]:
    """The chairing words among a theme's top keywords when they are half or more of them
    (a multi-word keyword counts when every word is a chairing word); else an empty set."""
    top = list(keywords)[:TOP]
    hits = {k for k in top if set(_WORD.findall(k.lower())) and set(_WORD.findall(k.lower())) <= CHAIRING}
    return hits if top and len(hits) * 2 >= len(top) else set()


def procedural_members(themes, assignments, statements) -> dict[str, str]:
    """{statement id: theme id} of statements to leave out: primary members of a procedural
    theme that use one of its chairing keywords. ``themes`` are the stage's Theme records
    (groups and the "other" bucket are skipped), ``assignments`` its Assignment records."""
    words = {t.id: chairing_keywords(t.keywords) for t in themes if t.id.startswith("T")}
    words = {tid: {w for k in kw for w in _WORD.findall(k.lower())} for tid, kw in words.items() if kw}
    if not words:
        return {}
    text = {s.id: s.text for s in statements}
    out = {}
    for a in assignments:
        if a.primary and a.theme_id in words and a.statement_id not in out:
            if words[a.theme_id] & set(_WORD.findall(text.get(a.statement_id, "").lower())):
                out[a.statement_id] = a.theme_id
    return out


def chairing_only(title: str) -> bool:
    """Whether every word of ``title`` is a chairing word ("Answer", "Questions and evidence"):
    such a title names the meeting, not a subject."""
    words = set(_WORD.findall(title.lower())) - {"and", "of", "the", "a", "to", "on", "for"}
    return bool(words) and words <= CHAIRING


def kept_labels(themes, assignments, drop: dict[str, str]) -> dict[str, int]:
    """{statement id: label} for a refit that keeps the first fit's themes: each leaf theme a
    number (in the stage's order), "other" -1, a kept statement of a procedural theme
    :data:`PLACE`; statements in ``drop`` are left out."""
    procedural = set(drop.values())
    number = {t.id: i for i, t in enumerate(t for t in themes if t.id.startswith("T") and t.id not in procedural)}
    out = {}
    for a in assignments:
        if a.primary and a.statement_id not in drop:
            out[a.statement_id] = PLACE if a.theme_id in procedural else number.get(a.theme_id, -1)
    return out


class PlaceInThemes:
    """A clusterer whose clusters are given (``labels``, one per row, :data:`PLACE` for rows to
    place): each row to place joins the cluster whose centroid (in the space it is fitted on) is
    nearest by cosine, or "other" (-1) when that is below ``threshold``; as in the fit, "other"
    holds at most ``max_outlier_share`` of the rows, so beyond that the rows to place nearest a
    centroid join it anyway. Labels come out numbered 0..k-1 in the order given."""

    def __init__(self, labels, threshold: float, max_outlier_share: float = 1.0):
        self.labels = labels
        self.threshold = threshold
        self.max_outlier_share = max_outlier_share

    def fit(self, X, y=None):
        given = np.asarray(self.labels, dtype=int)
        if given.shape[0] != X.shape[0]:
            raise ValueError(f"{given.shape[0]} kept labels for {X.shape[0]} rows")
        kept = sorted(set(given.tolist()) - {-1, PLACE})
        labels = np.array([kept.index(v) if v >= 0 else v for v in given.tolist()], dtype=int)
        space = normalize(np.asarray(X, dtype=np.float64))
        place = np.where(labels == PLACE)[0]
        labels[place] = -1
        if kept and place.size:
            sims = space[place] @ centroids_of(space, labels, len(kept)).T
            best = sims.argmax(axis=1)
            top = sims[np.arange(place.size), best]
            labels[place] = best
            low = np.where(top < self.threshold)[0]
            room = max(int(np.floor(self.max_outlier_share * len(labels))) - int(np.sum(given == -1)), 0)
            labels[place[low[np.argsort(top[low], kind="stable")[:room]]]] = -1
        self.labels_ = labels
        self.n_clusters_ = len(kept)
        self.placed_ = {"statements": int(place.size), "to_themes": int(np.sum(labels[place] >= 0))}
        return self


class KeptThemes(ThemeModel):
    """The theme model with the clusters given (:class:`PlaceInThemes`) instead of clustered:
    the same reducer, BERTopic keywords and rescue as a fit. ``kept_labels_in`` (one label per
    fitted row) is set by :func:`kept_model`."""

    kept_labels_in = None

    def _components(self):
        reducer, _ = super()._components()
        return reducer, PlaceInThemes(self.kept_labels_in, float(self.outlier_threshold), float(self.max_outlier_share))


def kept_model(model: ThemeModel, kept: dict[str, int], ids: Sequence[str]) -> KeptThemes:
    """``model``'s settings with the clusters of ``kept`` ({statement id: label}) for the rows
    fitted, ``ids`` in the order the fit sees them (a statement not in ``kept`` is placed)."""
    out = KeptThemes(**model.get_params())
    out.kept_labels_in = [kept.get(i, PLACE) for i in ids]
    return out

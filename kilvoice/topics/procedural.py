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
"""
from __future__ import annotations

import re
from collections.abc import Sequence

CHAIRING = frozenset("""
question questions member members honourable hon chair chairman chairs thank thanks okay ok right fine
point points item items answer answers yes yeah sure absolutely indeed minister ministers amendment
amendments clause clauses intervention session evidence morning afternoon briefly short quick
supplementary supplementaries final ask asked asking answered repeat translation interpretation diolch
apologies welcome colleagues
""".split())
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

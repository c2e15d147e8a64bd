"""Theme titles, tenth version (the "phrases10" labeller): "nothing has improved" is a complaint.

phrases9's candidates, checks, scores, picking and catch-all names, with two changes
(docs/PERFORMANCE.md, "session32"):

- **what residents say of things that do not get better is a complaint**: ``said_stances`` decides
  "General praise", "Praise for ..." and "Mixed: mostly praise". phrases9 read "Nothing has improved
  since the pit closed" and "I can't see it getting any better" as praise (phrases7's denied want,
  "nothing ... improved"), so a theme of such statements could be titled "General praise" while its
  description, counted by stance ``cues.v4``, said mostly problems. A span that says nothing gets
  better (``kilvoice.topics.stance.said_gloom``: a negation and, in the same clause, a change that
  did not come; not a counterfactual such as "could not be improved") now counts as two problem
  cues, as ``cues.v4`` counts it, before phrases9 reads the rest;
- **a narrow title's theme says what else it holds**: when the title's words appear in fewer than
  the stage's MIXED_SHARE of a theme's statements, the description says so ("the title may be too
  narrow") and, with phrases9, said nothing more. It now also names the phrases most of its
  statements use, as every other theme's description does ("The title's words appear in only 6 of
  its 85 statements, which also mention bins (8), lanes (8) and lights (8): ..."), so an officer
  sees the breadth the title misses (the labeller's ``said_when_narrow``, read by the theme stage);
- **a word said as part of a phrase is listed as the phrase**: the description's "Also mentioned"
  listed "mental (25), mental health (24)", "Friends (5), Friends group (4)". A one-word phrase gives
  way to the longer phrase around it that MENTION_SHARE (two thirds) of its statements say, listed
  once with its own count ("mental health (24)"); a word said in other phrases too stays a word
  ("pandemic (11)", not "Covid-19 pandemic (6)"), and no phrase follows a word it ends in. The share was chosen by reading the samples' and a
  600-note mix's descriptions, not against a measure; titles do not depend on it.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from kilvoice.topics import phrases9
from kilvoice.topics.phrases import ScoredPhrase
from kilvoice.topics.phrases9 import catch_all_name, pick_titles, score_phrases, screen  # noqa: F401 - the parts
from kilvoice.topics.stance import lowered, said_gloom

candidates = phrases9.candidates
MENTION_SHARE = 2 / 3  # of a word's statements say the longer phrase: listed as that phrase
GLOOM_MARK = " problem problem "  # two problem cues for phrases7's reading, as cues.v4 counts the span


def said_stances(texts: Sequence[str]) -> dict[str, int]:
    """phrases9's ``said_stances``, each span that says nothing gets better read as a complaint."""
    out = Counter()
    for text in texts:
        low, _ = said_gloom(lowered(text), mark=GLOOM_MARK)
        out.update(phrases9.said_stances([low]))
    return dict(out)


def mentions(scored: list[ScoredPhrase], title_key: tuple[str, ...] | None, k: int = 3) -> list[tuple[str, int]]:
    """phrases' ``mentions`` (up to ``k`` phrases besides the title's, each adding a new word, most used
    first), a one-word phrase given way to the longer phrase around it that MENTION_SHARE of its
    statements say; the list most used first."""
    seen = set(title_key or ())
    out, listed = [], set()
    for sp in sorted(scored, key=lambda s: (-s.count, s.phrase.text)):
        if len(sp.phrase.key) == 1 and not sp.phrase.joined:
            word = sp.phrase.key[0]
            longer = [o for o in scored if len(o.phrase.key) > 1 and word in o.phrase.key and not o.phrase.joined
                      and o.count >= max(2, MENTION_SHARE * sp.count)]
            sp = max(longer, key=lambda o: (o.count, o.phrase.text), default=sp)
        if set(sp.phrase.key) <= seen or sp.phrase.joined or sp.phrase.key[-1] in listed:
            continue  # "Covid-19 pandemic" after "pandemic" says it again
        out.append((sp.phrase.text, sp.count))
        seen |= set(sp.phrase.key)
        listed.add(sp.phrase.key[-1])
        if len(out) == k:
            break
    return sorted(out, key=lambda m: -m[1])  # stable: ties keep their order

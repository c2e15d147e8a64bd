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
  sees the breadth the title misses (the labeller's ``said_when_narrow``, read by the theme stage).
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from kilvoice.topics import phrases9
from kilvoice.topics.phrases9 import catch_all_name, pick_titles, score_phrases, screen  # noqa: F401 - the parts
from kilvoice.topics.stance import said_gloom

candidates = phrases9.candidates
GLOOM_MARK = " problem problem "  # two problem cues for phrases7's reading, as cues.v4 counts the span


def said_stances(texts: Sequence[str]) -> dict[str, int]:
    """phrases9's ``said_stances``, each span that says nothing gets better read as a complaint."""
    out = Counter()
    for text in texts:
        low, _ = said_gloom((text or "").lower().replace("\u2019", "'"), mark=GLOOM_MARK)
        out.update(phrases9.said_stances([low]))
    return dict(out)

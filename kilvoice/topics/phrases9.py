"""Theme titles, ninth version (the "phrases9" labeller): a catch-all named by what it mostly says.

phrases8's candidates, checks, scores and picking, with these changes (docs/PERFORMANCE.md,
"titles21i"):

- **a catch-all named by the stance most of it says**: the theme stage calls a theme a catch-all
  ("Mixed: ...") when few of its statements use its main keywords, and phrases8's title then named
  one keyword ("Mixed: fault", from "could not fault them"), which tells an officer nothing of what
  it holds. When OPINION_SHARE of the catch-all's statements say a strength or a problem in so many
  words (``said_stances``) and STANCE_LEAN of those say the one, it is "Mixed: mostly praise"
  ("Mixed: mostly complaints"): the "Mixed" stays, since the theme still has no subject. Otherwise,
  or when an earlier catch-all took that title, phrases8's keyword stands. The two shares are
  phrases7's "General praise" ones, fixed before measuring (not tuned);
- **"nothing to improve" read as praise, a null answer as no stance**: "you could have not done
  anything better", "no change necessary", "nothing needs to change" are praise, and a whole answer
  such as "Cannot think of anything off hand" or "Nothing at the minute" says no stance (phrases7 read
  each as a problem, from its "not", "no", "nothing");
- **a problem word said negated is no subject**: a one-word candidate such as "fault" or "complaints"
  that NEGATED_SHARE of the theme's statements using it say negated, as praise ("could not fault"), is
  screened out: "Fault" titled themes of "Could not fault them";
- **"General praise" to the theme most nearly all praise**: of two themes offered phrases7's opinion
  title, the one whose statements say it in the larger share has it (phrases7: the larger theme);
- **a name is carried by its whole name**: phrases5 counts a candidate as carried by the statements
  that use its head noun, so "Pit Lane" (a street, named in 2 of the samples' 85 statements of street
  lighting, bins and litter) was carried by every "lane" and titled the samples' largest theme. A
  candidate whose head noun is written with a capital after its first word ("Pit Lane", "Kelvale
  General") is carried only by the statements that say the whole name (phrases5's CARRY_SHARE test).
  Tried and rejected: phrases5's ``ABSTRACT`` nouns ("lives", "life", "work") ranked with the general
  heads. It turned the samples' "Lives" (notes that open "Lives alone since ...") into "Loneliness", but
  an NHS theme of "it changed my life" (81 statements) into "Autistic spectrum" (docs/PERFORMANCE.md,
  "titles21i").
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from kilvoice.topics import phrases4, phrases5, phrases6, phrases7, phrases8
from kilvoice.topics.labels import _singular
from kilvoice.topics.phrases import Phrase

OPINION_SHARE = phrases7.OPINION_SHARE  # of a catch-all's statements say a strength or a problem
STANCE_LEAN = phrases6.STANCE_LEAN  # of those say the one
MOSTLY = {"strength": "mostly praise", "problem": "mostly complaints"}

NEGATED_SHARE = 0.5  # of the statements using a problem word say it negated, as praise: no subject
# the problem words residents negate to praise: "could not fault", "no complaints", "no problems"
NEGATED_WORDS = frozenset({"fault", "complaint", "problem", "issue", "concern", "improvement", "complain"})

candidates = phrases8.candidates


def _name(ph: Phrase) -> bool:
    """A name ("Pit Lane", "Kelvale General"): its head noun, not its first word, written with a capital."""
    words = ph.text.split()
    return len(words) > 1 and any(w[:1].isupper() and _singular(w.lower()) == ph.head for w in words[1:])


def score_phrases(cands: dict[tuple[str, ...], Phrase], members, postings, centroid, vectors):
    """phrases8's tiers and scores; a name carried (said whole) by fewer than phrases5's CARRY_SHARE of
    the statements the best-carried specific candidate is carried by ranks as not carried (see the
    module docstring)."""
    return rerank(phrases8.score_phrases(cands, members, postings, centroid, vectors))


def rerank(scored: list) -> list:
    """``score_phrases``' changes to phrases8's ranking (``ScoredPhrase`` tiers), in place."""
    best = max((sp.carried or 0 for sp in scored if sp.tier < phrases8.GENERAL), default=0)
    for sp in scored:
        if _name(sp.phrase) and sp.count < phrases5.CARRY_SHARE * best:
            sp.tier |= 1
    scored.sort(key=lambda sp: sp.tier)  # stable: phrases8's order within a tier stands
    return scored


def pick_titles(ranked, stances, sizes, reserved=()):
    """phrases8's picking, except that two themes offered "General praise" (phrases7's ``opinion``) are
    ranked by the share of their statements saying it, not by size: the theme that is most nearly all
    praise has it, and the other asks for its next title (a catch-all then "Mixed: mostly praise")."""
    offered = []
    for scored, stance, size in zip(ranked, stances, sizes):
        first = phrases7.opinion(scored, stance, size)
        if first is not None:
            first.score = first.count / max(size, 1)
        offered.append(([first] if first else []) + scored)
    return phrases4.pick_titles(offered, stances, sizes, reserved, options=phrases8.title_options)


def _praise_spans(low: str) -> str:
    """The parts of a lower-cased statement that say praise by negating a problem word."""
    return " ".join(m.group(0) for pattern in (phrases7.PRAISE_NEGATED, PRAISE_MORE) for m in pattern.finditer(low))


def screen(found: dict[tuple[str, ...], Phrase], texts: Sequence[str]) -> dict[tuple[str, ...], Phrase]:
    """phrases8's screen; a one-word candidate that is a problem word ("fault", "complaints") which at
    least NEGATED_SHARE of the theme's statements using it say negated, as praise ("could not fault
    them", "no complaints"), is no subject and no title: it says the theme's stance, which "General
    praise" or "Praise for ..." says when the theme leans that way."""
    out = phrases8.screen(found, texts)
    words = {key[0] for key in out if len(key) == 1 and key[0] in NEGATED_WORDS}
    lows = [t.lower().replace("\u2019", "'") for t in texts] if words else []
    for word in words:
        form = re.compile(r"\b" + word + r"\w*")
        using = [low for low in lows if form.search(low)]
        negated = sum(1 for low in using if form.search(_praise_spans(low)))
        if using and negated >= NEGATED_SHARE * len(using):
            del out[(word,)]
    return out

# ------------------------------------------------------------------ stance said
_NEG = r"(?:\bno|\bnot|\bnothing|n't|\bnever|\bcannot|\bnone|\bno ?one|\bno thing)"
_BETTER = r"\b(?:better|bettered|improved)\b(?!\s+than)"
# "nothing to improve", said in the words phrases7 did not read: praise
PRAISE_MORE = re.compile(
    r"\bcould(?:n'?t| not)? be bettered\b"  # "I don't think it could be bettered"
    r"|\bno need for (?:any(?:thing)? )?(?:better|change|improvement)"
    r"|\bno (?:changes?|improvements?) (?:is |are )?(?:necessary|needed|required)\b"
    r"|\bnothing\b[^.!?]{0,30}?\bneeds? (?:to )?(?:change|changing)\b"
    r"|\bno ?one could (?:have )?(?:do|done) (?:any )?better\b"
    # a negation and "could" / "can" / "would" before "better" in one sentence, either order: "you could
    # have not done anything better", "I don't feel anything could have been done better"
    r"|" + _NEG + r"\b[^.!?]{0,60}?\b(?:could|can|would)\b[^.!?]{0,40}?" + _BETTER
    + r"|\b(?:could|can|would)\b[^.!?]{0,20}?" + _NEG + r"\b[^.!?]{0,40}?" + _BETTER)
# a null answer to "what could be better?", whole: no stance ("Cannot think of anything off hand",
# "Nothing at the minute", "Isn't any", "No suggestions")
NULL_ANSWER = re.compile(
    r"^\W*(?:n/?a\W+)?(?:on this occasion\W+|at (?:the|this) (?:minute|moment|time)\W+)?"
    r"(?:absolutely |really |honestly |sorry,? )?"
    r"(?:nothing|none|no|no changes?|not much|not a (?:thing|lot)|isn'?t any|there isn'?t any(?:thing)?|nothing really"
    r"|(?:i )?can(?:'?t|not) think of (?:any(?:thing)?|a thing|any other thing)"
    r"|no (?:comments?|suggestions?|comment/complaint)(?: needed)?)"
    r"(?:\W+(?:else|i can think of|comes? to mind|springs? to mind|in my (?:case|opinion)|at (?:the|this) "
    r"(?:minute|moment|time)(?: in time)?|at present|off hand|in particular|particular|to add|to say|really"
    r"|at all|drastic|more|that i can think of|i can think of at (?:the|this) moment(?: in time)?))*\W*$")


def said_stances(texts: Sequence[str]) -> dict[str, int]:
    """phrases7's ``said_stances``; a null answer to "what could be better?" says no stance ("Cannot
    think of anything off hand", "Nothing at the minute": phrases7 read the "not" as a problem) and
    "nothing needs to change", "could not be bettered", "no change needed" are praise."""
    out = Counter()
    for text in texts:
        low = (text or "").lower().replace("\u2019", "'").strip()
        if NULL_ANSWER.match(low):
            continue
        if PRAISE_MORE.search(low):
            low = PRAISE_MORE.sub(" no complaints ", low)
        out.update(phrases7.said_stances([low]))
    return dict(out)


def catch_all_name(counts: dict[str, int] | None, size: int) -> str | None:
    """What a catch-all of ``size`` read statements mostly says, from their ``said_stances`` counts:
    "mostly praise" / "mostly complaints", or None when it does not lean one way."""
    counts = counts or {}
    said = counts.get("strength", 0) + counts.get("problem", 0)
    if not size or not said or said < OPINION_SHARE * size:
        return None
    return next((text for name, text in MOSTLY.items() if counts.get(name, 0) >= STANCE_LEAN * said), None)

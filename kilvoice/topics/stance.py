"""Stance of a statement within a theme: strength, problem or aspiration (or, read as
``cues.v2``, "unstated").

Appreciative-inquiry framing of the Big Conversation: answers to "what's strong about
your area" are strengths unless they complain; answers to "what would make it better
for the next generation" are aspirations unless they describe a present problem.
Cue lexicons decide first; the question tag decides ties and cue-less statements.
Statements that answer no Big Conversation question (a committee's evidence, a panel) are
also read with cues of the spoken register ("concerns", "challenging", "need to", "positive").

Two readings (the topics stage's ``stance`` setting, recorded with the run's config):

- ``cues.v1``: a statement that answers no question and has no cue is a "strength" (the default
  of pipeline files written before issue 16);
- ``cues.v2``: such a statement is "unstated": it says no clear stance, and no count calls it a
  strength. Answers to a Big Conversation question are read exactly as in v1 (a cue-less answer to
  "what's strong" is a strength: the exercise's framing says so);
- ``cues.v3``: v2, and a statement that answers no question is read as the titles read it
  (kilvoice.topics.phrases9's ``said_stances``): a problem word negated or a wish for better denied
  ("No complaints", "Could not fault them", "Nothing could have been better") is praise, and a null
  answer ("Nothing.", "Nothing at the minute", "Cannot think of anything") says no stance. v2 read
  each as a problem from its "no" / "not" / "nothing", so a theme titled "General praise" could be
  described as mostly problems (docs/PERFORMANCE.md, "session31").
- ``cues.v4``: v3, and a statement that says nothing gets better ("Nothing has improved since the
  pit closed", "I can't see it getting any better", "Things have not improved") is a problem,
  whatever question it answers. v3 read the first two as praise ("nothing ... improved" denies a
  want) and v2 the last as a strength. A counterfactual ("could have been improved", "needs
  improving") is still praise (docs/PERFORMANCE.md, "session32").
- ``cues.v5``: v4, and an answer to a Big Conversation question is read for praise and null answers
  as v3 reads a statement that answers none: "No complaints" answering "what's strong" is a strength
  (v4: a problem); answering "what would make it better", "Nothing." says no stance (v4: a problem),
  and an answer that only praises ("No complaints, the staff were excellent") is a strength (v4: an
  aspiration or a problem). "Nothing." answering "what's strong" stays a problem. Praise said as a
  limit reached ("couldn't have been more helpful", "could not do enough for us", "nothing was too
  much trouble") is praise, whatever the question (v4: a want, from "more" and "could"). Measured on NHS
  Friends-and-Family answers to "What was good?" and "How could we improve?" against the analysts'
  sentiment (docs/PERFORMANCE.md, "session33").
"""
from __future__ import annotations

import re

from kilvoice.errors import KilvoiceError
from kilvoice.records import UNSTATED

STANCES = ("strength", "problem", "aspiration")
READINGS = ("cues.v1", "cues.v2", "cues.v3", "cues.v4", "cues.v5")
UNSTATED_READINGS = ("cues.v2", "cues.v3", "cues.v4", "cues.v5")  # a statement with no cue and no question says no stance

STRENGTH_CUES = (
    "love", "loved", "lovely", "great", "proud", "brilliant", "fantastic", "excellent", "good",
    "best", "amazing", "wonderful", "friendly", "helpful", "enjoy", "enjoyed", "thriving",
    "beautiful", "safe", "welcoming", "kind", "caring", "thank", "thanks", "happy", "fab",
    "well run", "really good", "so good", "works well", "lucky", "strong", "supportive",
)
PROBLEM_CUES = (
    "no", "not enough", "closed", "closing", "dangerous", "can't", "cannot", "cant", "never",
    "nothing", "lack", "lack of", "lacking", "poor", "bad", "worse", "worst", "problem",
    "problems", "unsafe", "expensive", "unaffordable", "struggle", "struggling", "broken",
    "dirty", "litter", "fly-tipping", "cut", "cuts", "lost", "gone", "empty", "boarded",
    "waiting", "wait", "late", "cancelled", "rude", "worried", "scared", "afraid", "isolated",
    "lonely", "too many", "too much", "not", "don't", "doesn't", "isn't", "won't", "hardly",
    "shame", "sad", "complain", "complaint", "awful", "terrible", "rubbish", "difficult",
)
ASPIRATION_CUES = (
    "would be nice", "would be good", "would be great", "would love", "would like", "need more",
    "needs more", "need a", "needs a", "should", "wish", "hope", "more", "could", "if only",
    "want", "wants", "we need", "they need", "bring back", "reopen", "invest", "improve",
    "better", "would help", "it'd be", "ought", "in future", "future", "next generation",
    "somewhere for", "a place for", "imagine", "plans", "plan",
)

# The register of spoken evidence and meetings, read only for statements that answer no Big
# Conversation question (transcripts of panels and committees, untagged notes): measured on
# 200 labelled Senedd statements (benchmarks/labels/stance-senedd.csv; accuracy on the
# statements with a stance, test half 0.49 -> 0.58; docs/PERFORMANCE.md).
SPOKEN_STRENGTH_CUES = (
    "valuable", "effective", "positive", "improvement", "improvements", "improved", "improving", "progress",
    "welcome", "welcomed", "confident", "useful", "working well", "work very well", "success", "successful",
    "encouraging", "encouraged", "impressed", "pleased", "value", "benefit", "strength", "strengths", "advantage",
)
SPOKEN_PROBLEM_CUES = (
    "concern", "concerns", "concerned", "challenge", "challenges", "challenging", "difficult", "difficulty",
    "difficulties", "pressure", "pressures", "risk", "risks", "less", "shortage", "shortages", "issue", "issues",
    "underachieving", "unclear", "gap", "gaps", "crisis", "decline", "reduced", "reduction", "vulnerable",
    "barrier", "barriers", "burden",
)
SPOKEN_ASPIRATION_CUES = (
    "need to", "needs to", "we will", "we'll", "going forward", "important that", "ensure", "looking to", "aim",
    "would want", "going to", "should be", "must", "opportunity",
)

# cues.v2 only, for statements that answer no question (comments, spreadsheets, notes without a
# question): general words of praise, of a fault and of a want that the lists above lack, chosen
# on the dev half of NHS patient comments against their sentiment and judged on its test half
# and on the Senedd statements (docs/PERFORMANCE.md, "stance17"). Never read for titles.
WRITTEN_STRENGTH_CUES = (
    "professional", "efficient", "pleasant", "polite", "courteous", "prompt", "promptly", "quick", "quickly",
    "swift", "swiftly", "nice", "nicely", "calm", "reassuring", "reassured", "listened", "helped", "understood",
    "compassion", "compassionate", "sympathetic", "attentive", "respectful", "spot on", "first class", "at ease",
    "informative", "comfortable", "satisfied", "perfect", "superb", "outstanding", "exceptional", "impressive",
    "appreciated", "grateful", "smooth", "easy",
)
WRITTEN_PROBLEM_CUES = (
    "waited", "too long", "ignored", "unhelpful", "slow", "delay", "delays", "delayed", "failed", "rushed",
    "confusing", "confused", "noisy", "uncomfortable", "disappointed", "disappointing", "frustrating",
    "frustrated", "upset", "angry", "unfair", "overcrowded",
)
WRITTEN_ASPIRATION_CUES = (
    "quicker", "faster", "sooner", "shorter", "make sure", "please", "would have liked",
    "would prefer", "prefer", "suggest", "stop",
)

_WORD = re.compile(r"[a-z']+(?:-[a-z]+)?")


def _compile(cues: tuple[str, ...]) -> re.Pattern:
    alts = sorted({re.escape(c) for c in cues}, key=len, reverse=True)
    return re.compile(r"(?<![a-z'])(?:" + "|".join(alts) + r")(?![a-z'])")


_PATTERNS = {
    "strength": _compile(STRENGTH_CUES),
    "problem": _compile(PROBLEM_CUES),
    "aspiration": _compile(ASPIRATION_CUES),
}
_SPOKEN_PATTERNS = {
    "strength": _compile(STRENGTH_CUES + SPOKEN_STRENGTH_CUES),
    "problem": _compile(PROBLEM_CUES + SPOKEN_PROBLEM_CUES),
    "aspiration": _compile(ASPIRATION_CUES + SPOKEN_ASPIRATION_CUES),
}

_WRITTEN_PATTERNS = {
    "strength": _compile(STRENGTH_CUES + SPOKEN_STRENGTH_CUES + WRITTEN_STRENGTH_CUES),
    "problem": _compile(PROBLEM_CUES + SPOKEN_PROBLEM_CUES + WRITTEN_PROBLEM_CUES),
    "aspiration": _compile(ASPIRATION_CUES + SPOKEN_ASPIRATION_CUES + WRITTEN_ASPIRATION_CUES),
}


def cue_counts(text: str, spoken: bool = False, written: bool = False) -> dict[str, int]:
    """How many cues of each stance occur in ``text`` (case-insensitive); with ``spoken``,
    the spoken-register cues count too, and with ``written`` as well (cues.v2) the WRITTEN_ ones."""
    low = (text or "").lower().replace("’", "'")
    patterns = (_WRITTEN_PATTERNS if written else _SPOKEN_PATTERNS) if spoken else _PATTERNS
    return {stance: len(p.findall(low)) for stance, p in patterns.items()}


def check_reading(reading: str) -> str:
    """``reading`` if it is one of READINGS, else K761."""
    if reading not in READINGS:
        raise KilvoiceError("K761", value=reading, allowed=", ".join(f'"{r}"' for r in READINGS))
    return reading


def lowered(text: str | None) -> str:
    """``text`` in lower case with a typographic apostrophe written "'", as the stance patterns read it."""
    return (text or "").lower().replace("\u2019", "'")


def _said_praise(text: str) -> tuple[str | None, int]:
    """cues.v3's reading of a statement that answers no question: (the text less the spans that say
    praise by denying a fault or a want, how many there were), or (None, 0) for a null answer."""
    from kilvoice.topics import phrases7, phrases9

    low = lowered(text).strip()
    if phrases9.NULL_ANSWER.match(low) or all(w in phrases7.NULL for w in phrases7._WORD.findall(low.replace("'", ""))):
        return None, 0
    low = phrases7.LEAD_NULL.sub("", low)
    praised = len(phrases7.PRAISE_NEGATED.findall(low)) + len(phrases9.PRAISE_MORE.findall(low))
    return phrases9.PRAISE_MORE.sub(" ", phrases7.PRAISE_NEGATED.sub(" ", low)), praised


# cues.v5 (and labeller phrases11): praise said as a limit reached, which v4 read as a want ("more",
# "could", "better"): "couldn't have been more helpful", "could not do enough for us", "couldn't get any
# better", "couldn't have asked for more", "nothing was too much trouble"
PRAISE_LIMIT = re.compile(
    r"\bcould(?:n'?t| not)\s+(?:have\s+)?(?:get|got|gotten)\s+(?:any\s+|much\s+)?better\b"
    r"|\bcould(?:n'?t| not)\s+(?:have\s+)?(?:do|done|ask(?:ed)? for)\s+(?:any\s+|much\s+)?more\b"
    r"|\bcould(?:n'?t| not)\s+(?:have\s+)?(?:do|done)\s+enough\b"
    r"|\bcould(?:n'?t| not)\s+(?:have\s+)?(?:be|been)\s+more\s+[a-z]+\b"
    r"|\bnothing\s+(?:was|is|were|seemed)\s+too\s+much(?:\s+trouble)?\b")


def said_limit(low: str, mark: str = " ") -> tuple[str, int]:
    """(lower-cased ``low`` with each span that praises by a limit reached replaced by ``mark``, how many)."""
    return PRAISE_LIMIT.subn(mark, low)


def _led_by_null(text: str) -> bool:
    """True when ``text`` opens with a null answer ("Nothing, ...", "No - ...")."""
    from kilvoice.topics import phrases7

    return bool(phrases7.LEAD_NULL.match(lowered(text).strip()))


# cues.v4: "nothing gets better", said: a negation, then within the clause a change that did not come
# ("has improved", "is improving", "gets any better"; a form in -ing not after a preposition: "as
# improving the service", "investment in improving schools" is no change), with no comma or "but" between
# ("It wasn't, but it has improved" is praise), and "better" said of the change, not of a thing got ("so
# they don't leave to get better paying jobs")
_GLOOM_NEG = r"(?:\bno\b|\bnot\b|\bnothing\b|n't\b|\bnever\b|\bnobody\b|\bno one\b|\bcannot\b)"
_ING_AFTER = "".join(rf"(?<!\b{p}\s)" for p in ("as", "in", "by", "on", "for", "of", "at", "to", "from", "about"))
_BETTER = r"(?:any\s+|much\s+|no\s+)?better"
_AFTER = (r"(?!\s+(?!(?:for|at|in|on|round|around|here|there|now|since|soon|under|with|and|but|or|either|"
          r"though|anymore|any|yet|over|by|until|till|because|as|so|if|when|unless|to|than|really|much)\b)[a-z])")
GLOOM = re.compile(_GLOOM_NEG + r"(?:(?!\bbut\b)[^.!?,;]){0,50}?(?P<change>"
                   r"\b(?:improved|improves|(?:gets?|got|gotten)\s+" + _BETTER + r")\b" + _AFTER
                   + r"|\b" + _ING_AFTER + r"(?:improving|getting\s+" + _BETTER + r")\b" + _AFTER + ")")
# ... unless it is a counterfactual: "nothing could have been improved", "could not get any better",
# "nothing needs improving"
_COUNTERFACTUAL = re.compile(r"\b(?:could|can|would|might|need|needs|needed)(?:n't|\s+not)?\s+"
                             r"(?:(?:have|be|been|done)\s+)*$")


def said_gloom(low: str, mark: str = " ") -> tuple[str, int]:
    """cues.v4: (lower-cased ``low`` with each span that says nothing gets better replaced by ``mark``,
    how many there were)."""
    kept, found, last = [], 0, 0
    for m in GLOOM.finditer(low):
        if _COUNTERFACTUAL.search(re.split(r"[.!?]", low[:m.start("change")])[-1]):
            continue
        kept.append(low[last:m.start()])
        last, found = m.end(), found + 1
    return mark.join(kept) + mark + low[last:] if found else low, found


def stance_of_text(text: str, question: str | None = None, reading: str = "cues.v1") -> str:
    """Stance of a text answering ``question`` ("strong", "future" or None), as ``reading``
    (READINGS) reads it: with "cues.v2" or later a text that answers no question and has no cue is
    UNSTATED; with "cues.v3" or later such a text that denies a fault ("No complaints") is praise and
    a null answer ("Nothing at the minute") UNSTATED; with "cues.v4" or later a text that says nothing
    gets better ("Nothing has improved") is a problem; with "cues.v5" an answer to a question is read
    for praise and null answers too."""
    reading = check_reading(reading)
    praised = gloom = 0
    if reading in ("cues.v4", "cues.v5"):
        text, gloom = said_gloom(lowered(text))
    denied = False
    if (reading in ("cues.v3", "cues.v4") and question is None) or reading == "cues.v5":
        denied = reading == "cues.v5" and _led_by_null(text)
        text, praised = _said_praise(text)
        if text is None:  # "Nothing.": no stance, unless it says nothing is strong
            return "problem" if question == "strong" else UNSTATED
        if reading == "cues.v5":
            text, limits = said_limit(text)
            praised += limits
    counts = cue_counts(text, spoken=question is None, written=question is None and reading in UNSTATED_READINGS)
    counts["strength"] += praised
    counts["problem"] += 2 * gloom  # the negation and the change it denies, as the spans were before removal
    # cues.v5: an answer to "what would make it better" that only praises says what is strong
    # ("No complaints, the staff were excellent", "Nothing, it was all great"): praise said by denying a
    # fault or a want; praise words alone answering it are mostly wishes ("they'd love younger people to
    # try it", "somewhere safe for kids")
    praise_only = (reading == "cues.v5" and question == "future" and (praised or denied)
                   and counts["strength"] > counts["aspiration"] + counts["problem"])
    # Strong aspiration phrasing ("would be nice", "should") wins over stray negatives.
    if counts["aspiration"] and counts["aspiration"] >= counts["problem"] and question != "strong" and not praise_only:
        return "aspiration"
    if question == "strong":
        if counts["problem"] > counts["strength"]:
            return "problem"
        if counts["aspiration"] > counts["strength"] + counts["problem"]:
            return "aspiration"
        return "strength"
    if question == "future":
        if praise_only:
            return "strength"
        if counts["problem"] > counts["aspiration"] and counts["problem"] > counts["strength"]:
            return "problem"
        return "aspiration"
    best = max(STANCES, key=lambda s: (counts[s], -STANCES.index(s)))
    if counts[best]:
        return best
    return UNSTATED if reading in UNSTATED_READINGS else "strength"


def stance_of(statement, reading: str = "cues.v1") -> str:
    """Stance of a :class:`kilvoice.records.Statement`: "strength", "problem" or "aspiration"
    (or UNSTATED, read as "cues.v2")."""
    return stance_of_text(statement.text, getattr(statement, "question", None), reading)


def stance_keys(reading: str) -> tuple[str, ...]:
    """The counts a theme read as ``reading`` carries: v2's always include UNSTATED (0 or more)."""
    return STANCES + (UNSTATED,) if check_reading(reading) in UNSTATED_READINGS else STANCES


def reading_of(stance_counts) -> str:
    """The reading that made a run's themes, from their stance counts (``Theme.stance`` dicts): v2's
    carry an UNSTATED count, v1's never do."""
    return "cues.v2" if any(UNSTATED in (c or {}) for c in stance_counts) else "cues.v1"


def count_stances(stances, keys: tuple[str, ...] = STANCES) -> dict[str, int]:
    out = {s: 0 for s in keys}
    for s in stances:
        out[s] = out.get(s, 0) + 1
    return out


def stated(counts: dict[str, int] | None) -> dict[str, int]:
    """The counts of ``counts`` that say a stance (UNSTATED left out), zeros dropped."""
    return {k: v for k, v in (counts or {}).items() if v and k != UNSTATED}

"""Theme titles, sixth version (the "phrases6" labeller): what residents said of a subject.

phrases5's candidates, checks, scores and picking, with these changes (docs/PERFORMANCE.md,
"titles21f"):

- **time said of a subject**: "the ambulance took 2 hours to arrive", "arrived within 20 minutes",
  "came quickly", "the bus is always late" say how long residents waited for something to arrive
  (a verb of arrival, ``ARRIVE``, with a span of time or a word of speed; "be" with a word of
  speed); such a statement gives the candidate "Waiting time for an ambulance" (the subject's
  noun chunk). It stands for the statements that name the subject and a span of time, a word of
  speed or of waiting (``TIMED``), and is scored as any other candidate. phrases3's "Waiting for
  ..." needed the word "wait";
- **praise or problems, not a verdict word**: a title whose only modifier is a verdict
  ("Excellent service", "Good care", "Poor service": ``VERDICT``) says one statement's word for
  the whole theme. When at least STANCE_LEAN of the theme's statements that say a strength or a
  problem in so many words say that one, the title says so of the subject: "Praise for the
  service", "Problems with the service"; else the title stands;
- **a title from words**: a candidate with a token that glues a symbol to a word ("by%" in
  "Candidates by% of votes") is a tokenisation artefact, not a phrase anyone wrote;
- **a title two different sentences say**: a candidate that two or more statements say (every
  content word) only in one sentence, pasted again and again, is none: "Tracking the public
  attitudes" (one sentence, twice), "Revised regulatory impact assessment at Stage";
- **no group of two by listing**: two themes that share no phrase are no group (each is shown
  alone), as phrases4 already did for more than two ("Excellent service / Mental health");
  ``group_list_max`` = 0 in kilvoice.topics.labellers.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from kilvoice.topics import phrases, phrases3, phrases4, phrases5
from kilvoice.topics.labels import _singular
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, _surface, _trim, key_of

STANCE_LEAN = 2 / 3  # of the statements saying a strength or a problem, to say "Praise for ..."
# adjectives that give a verdict and name no aspect: "Excellent service" says nothing a resident
# judged in it; "friendly", "caring", "long" do
VERDICT = {
    "strength": frozenset({"good", "great", "excellent", "brilliant", "fantastic", "amazing", "wonderful", "superb",
                           "outstanding", "fab", "best", "lovely", "perfect", "first-class"}),
    "problem": frozenset({"poor", "bad", "awful", "terrible", "rubbish", "worse", "worst", "appalling", "dreadful"}),
}
DEGREE = frozenset({"very", "really", "so", "extremely", "absolutely", "always", "overall", "all", "and", ","})
TIMED = "~timed"  # in a cover: a span of time, a word of speed or a form of "wait"
SPEED = frozenset({"quickly", "promptly", "fast", "soon", "late", "slowly", "swiftly", "immediately", "quick",
                   "prompt", "slow", "punctual", "delayed", "early", "speedy", "speedily", "ages"})
_SPAN_UNIT = re.compile(r"^\d+(?:hrs?|hours?|mins?|minutes?|days?|wks?|weeks?|months?|yrs?)$")
TIME_WORDS = frozenset(phrases3.SPANS_OF_TIME | {"hour", "minute", "min", "mins", "hr", "hrs", "day", "week",
                                                 "month", "year", "age", "wait", "waited", "waiting"} | SPEED)
_LETTERS = re.compile(r"[a-z]+")
_TIME_PREPS = frozenset({"in", "within", "after", "for", "over", "under"})
# the parser runs without a lemmatizer: the forms themselves
_TAKE = frozenset({"take", "takes", "took", "taken", "taking"})
ARRIVE = frozenset({"arrive", "arrives", "arrived", "arriving", "come", "comes", "came", "coming", "attend",
                    "attends", "attended", "attending"})
_UP = frozenset({"turn", "turned", "turns", "show", "showed", "shows"})  # "turned up", "showed up"
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_GLUED = re.compile(r"[A-Za-z0-9][^A-Za-z0-9\s'\u2019.\-&/]|[^A-Za-z0-9\s'\u2019.\-&/][A-Za-z0-9]")


def _glued(tok) -> bool:
    """A token that glues a symbol to a word or figure: "by%", "£5", "#NHS", "x=2"."""
    return bool(_GLUED.search(tok.text))


def spans(doc) -> list[tuple[list, bool]]:
    """phrases5's spans less those with a token that glues a symbol to a word."""
    return [(toks, joined) for toks, joined in phrases5.spans(doc) if not any(_glued(t) for t in toks)]


def _is_time(tok) -> bool:
    low = tok.lower_
    return _singular(low) in phrases3.SPANS_OF_TIME or low in ("hrs", "mins", "ages") or bool(_SPAN_UNIT.match(low))


def _timed(verb) -> bool:
    """Whether ``verb`` says when something arrived: a verb of arrival (``ARRIVE``: "arrived within
    20 minutes", "came quickly"), or "take" with one ("took 2 hours to arrive"; "it took 3 hours for
    the ambulance to come"), or "be" with a word of speed ("the bus is always late"), with a span
    of time or a word of speed."""
    low = verb.lower_
    arriving = low in ARRIVE or (low in _UP and any(c.dep_ == "prt" and c.lower_ == "up" for c in verb.children))
    took = low in _TAKE and any(c.dep_ in ("xcomp", "advcl") and c.lower_ in ARRIVE for c in verb.children)
    later = verb.head if verb.dep_ in ("advcl", "xcomp") and verb.head.lower_ in _TAKE and arriving else None
    if not (arriving or took or low in _BE):
        return False
    for v in (verb, later):
        if v is None:
            continue
        for c in v.children:
            if c.dep_ in ("advmod", "acomp") and c.lower_ in SPEED:
                return True
            if low in _BE:
                continue  # "be" says a speed, not a span ("the bus is 20 minutes")
            if c.dep_ in ("dobj", "npadvmod") and _is_time(c):
                return True
            if c.dep_ == "prep" and c.lower_ in _TIME_PREPS and any(_is_time(t) for t in c.subtree):
                return True
    return False


def _timed_subjects(doc) -> list[list]:
    """The noun chunks (trimmed) of subjects a statement says a time or speed of."""
    chunks = {c.root.i: c for c in doc.noun_chunks}
    out = []
    for tok in doc:
        if tok.dep_ not in ("nsubj", "nsubjpass") or tok.pos_ != "NOUN" or tok.i not in chunks:
            continue
        if _singular(tok.lower_) in TIME_WORDS or not _timed(tok.head):
            continue
        subject = _trim(chunks[tok.i])
        if subject and subject[-1].i == tok.i and len(subject) <= 3 and not any(_glued(t) for t in subject):
            out.append(subject)
    return out


def _waiting_title(subject: list) -> str:
    """"Waiting time for an ambulance", "Waiting time for buses"."""
    text = _surface(subject)
    if subject[-1].tag_ == "NN" and subject[0].pos_ != "PROPN":
        text = ("an " if text[:1].lower() in "aeiou" else "a ") + text
    return "waiting time for " + text


def candidates(docs, exclude: frozenset[str] = frozenset(), texts: Sequence[str] = ()) -> dict[tuple[str, ...], Phrase]:
    """phrases5's candidates (with ``spans``), and the waiting time said of a subject."""
    docs = list(docs)
    found = phrases5.candidates(docs, exclude, texts, spans=spans)
    for doc in docs:
        for subject in _timed_subjects(doc):
            if {t.lower_ for t in subject} & exclude:
                continue
            text = _waiting_title(subject)
            key = key_of(text)
            if not key or len(set(key)) < len(key) or len(text.split()) > phrases.PHRASE_MAX_WORDS:
                continue
            head = _singular(subject[-1].lower_)
            ph = found.setdefault(key, Phrase(key, head, plain=False, cover=(head, TIMED)))
            ph.forms[text] += 1
    return found


def screen(found: dict[tuple[str, ...], Phrase], texts: Sequence[str]) -> dict[tuple[str, ...], Phrase]:
    """A theme's candidates and keyphrases (``found``) less those that two or more of its statements
    (``texts``) say, every content word, but all in one sentence, repeated: one statement's words,
    however often it was pasted."""
    postings = Postings(texts)
    sentence: dict[int, str] = {}
    out = {}
    for key, ph in found.items():
        said = np.flatnonzero(postings.using(key))
        if len(said) >= 2:
            for i in said:
                if i not in sentence:
                    sentence[i] = " ".join(_LETTERS.findall(texts[i].lower()))
            if len({sentence[i] for i in said}) < 2:
                continue
        out[key] = ph
    return out


class _Timed:
    """Postings where TIMED stands for any word of TIME_WORDS (phrases3's scoring wraps these in its
    own, where WAITING stands for a form of "wait")."""

    def __init__(self, postings: Postings):
        self.postings, self.n = postings, postings.n
        self._timed = None

    def using(self, key) -> np.ndarray:
        if TIMED not in key:
            return self.postings.using(key)
        if self._timed is None:
            said = np.zeros(self.n, dtype=bool)
            for word in sorted({_singular(w) for w in TIME_WORDS} | TIME_WORDS):
                said |= self.postings.using((word,))
            self._timed = said
        rest = tuple(w for w in key if w != TIMED)
        return self._timed & self.postings.using(rest) if rest else self._timed


def score_phrases(cands: dict[tuple[str, ...], Phrase], members, postings: Postings, centroid,
                  vectors) -> list[ScoredPhrase]:
    """phrases5's tiers and scores, TIMED covers understood."""
    return phrases5.score_phrases(cands, members, _Timed(postings), centroid, vectors)


def verdict_title(text: str, stance: dict | None) -> str | None:
    """"Praise for the service" for "Excellent service" when the theme leans to praise (STANCE_LEAN of
    its statements that say a stance), "Problems with ..." for "Poor service" when it leans to
    problems; None when the title is no verdict and a subject, or the theme does not lean its way."""
    words = text.split()
    counts = stance or {}
    said = counts.get("strength", 0) + counts.get("problem", 0)
    for name, prefix in phrases.STANCE_PREFIX.items():
        lead = 0
        while lead < len(words) and words[lead].lower().strip(",") in VERDICT[name] | DEGREE:
            lead += 1
        rest = words[lead:]
        if not any(w.lower().strip(",") in VERDICT[name] for w in words[:lead]) or not rest:
            continue
        if any(w.lower().strip(",") in VERDICT["strength"] | VERDICT["problem"] | DEGREE for w in rest):
            continue
        if said and counts.get(name, 0) >= STANCE_LEAN * said:
            plural = _singular(rest[-1].lower()) != rest[-1].lower()
            proper = rest[0][:1].isupper() and not rest[0].isupper()  # "Wakefield", not "GP"
            article = "" if proper or plural else "the "
            return prefix + article + " ".join(rest)
    return None


def title_options(scored: list[ScoredPhrase], stance: dict | None, size: int):
    """phrases5's title options, a verdict title worded as what the theme leans to."""
    for title, sp in phrases5.title_options(scored, stance, size):
        yield (verdict_title(phrases.strip_prefix(title), stance) or title), sp


def pick_titles(ranked, stances, sizes, reserved=()):
    """phrases4's picking with ``title_options``."""
    return phrases4.pick_titles(ranked, stances, sizes, reserved, options=title_options)


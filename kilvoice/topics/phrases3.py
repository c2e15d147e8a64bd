"""Theme titles, third version (the "phrases3" labeller): the aspect residents judge, and no odd titles.

"phrases2" titles a theme with its subject, or with what one statement says of a subject
("friendly and helpful staff"). On analyst-coded comments the misses name a subject where the
analysts coded an aspect, and many answers name no subject at all ("They were very caring",
"Waited 4 hours for an ambulance"). This version keeps phrases2's candidates, checks and scoring
and adds:

- **what is said of people without naming them**: adjectives said of "they", "he", "she",
  "everyone" ... or said alone ("Very caring and compassionate.") become a title with the people
  noun the theme itself uses most ("caring and compassionate staff"; ``PEOPLE``, used by at least
  PEOPLE_MIN of the theme's statements, else no such candidate). Its coverage is that of its
  adjectives: the statements that say "caring", whether or not they say "staff". The adjectives
  are those of manner (``MANNER``: caring, polite, rude ...; not "good", "difficult", said of
  anything);
- **waiting for something**: "waited 4 hours for an ambulance" -> "waiting for an ambulance";
  it stands for the statements that say both a form of "wait" and the thing waited for;
- **no odd titles** (``odd``): a phrase whose noun before any "of" / "for" ... names no subject
  (``VAGUE_HEADS``: phrases2's, and need, use, opportunity, challenge, sale, ban, good, best:
  "Desperate need of care", "Use of wildlife", "Ban the sale", "Good of the people", "Ban");
  an evaluative adjective before a noun of setting ("Safe environment", ``SETTING``); a phrase
  with a word that points at what the reader was not told (``DEICTIC``: "Sustained challenges of
  its evidence", "Argue that act", "Potential of those young people", "Survive such a devastating
  event"); one that opens with a word that says no more than "some" (``VAGUE_LEADING``: "Particular qualification", "Different
  offer"); and a function word of another language (``FOREIGN``: "Mixed: sein"), which the
  tagger reads as an English noun.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np

from kilvoice.language import OTHER_STOPWORDS
from kilvoice.topics import phrases, phrases2
from kilvoice.topics.labels import _singular
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, _surface, _trim, candidate_phrases, key_of

VAGUE_HEADS = phrases2.VAGUE_HEADS | frozenset({
    "need", "needs", "use", "opportunity", "opportunities", "challenge", "challenges", "sale", "ban", "good", "best",
    "possibility", "importance",
})
SETTING = frozenset({"environment", "place", "space", "atmosphere", "setting", "opportunity", "chance"})
EVALUATIVE = frozenset({"safe", "good", "great", "nice", "better", "best", "possible", "excellent", "lovely",
                        "positive", "happy", "right", "proper", "suitable", "desperate", "sustained"})
# words that point at what the reader was not told: "of its evidence", "argue that act", "those young people"
DEICTIC = frozenset({"its", "their", "his", "her", "this", "that", "these", "those", "such"})
# an opening word that says no more than "some": "Particular qualification", "Different offer"
VAGUE_LEADING = frozenset({"particular", "different", "certain", "various", "other", "such", "same", "specific",
                           "own", "some"})
# function words of other languages ("sein", "ein", "mae"), which the tagger reads as English nouns; not
# the short ones or those that are English words too ("EU", "van", "hay", "die", "pour")
FOREIGN = frozenset(w for w in OTHER_STOPWORDS if len(w) >= 3) - frozenset({
    "van", "hay", "den", "die", "con", "per", "com", "los", "sus", "pas", "het", "mit", "bod", "neu", "ond", "dos",
    "non", "pour", "del", "des", "les", "sur", "una", "une", "est", "que", "muy", "por", "para", "das"}) | frozenset({
    "sein", "seine", "ihr", "uns", "yw", "hyn", "iawn", "diolch",
    # German ones seen in catch-all titles of real mixed notes ("Mixed: wachstum durch")
    "durch", "davon", "gibt", "über", "zum", "zur", "vom", "dieser", "diese", "dieses", "haben", "wurde",
    "wurden", "sowie", "zwischen", "gegen", "ohne", "unter", "ihre", "ihren", "unsere"})
_BEFORE_PREP = re.compile(r"^(.*?)\b(?:of|for|in|on|at|to|with|from)\b")

# people a statement may describe without naming ("they were very caring"), as a theme names them
PEOPLE = frozenset({"staff", "nurse", "nurses", "doctor", "doctors", "paramedic", "paramedics", "crew", "team",
                    "volunteer", "volunteers", "carer", "carers", "teacher", "teachers", "worker", "workers",
                    "receptionist", "receptionists", "officer", "officers", "operator", "driver", "drivers",
                    "midwife", "midwives", "handler", "handlers"})
PRONOUNS = frozenset({"they", "he", "she", "everyone", "everybody", "all", "you"})
# adjectives of manner, said of people ("they were very caring"); "good", "difficult" are said of anything
MANNER = frozenset({
    "caring", "kind", "friendly", "helpful", "polite", "rude", "compassionate", "professional", "supportive",
    "patient", "courteous", "respectful", "attentive", "knowledgeable", "pleasant", "reassuring", "calm",
    "considerate", "sympathetic", "empathetic", "approachable", "understanding", "dismissive", "unhelpful",
    "unfriendly", "arrogant", "thoughtful", "gentle", "cheerful", "welcoming", "sensitive", "honest",
    "efficient", "informative", "responsive", "competent", "skilled", "dedicated", "lovely", "nice",
})
PEOPLE_MIN = 2
_WORDS = re.compile(r"[a-z]+")
SPANS_OF_TIME = frozenset({"hour", "hr", "hrs", "minute", "min", "day", "week", "month", "year", "time", "age",
                           "while", "moment", "second"})
_WAIT = frozenset({"wait", "waited", "waiting", "waits"})


class _Word(phrases2._Word):
    """A token as a title reads it; ``text`` given: that word ("waiting")."""

    def __init__(self, tok, text: str | None = None, pos: str = "VERB"):
        super().__init__(tok)
        if text is not None:
            self.text = self.lower_ = text
            self.pos_, self.tag_ = pos, {"VERB": "VBG", "NOUN": "NN"}[pos]


def odd(ph: Phrase) -> bool:
    """A title that names no subject: see the module docstring."""
    text = ph.text.lower()
    words = text.split() or [""]
    if (phrases2.vague(ph) or ph.head in VAGUE_HEADS or (DEICTIC | FOREIGN) & set(words)
            or words[0] in VAGUE_LEADING):
        return True
    before = _BEFORE_PREP.match(text)
    core = (before.group(1) if before else text).split()
    if core and core[-1] in VAGUE_HEADS:
        return True
    return len(core) >= 2 and core[-1] in SETTING and all(w in EVALUATIVE for w in core[:-1])


def _adjectives(doc) -> list[list]:
    """Adjectives (one, or two joined) a statement says of people it does not name: of a pronoun
    ("they were very caring"), or alone ("Very caring and compassionate."). Not under a negation,
    not one that needs a complement ("able to")."""
    out = []
    for tok in doc:
        if tok.pos_ != "ADJ" or tok.lower_ not in MANNER or any(c.dep_ in ("xcomp", "prep", "ccomp", "neg") for c in tok.children):
            continue
        if tok.dep_ == "acomp" and tok.head.lower_ in phrases2._BE:
            subj = [c for c in tok.head.children if c.dep_ == "nsubj"]
            if not (subj and subj[0].lower_ in PRONOUNS) or any(c.dep_ == "neg" for c in tok.head.children):
                continue
        elif not (tok.dep_ == "ROOT" and not any(c.dep_ == "nsubj" for c in tok.children)):
            continue
        pair = [c for c in tok.children if c.dep_ == "conj" and c.pos_ == "ADJ" and c.lower_ in MANNER][:1]
        out.append([tok] + pair)
    return out


def _people(texts: Sequence[str]) -> _Word | None:
    """The people noun the theme's statements use most (its commonest form), if at least
    PEOPLE_MIN of them use it."""
    seen: Counter = Counter()
    forms: dict[str, Counter] = {}
    for text in texts:
        found = {}
        for w in _WORDS.findall(text.lower()):
            if w in PEOPLE:
                found.setdefault(_singular(w), w)
        for word, form in found.items():
            seen[word] += 1
            forms.setdefault(word, Counter())[form] += 1
    if not seen:
        return None
    word, n = min(seen.items(), key=lambda kv: (-kv[1], kv[0]))
    return _Word(None, forms[word].most_common(1)[0][0], "NOUN") if n >= PEOPLE_MIN else None


def _aspect(found: dict, words: list, head: str, cover: tuple[str, ...]) -> None:
    text = _surface(words)
    key = key_of(text)
    if not key or len(set(key)) < len(key):
        return
    ph = found.setdefault(key, Phrase(key, head, plain=False, cover=cover))
    ph.forms[text] += 1


def candidates(docs, exclude: frozenset[str] = frozenset(), texts: Sequence[str] = (),
               spans=None) -> dict[tuple[str, ...], Phrase]:
    """phrases2's candidates of a theme's parsed statements, and what they say of people they do
    not name and of waiting (see the module docstring). ``texts``: all the theme's statements
    (the people noun is the one they use most); ``spans``: a later version's (default phrases2's)."""
    docs = list(docs)
    found = candidate_phrases(docs, exclude, spans or phrases2.spans)
    people = _people(texts)
    aspects: dict[tuple[str, ...], Phrase] = {}
    for doc in docs:
        if people is not None:
            for adjs in _adjectives(doc):
                for group in ([adjs[0]], adjs) if len(adjs) == 2 else ([adjs[0]],):
                    words = [_Word(group[0])] + ([_Word(None), _Word(group[1])] if len(group) == 2 else [])
                    _aspect(aspects, words + [people], _singular(group[0].lower_),
                            tuple(_singular(t.lower_) for t in group))
        for tok in doc:
            if tok.lower_ not in _WAIT or tok.pos_ not in ("VERB", "AUX"):
                continue
            prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "for"), None)
            pobj = next((c for c in prep.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")), None) if prep else None
            if pobj is None or _singular(pobj.lower_) in SPANS_OF_TIME:  # "waited for an hour": how long, not what
                continue
            chunk = [t for t in doc[pobj.left_edge.i:pobj.i + 1]]
            det = [chunk[0]] if chunk[0].lower_ in ("a", "an") else []
            thing = _trim(chunk)
            if thing and not set(t.lower_ for t in thing) & exclude:
                _aspect(aspects, [_Word(None, "waiting"), prep] + det + thing, _singular(pobj.lower_),
                        (WAITING,) + tuple(key_of(_surface(thing))))
    for key, ph in aspects.items():
        found.setdefault(key, ph)
    return found


WAITING = "~wait"  # in a cover: any form of "wait"


class _Waiting:
    """Postings where WAITING stands for any form of "wait" ("waited 4 hours", "the wait")."""

    def __init__(self, postings: Postings):
        self.postings, self.n = postings, postings.n

    def using(self, key) -> np.ndarray:
        if WAITING not in key:
            return self.postings.using(key)
        rest = tuple(w for w in key if w != WAITING)
        said = np.zeros(self.n, dtype=bool)
        for form in _WAIT:
            said |= self.postings.using((form,))
        return said & self.postings.using(rest) if rest else said


def cover_count(cover: Sequence[str], texts: Sequence[str]) -> int:
    """How many of ``texts`` say every word of a phrase's ``cover`` (WAITING: any form of "wait"):
    the statements a title such as "Caring staff" stands for (the theme's narrow-title check)."""
    return int(_Waiting(Postings(texts)).using(tuple(cover)).sum()) if texts else 0


def score_phrases(cands: dict[tuple[str, ...], Phrase], members: np.ndarray, postings: Postings,
                  centroid: np.ndarray, vectors: dict[tuple[str, ...], np.ndarray]) -> list[ScoredPhrase]:
    """Candidates by score, best first: phrases2's scoring, with ``odd`` titles left out."""
    return phrases.score_phrases(cands, members, _Waiting(postings), centroid, vectors, length_weight=phrases2.LENGTH_WEIGHT,
                                 coverage_power=phrases2.COVERAGE_POWER, close_power=phrases2.CLOSE_POWER,
                                 min_head_share=phrases2.MIN_HEAD_SHARE, skip=odd)

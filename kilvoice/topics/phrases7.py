"""Theme titles, seventh version (the "phrases7" labeller): the manner, the action and the stance residents said.

phrases6's candidates, checks, scores and picking, with these changes (docs/PERFORMANCE.md,
"titles21g"):

- **the manner people were treated with**: when at least MANNER_SHARE of a theme's statements
  say an adjective of manner (``MANNER``: helpful, caring, polite, rude ...; not a verdict such
  as "lovely" or "good") the theme is about how people behaved, and the candidate "Helpful,
  pleasant drivers" says the two manners most of its statements name, of the people the theme
  names (the people noun it uses most, ``phrases3.PEOPLE``) when at least NAMED_SHARE of the
  statements saying a manner name them, else of "staff" (most said "They were very helpful"
  without naming anyone). It stands for every statement that says one of the theme's manner
  adjectives. phrases3's "Helpful driver" stood for one adjective and put the theme's minority
  noun first;
- **what was done, when the theme is about an action**: a verb residents report in the past or
  as ongoing ("listened", "explained", "listening": ``REPORTED`` tags, not a demand in the base
  form, "Ban", "Protect", which phrases2's verb phrases title) whose forms (listen, listens,
  listened, listening) at least ACTION_SHARE of the theme's statements use gives the candidate
  of its "-ing" form as the statements write it ("Listening"), standing for every statement that
  uses a form of it. Light verbs (get, go, do, say, take ...) and words of time and waiting
  (phrases6's TIME_WORDS) give none;
- **what a stance word says when negated**: the count of statements that praise or criticise
  (``said_stances``, which decides "Praise for ..." / "Problems with ...") reads "no complaints",
  "nothing wrong", "could not fault", "could not have been better", "can't praise them enough" as
  praise, not as the problem cue its "no", "nothing", "not" is, and a bare null answer
  ("Nothing.", "No", "None", "Not really") as no stance at all;
- **a theme of opinion alone**: a theme where no candidate is carried by a tenth of its
  statements (phrases4's COVER_MIN: no subject), OPINION_SHARE of its statements say a stance
  and STANCE_LEAN of those the one ("Everything was perfect", "No complaints", "Could not fault
  it") is titled "General praise" ("General complaints"); the title stands for the statements
  saying that stance (``StancePhrase.stands_for``), and the theme stage calls such a theme a
  catch-all ("Mixed: ...") only when fewer than a quarter of its statements say it;
- **a near tie goes to the phrase more statements say**: two candidates of a tier scored within
  SCORE_NOISE of each other (less than the int8 ONNX vectors move with their batch-mates) rank by
  how many statements say them whole ("Listening", 31, before "Clear advice", 3).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from kilvoice.topics import phrases3, phrases4, phrases5, phrases6
from kilvoice.topics.labels import GENERIC, STOPWORDS, _singular
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, key_of

MANNER_SHARE = 0.30  # of a theme's statements say an adjective of manner: the theme is about manner
NAMED_SHARE = 0.5  # of those, name the theme's people noun, else the title says "staff"
ACTION_SHARE = 0.25  # of a theme's statements use a form of one reported verb
# manner adjectives that name a manner, not a verdict ("lovely", "nice" say only that they were good)
MANNER = phrases3.MANNER - phrases6.VERDICT["strength"] - phrases6.VERDICT["problem"] - {"nice"}
STAFF = "staff"
REPORTED = frozenset({"VBD", "VBN", "VBG"})  # "listened", "explained", "listening": what was done
# verbs that say little of what was done: "got", "went", "said", "took", "made", "felt"
LIGHT_VERBS = frozenset({
    "get", "go", "come", "take", "make", "do", "say", "tell", "ask", "give", "feel", "seem", "think", "know",
    "need", "want", "like", "see", "look", "use", "try", "call", "keep", "let", "put", "find", "leave", "become",
    "happen", "start", "stop", "provide", "receive", "include", "allow", "mean", "show", "bring", "turn", "run",
    "set", "move", "change", "work", "help", "support", "ring", "phone", "speak", "talk", "sort", "deal", "being",
    "having", "doing", "going", "getting", "saying", "taking", "making", "coming", "trying", "looking",
})
# scores closer than this share are a tie: the int8 ONNX vector of a phrase moves with its batch-mates
# (cosine 0.97-0.99, docs/PERFORMANCE.md "auto.v2's limits"), more than such a gap
SCORE_NOISE = 0.01
ANY = "~any:"  # in a cover: any one of the words after it, "|"-separated
_WORD = re.compile(r"[a-z]+")


class _AnyOf:
    """Postings where a cover word ``~any:a|b|c`` stands for any one of a, b, c (each singular)."""

    def __init__(self, postings):
        self.postings, self.n = postings, postings.n

    def using(self, key) -> np.ndarray:
        rest = tuple(w for w in key if not w.startswith(ANY))
        said = self.postings.using(rest) if rest else np.ones(self.n, dtype=bool)
        for w in key:
            if w.startswith(ANY):
                one = np.zeros(self.n, dtype=bool)
                for form in w[len(ANY):].split("|"):
                    one |= self.postings.using((form,))
                said = said & one
        return said


def any_of(words) -> str:
    return ANY + "|".join(sorted({_singular(w) for w in words}))


def _plural(word: str) -> str:
    if word == STAFF or _singular(word) != word:
        return word
    return word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"


def _manner(docs, texts: Sequence[str], postings: Postings) -> Phrase | None:
    """"Helpful, pleasant drivers" when the theme is about manner (see the module docstring)."""
    used = Counter()  # manner words the parsed statements use as adjectives, and as anything
    for doc in docs:
        for tok in doc:
            if tok.lower_ in MANNER:
                used[(tok.lower_, tok.pos_ == "ADJ")] += 1
    words = sorted({w for (w, adj), n in used.items() if adj and n >= used[(w, False)]})
    if not words or not texts:
        return None
    said = {w: postings.using((_singular(w),)) for w in words}
    anyone = np.logical_or.reduce(list(said.values()))
    if anyone.sum() < MANNER_SHARE * len(texts):
        return None
    ranked = sorted(words, key=lambda w: (-int(said[w].sum()), w))
    first = ranked[0]
    second = next((w for w in ranked[1:] if (said[w] & said[first]).any()), None)
    people = phrases3._people([t for t, s in zip(texts, anyone) if s])
    noun = STAFF
    if people is not None:
        named = postings.using((_singular(people.text),))
        if (named & anyone).sum() >= NAMED_SHARE * anyone.sum():
            noun = people.text
    adjectives = [first] + ([second] if second else [])
    text = ", ".join(adjectives) + " " + _plural(noun)
    key = key_of(text)
    if not key or len(set(key)) < len(key):
        return None
    return Phrase(key, _singular(noun), Counter({text: 1}), plain=False, cover=(any_of(words),))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[:-len(suffix)]
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "ls":  # "stopped" -> "stop"
        word = word[:-1]
    return word[:-1] if word.endswith("e") and len(word) >= 4 else word


def _actions(docs, texts: Sequence[str], postings: Postings) -> list[Phrase]:
    """"Listening" for a theme where ACTION_SHARE of the statements use a form of a verb they report
    in the past or as ongoing (see the module docstring)."""
    reported, base = Counter(), Counter()
    for doc in docs:
        for tok in doc:
            if tok.pos_ != "VERB" or not tok.is_alpha:
                continue
            stem = _stem(tok.lower_)
            (reported if tok.tag_ in REPORTED else base)[stem] += 1
    vocab: dict[str, set[str]] = {}
    for text in texts:
        for w in set(_WORD.findall(text.lower())):
            vocab.setdefault(_stem(w), set()).add(w)
    out = []
    for stem, n in sorted(reported.items()):
        forms = {w for w in vocab.get(stem, ()) if w == stem or w.startswith(stem[:max(len(stem) - 1, 3)])}
        gerund = sorted(w for w in forms if w.endswith("ing"))
        if n <= base[stem] or not gerund or _stem(gerund[0]) in LIGHT_VERBS or gerund[0] in LIGHT_VERBS:
            continue
        if forms & (phrases6.TIME_WORDS | STOPWORDS | GENERIC | phrases5.ABSTRACT) or stem in LIGHT_VERBS:
            continue
        cover = any_of(forms)
        if _AnyOf(postings).using((cover,)).sum() < ACTION_SHARE * len(texts):
            continue
        key = key_of(gerund[0])
        if key:
            out.append(Phrase(key, key[-1], Counter({gerund[0]: 1}), plain=False, cover=(cover,)))
    return out


def candidates(docs, exclude: frozenset[str] = frozenset(), texts: Sequence[str] = ()) -> dict[tuple[str, ...], Phrase]:
    """phrases6's candidates, the manner the theme's statements say and the action they report."""
    docs = list(docs)
    found = phrases6.candidates(docs, exclude, texts)
    postings = Postings(texts)
    for ph in [_manner(docs, texts, postings)] + _actions(docs, texts, postings):
        if ph is None or set(ph.key) & exclude:
            continue
        old = found.get(ph.key)
        if old is not None:  # the gerund was a candidate already: it now stands for every form
            ph.forms = old.forms
        found[ph.key] = ph
    return found


def score_phrases(cands: dict[tuple[str, ...], Phrase], members, postings: Postings, centroid,
                  vectors) -> list[ScoredPhrase]:
    """phrases6's tiers and scores, ``~any:`` covers understood; of two candidates of a tier whose
    scores are within SCORE_NOISE of each other, the one more statements say whole first."""
    scored = phrases6.score_phrases(cands, members, _AnyOf(postings), centroid, vectors)
    moved = True
    while moved:
        moved = False
        for i in range(1, len(scored)):
            a, b = scored[i - 1], scored[i]
            if (a.tier == b.tier and b.score >= (1 - SCORE_NOISE) * a.score
                    and b.count > a.count):
                scored[i - 1], scored[i] = b, a
                moved = True
    return scored


screen = phrases6.screen


# ------------------------------------------------------------------ a theme of opinion alone
OPINION_SHARE = 0.5  # of a theme's statements say a strength or a problem, for "General praise"
GENERAL = {"strength": "general praise", "problem": "general complaints"}


@dataclass
class StancePhrase(Phrase):
    """"General praise": a title that stands for the ``stands_for`` statements saying the stance."""
    stands_for: int = 0


def _carried(sp: ScoredPhrase) -> bool:
    """Carried by COVER_MIN of the theme (phrases4's tier 0 or 2, inside phrases5's split)."""
    return (sp.tier // 2) % 2 == 0


def opinion(scored: list[ScoredPhrase], stance: dict | None, size: int) -> ScoredPhrase | None:
    """"General praise" ("General complaints") for a theme no candidate is carried in (no subject
    named by COVER_MIN of it) where OPINION_SHARE of the statements say a stance and STANCE_LEAN of
    those say the one: praise or complaint with no subject, "Everything was perfect", "No
    complaints", "Could not fault it". None otherwise."""
    counts = stance or {}
    said = counts.get("strength", 0) + counts.get("problem", 0)
    if not size or said < OPINION_SHARE * size or any(_carried(sp) for sp in scored):
        return None
    for name, text in GENERAL.items():
        if counts.get(name, 0) >= phrases6.STANCE_LEAN * said:
            ph = StancePhrase(key_of(text), text.split()[-1], Counter({text: 1}), plain=False,
                              stands_for=counts[name])
            return ScoredPhrase(ph, 1.0, counts[name], tier=0)
    return None


def pick_titles(ranked, stances, sizes, reserved=(), options=phrases6.title_options):
    """phrases6's picking, a theme of opinion alone first offered "General praise" (``opinion``).
    ``options``: a theme's titles in order (a later version's; default phrases6's)."""
    ranked = [([first] if first else []) + scored for scored, first in
              ((scored, opinion(scored, stance, size)) for scored, stance, size in zip(ranked, stances, sizes))]
    return phrases4.pick_titles(ranked, stances, sizes, reserved, options=options)


# ------------------------------------------------------------------ stance said
# a problem word or a wish for better, negated, says praise: "no complaints", "nothing wrong", "could
# not fault it", "nothing could have been done better", "I don't think you could do any better"
PRAISE_NEGATED = re.compile(
    r"\b(?:no|not any|never any|without any?)\s+(?:complaints?|problems?|issues?|faults?|concerns?)\b"
    r"|\bnothing\s+(?:was\s+|went\s+|to\s+)?(?:wrong|bad|to complain about|to fault)\b"
    r"|\b(?:can'?t|cannot|could ?n[o']t|couldn'?t)\s+(?:fault|complain|praise \w+ enough|ask for more)\b"
    r"|\bnothing\b[^.!?]{0,40}?\b(?:better|improv\w*)\b(?!\s+than)"  # "nothing could have been done better"
    r"|\bno\s+(?:improvements?|better)\b(?!\s+than)"  # "no improvement needed"
    r"|(?:n't|\bnot|\bcannot)\s+(?:think|see|imagine)\b[^.!?]{0,50}?\b(?:better|improv\w*)\b"  # "don't think ... better"
    r"|\b(?:can'?t|cannot|could ?n[o']t|couldn'?t)\s+(?:have\s+)?(?:been\s+|done\s+|do\s+|be\s+)?(?:any(?:thing)?\s+)?"
    r"(?:more\s+)?better\b")
# an opening null answer before what follows: "Nothing, it was perfect", "No. Everything was good"
LEAD_NULL = re.compile(r"^\W*(?:nothing|no|none|nope|not really|nothing really|nothing at all)\s*[.,!;:-]+\s*")
# verdict words the shared cue lists lack ("perfect", "superb"), read as the stance they give
VERDICT_CUES = {name: re.compile(r"(?<![a-z'])(?:" + "|".join(sorted(map(re.escape, words | extra))) + r")(?![a-z'])")
                for (name, words), extra in zip(phrases6.VERDICT.items(), (
                    {"fabulous", "exceptional", "satisfied", "satisfactory", "pleased"}, set()))}
# a bare null answer: no stance ("Nothing.", "No", "None", "Not really", "Can't think of anything")
NULL = frozenset({"nothing", "no", "none", "nope", "na", "n", "a", "not", "really", "at", "all", "much", "nil",
                  "nowt", "cant", "can't", "cannot", "think", "of", "anything", "i", "thank", "you", "thanks",
                  "comment", "comments", "else", "to", "add", "sure", "don't", "dont", "know", "very", "little",
                  "can", "could", "that", "absolutely", "for", "me", "be", "honest", "lot", "thing", "comes", "mind", "my"})


def said_stances(texts: Sequence[str]) -> dict[str, int]:
    """phrases' ``said_stances``, a negated problem word or wish for better read as praise, a verdict
    word ("perfect") as the stance it gives, and a null answer as no stance (see the module docstring)."""
    from kilvoice.topics.stance import cue_counts

    out = Counter()
    for text in texts:
        low = (text or "").lower().replace("\u2019", "'")
        if all(w in NULL for w in _WORD.findall(low.replace("'", ""))):
            continue
        low = LEAD_NULL.sub("", low)
        praised = len(PRAISE_NEGATED.findall(low))
        low = PRAISE_NEGATED.sub(" ", low)
        c = cue_counts(low)
        strength = max(c["strength"], len(VERDICT_CUES["strength"].findall(low))) + praised
        problem = max(c["problem"], len(VERDICT_CUES["problem"].findall(low)))
        if strength > problem:
            out["strength"] += 1
        elif problem > strength:
            out["problem"] += 1
    return dict(out)

"""Theme titles, eighth version (the "phrases8" labeller): a subject's noun, as residents write it.

phrases7's candidates, checks, scores and picking, with these changes (docs/PERFORMANCE.md,
"titles21h"):

- **a word that qualifies another names no subject**: a candidate whose head word the theme's
  parsed statements mostly use to qualify a following noun ("public" in "the public sale of
  fireworks", "public displays"; "energy" in "energy prices"), at least QUALIFIER_SHARE of its
  uses and QUALIFIER_MIN of them, ranks with the general heads (phrases4's last resort) when it
  is one word in lower case (a name such as "NHS" or "Covid-19" names its subject however it is
  used) or its other words say nothing ("General public"): it says what kind of thing residents
  meant, not the thing. The title goes to a noun the statements are about ("Fireworks"), or to
  the phrase the word qualifies that most statements say whole ("Energy costs"). The count
  of statements a title is carried by reads the word wherever it is written, so "Public" (18
  of 80 statements, most of them "public sale", "public displays") was carried as well as
  "Fireworks" (11) and scored higher on its coverage;
- **a noun alone, in the number residents write it**: a one-word title written in lower case
  takes the form (singular or plural) the theme's statements use most ("Schools" where more of
  them write "schools" than "school"); a phrase of several words keeps the form written.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from kilvoice.topics import phrases4, phrases6, phrases7
from kilvoice.topics.labels import _singular
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, _cap

QUALIFIER_SHARE = 0.5  # of a word's uses in the parsed statements qualify a following noun
QUALIFIER_MIN = 2  # and at least this many: one "public displays" says little of the word
QUALIFYING = frozenset({"amod", "compound", "nmod"})  # dependencies of a word qualifying its head noun
_NOUNS = frozenset({"NOUN", "PROPN"})
GENERAL = 4  # phrases5's tier bit of phrases4's general heads: ranks after every specific candidate
MARK = ("~qualifiers",)  # the words that qualify, carried from ``candidates`` to ``screen`` (never a title)
_WORD = re.compile(r"[a-z]+")


@dataclass
class Qualifier(Phrase):
    """A candidate whose head word the theme's statements mostly use to qualify another noun."""


def qualifiers(docs) -> set[str]:
    """Words (singular, lower case) that the parsed statements use to qualify a following noun in at
    least QUALIFIER_SHARE of their uses, and QUALIFIER_MIN times."""
    qualifying, used = Counter(), Counter()
    for doc in docs:
        for tok in doc:
            if not tok.is_alpha:
                continue
            word = _singular(tok.lower_)
            used[word] += 1
            if tok.dep_ in QUALIFYING and tok.head.pos_ in _NOUNS and tok.head.i > tok.i:
                qualifying[word] += 1
    return {w for w, n in qualifying.items() if n >= QUALIFIER_MIN and n >= QUALIFIER_SHARE * used[w]}


def candidates(docs, exclude: frozenset[str] = frozenset(), texts: Sequence[str] = ()) -> dict[tuple[str, ...], Phrase]:
    """phrases7's candidates; the words the parsed statements use to qualify another noun ride along
    under MARK for ``screen`` (which runs once the keyphrases have joined, and drops it)."""
    docs = list(docs)
    found = phrases7.candidates(docs, exclude, texts)
    words = qualifiers(docs)
    if words:
        found[MARK] = Phrase(MARK, "~", Counter({" ".join(sorted(words)): 1}), plain=False)
    return found


def written_number(found: dict[tuple[str, ...], Phrase], texts: Sequence[str]) -> None:
    """Each one-word candidate written in lower case gets ``written``: the form of its word (singular
    or plural) the theme's statements use most, when that is not its own (a tie keeps its own). The
    candidate's text stays as it is until it is a title: the phrases are embedded together, and the
    int8 ONNX vectors move with their batch-mates (docs/PERFORMANCE.md, "titles21f")."""
    single = {key[0]: ph for key, ph in found.items() if len(key) == 1 and ph.cover is None
              and ph.text.isalpha() and ph.text.islower()}
    if not single:
        return
    words = Counter()
    for text in texts:
        words.update(_WORD.findall(text.lower()))
    forms: dict[str, Counter] = {}
    for word, n in words.items():
        base = _singular(word)
        if base in single:
            forms.setdefault(base, Counter())[word] = n
    for base, ph in single.items():
        seen = forms.get(base)
        if not seen:
            continue
        best, n = max(seen.items(), key=lambda kv: (kv[1], kv[0] == ph.text, kv[0]))
        if best != ph.text and n > seen.get(ph.text, 0):
            ph.written = best  # read by ``title_options``


def title_options(scored: list[ScoredPhrase], stance: dict | None, size: int):
    """phrases7's title options (phrases6's), a one-word title in the number residents write it."""
    for title, sp in phrases6.title_options(scored, stance, size):
        written = getattr(sp.phrase, "written", None)
        yield (_cap(written) if written and title.lower() == sp.phrase.text.lower() else title), sp


def pick_titles(ranked, stances, sizes, reserved=()):
    """phrases7's picking with ``title_options``."""
    return phrases7.pick_titles(ranked, stances, sizes, reserved, options=title_options)


def screen(found: dict[tuple[str, ...], Phrase], texts: Sequence[str]) -> dict[tuple[str, ...], Phrase]:
    """phrases7's screen; a candidate whose head word qualifies another noun in the theme's
    statements becomes a ``Qualifier``, and a one-word one takes the number residents write."""
    found = dict(found)
    mark = found.pop(MARK, None)
    out = phrases7.screen(found, texts)
    words = set(mark.text.split()) if mark is not None else set()
    for key, ph in list(out.items()):
        if ph.cover is None and key[-1] in words and not isinstance(ph, Qualifier):
            out[key] = Qualifier(**vars(ph))
    written_number(out, texts)
    return out


def _qualifying(sp: ScoredPhrase) -> bool:
    """A one-word ``Qualifier`` written in lower case (a name, "NHS", "Covid-19", names its subject
    however it is used), or a longer one whose other words say nothing (phrases4's ``SAY_NOTHING``:
    "General public"): phrases4's general heads, where the head is general in this theme."""
    ph = sp.phrase
    if not isinstance(ph, Qualifier):
        return False
    if len(ph.key) == 1:
        return ph.text.islower()
    return all(w in phrases4.SAY_NOTHING for w in ph.key[:-1])


def score_phrases(cands: dict[tuple[str, ...], Phrase], members, postings: Postings, centroid,
                  vectors) -> list[ScoredPhrase]:
    """phrases7's tiers, scores and near ties; a qualifying word (``_qualifying``) ranks with the
    general heads, and the phrase it qualifies that most statements say whole, if any and not
    ranked before it already, takes its place ("Energy" -> "Energy costs")."""
    scored = phrases7.score_phrases(cands, members, postings, centroid, vectors)
    out, moved = [], set()
    for i, sp in enumerate(scored):
        if id(sp) in moved:
            continue
        if not _qualifying(sp):
            out.append(sp)
            continue
        tier = sp.tier
        sp.tier |= GENERAL
        if len(sp.phrase.key) == 1:
            word = sp.phrase.key[0]
            longer = [o for o in scored[i + 1:] if id(o) not in moved and word in o.phrase.key[:-1]
                      and not o.phrase.joined and not _qualifying(o) and o.count >= QUALIFIER_MIN]
            best = max(longer, key=lambda o: (o.count, o.score), default=None)
            if best is not None:
                best.tier = min(best.tier, tier)
                moved.add(id(best))
                out.append(best)
        out.append(sp)
    out.sort(key=lambda sp: sp.tier)  # stable: phrases7's order within a tier stands
    return out


said_stances = phrases7.said_stances

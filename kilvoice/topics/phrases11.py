"""Theme titles, eleventh version (the "phrases11" labeller): a compound keeps its first noun.

phrases10's candidates, checks, scores, picking, catch-all names and descriptions, with two changes
(docs/PERFORMANCE.md, "session33"):

- **"Call handlers", not "Handler"**: a candidate is written from its noun chunk with the leading
  words that say nothing trimmed off, and those are read from an English stop-word list
  (scikit-learn's) that holds some nouns: "call", "fire", "side", "interest", "front", "back",
  "system", "bill". So "the call handler was calm" gave the candidate "handler", "side effects"
  "effects", "interest rates" "rates", "front line staff" "line staff"; on NHS comments about the
  111 service a theme of 216 statements was titled "Handler". Such a noun that qualifies the word
  after it (a compound: ``STOP_NOUNS``) is now written back into the candidate's surface form,
  for the share of the candidate's uses that had it, and so is a subject said of ("Calm call
  handlers" of "the call handler was calm", not "Calm handlers"). The candidate's key, and so what counts as
  carrying it, is unchanged ("handler" is in every "call handler"); only how it is written moves;
- **praise said as a limit reached is praise** ("couldn't have been more helpful", "could not do
  enough for us", "nothing was too much trouble"), in what decides "General praise", "Praise for ..."
  and "Mixed: mostly praise", as stance ``cues.v5`` counts it (``stance.said_limit``).
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from kilvoice.topics import phrases10
from kilvoice.topics.phrases import Phrase, _surface, _trim
from kilvoice.topics.phrases10 import (catch_all_name, mentions, pick_titles,  # noqa: F401 - the parts
                                       score_phrases, screen)
from kilvoice.topics.stance import lowered, said_limit

# nouns in scikit-learn's English stop words that start compounds residents write: "call handler",
# "fire service", "side effects", "interest rates", "front door", "back lane", "system failure", "bill payers"
STOP_NOUNS = frozenset({"call", "fire", "side", "interest", "front", "back", "system", "bill", "top", "bottom"})
QUALIFYING = frozenset({"compound", "amod", "nmod"})


def restored_forms(docs) -> dict[str, Counter]:
    """For each trimmed chunk's surface form (lower case), how often it was written after a
    STOP_NOUNS word qualifying it, by the form with that word ("handler" -> {"call handler": 27})."""
    out: dict[str, Counter] = {}
    for doc in docs:
        for chunk in doc.noun_chunks:
            toks = _trim(chunk)
            if not toks or toks[0].i == chunk.start:
                continue
            prev = doc[toks[0].i - 1]
            if prev.lower_ in STOP_NOUNS and prev.dep_ in QUALIFYING and prev.head.i >= toks[0].i:
                trimmed = _surface(toks)
                out.setdefault(trimmed.lower(), Counter())[_surface([prev] + toks)] += 1
    return out


def candidates(docs, exclude: frozenset[str] = frozenset(), texts: Sequence[str] = ()) -> dict[tuple[str, ...], Phrase]:
    """phrases10's candidates, each surface form that lost a STOP_NOUNS word before it written with
    that word, for as many of its uses as had it."""
    docs = list(docs)
    found = phrases10.candidates(docs, exclude, texts)
    restored = restored_forms(docs)
    if not restored:
        return found
    longest_first = sorted(restored, key=len, reverse=True)
    for ph in found.values():
        forms = Counter()
        for form, n in ph.forms.items():
            low = form.lower()
            # the form itself ("handler"), or the subject it ends in ("calm handler", said of "the call handler")
            trimmed = next((t for t in longest_first if low == t or low.endswith(" " + t)), None)
            if trimmed is not None:
                lead = form[:len(form) - len(trimmed)]
                for full, k in restored[trimmed].most_common():
                    take = min(k, n)
                    forms[lead + full] += take
                    n -= take
            if n:
                forms[form] += n
        ph.forms = forms
    return found


def said_stances(texts: Sequence[str]) -> dict[str, int]:
    """phrases10's ``said_stances``, praise said as a limit reached read as praise ("no complaints", as
    phrases9 marks what it reads as praise)."""
    return phrases10.said_stances([said_limit(lowered(t), " no complaints ")[0] for t in texts])

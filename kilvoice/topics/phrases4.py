"""Theme titles, fourth version (the "phrases4" labeller): titles many statements carry.

phrases3's candidates, checks and scores, with these changes (docs/PERFORMANCE.md, "titles21d"):

- **a title is carried by many statements**: a candidate whose words (the head noun of each of its
  parts, or what an aspect stands for: "caring" for "Caring staff") appear in fewer than
  COVER_MIN of the theme's statements ranks after every candidate that reaches it ("Phone calls",
  said by 3 of 198; "Awareness-raising campaign", 3 of 34). When none reaches it, the best
  stays, and the theme's narrow-title caveat says so;
- **a general head is the last resort**: a phrase whose nouns say nothing on their own (``GENERAL_HEADS``: change, rights, workers, time, people, progress ...)
  with no word that makes it specific ("Change", "Long time", "Better people", "Good progress",
  "Length of time", "End of March"; ``SAY_NOTHING`` modifiers), or that gives one statement's
  figure ("Space of approximately 100-200 acres"), ranks after every specific one ("Climate
  change", "Human rights", "Key workers" and "Time for my appointment" are specific);
- **casing as residents write it**: each title word takes the casing most of the theme's
  statements give it away from a sentence start, never capitals of more than four letters that
  are no acronym ("Co2 CARBON EMISSIONS" -> "CO2 carbon emissions");
- **a title goes to the theme it fits best**: when two themes want the same phrase, the one that
  scores it higher takes it and the other its next (phrases3: the larger theme took it, so a
  catch-all took "experience" from the theme it named).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from kilvoice.topics import phrases3
from kilvoice.topics.labels import ACRONYMS
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, _unique, title_heads, title_options

COVER_MIN = 0.10  # share of a theme's statements a title's words should appear in
GENERAL_HEADS = frozenset({
    "change", "changes", "right", "rights", "worker", "workers", "time", "times", "people", "person", "persons",
    "limit", "limits", "case", "cases", "progress", "course", "length", "difference", "result", "results",
    "effect", "effects", "everything", "something", "problem", "problems", "idea", "ideas", "option", "options",
    "experience", "level", "levels", "quality", "standard", "standards", "value", "values", "future",
    "situation", "factor", "factors", "process", "processes", "occasion", "occasions", "set", "human", "humans",
    "individual", "individuals", "sector", "institution", "institutions", "chance", "chances", "plan", "plans",
    "year", "years", "month", "months", "week", "weeks", "day", "days", "end", "start", "variety", "position",
    "positions", "choice", "choices", "spread", "peak", "amount", "group", "groups", "place", "places",
    # dates name when, not what: "End of March"
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
})
# modifiers that leave a general head general: "long time", "better people", "good progress"
SAY_NOTHING = frozenset({
    "long", "longer", "short", "good", "better", "best", "great", "bad", "worse", "big", "bigger", "small", "more",
    "less", "few", "many", "much", "real", "whole", "new", "old", "little", "high", "higher", "low", "right",
    "wrong", "important", "main", "general", "overall", "positive", "negative", "significant", "huge", "massive",
    "nice", "same", "other", "major", "minor", "serious", "current", "possible", "proper", "total",
    "full", "certain", "different", "lot", "lots", "kind", "first", "last", "next", "past", "individual",
    "early", "late", "recent", "own",
})
# acronyms titles keep that the shared list (kilvoice.topics.labels.ACRONYMS) does not hold
MORE_ACRONYMS = {"co2": "CO2", "ev": "EV", "evs": "EVs", "ai": "AI", "lgbtq": "LGBTQ", "un": "UN", "covid": "Covid",
                 "covid-19": "Covid-19", "ltn": "LTN", "ltns": "LTNs", "ulez": "ULEZ"}
_OPENING = frozenset(".!?:;\"'(\u201c\u2018")  # a word after these starts a sentence (or a quote)
SHOUTY = 4  # a word in capitals longer than this, and no acronym, is lower-cased
_PARTS = re.compile(r",|\b(?:and|or|of|for|in|on|at|to|with|from)\b")
_NUMBER = re.compile(r"\d[\d,.\-]*")
_FUNCTION = frozenset({"a", "an", "the", "my", "our", "your", "their", "its", "his", "her", "this", "that"})
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")


def general(ph: Phrase) -> bool:
    """A phrase whose nouns say nothing on their own and no other word makes specific: "Change",
    "Long time", "Better people", "Length of time", "Weeks and 5 days"; not "Climate change", nor
    "Time for my appointment"."""
    parts = [re.findall(r"[a-z0-9'-]+", part) for part in _PARTS.split(ph.text.lower())]
    parts = [[w for w in part if w not in _FUNCTION] for part in parts]
    if any(_NUMBER.fullmatch(w) for part in parts for w in part):  # one statement's figure: "100-200 acres"
        return True
    return all(part[-1] in GENERAL_HEADS and all(w in SAY_NOTHING or w.isdigit() for w in part[:-1])
               for part in parts if part)


def _casings(texts: Sequence[str], words: set[str]) -> dict[str, Counter]:
    """How the theme's statements write each of ``words`` (lower case), away from a sentence start."""
    seen: dict[str, Counter] = {w: Counter() for w in words}
    for text in texts:
        for m in _TOKEN.finditer(text):
            word = m.group(0)
            low = word if word.islower() else word.lower()
            if low in seen:
                j = m.start() - 1
                while j >= 0 and text[j].isspace():
                    j -= 1
                if j >= 0 and text[j] not in _OPENING:
                    seen[low][word] += 1
    return seen
    # the words themselves, found by the regular expression engine (a pass in Python over every
    # token of a theme's statements cost 0.2 s per 10,000 statements)
    find = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True))
                      + r")(?![A-Za-z0-9]|[-'][A-Za-z0-9])", re.IGNORECASE)
    for text in texts:
        for m in find.finditer(text):
            before = text[:m.start()].rstrip()
            if before and before[-1] not in ".!?:;\"'(\u201c\u2018":
                seen[m.group(0).lower()][m.group(0)] += 1
    return seen


def recase(text: str, casings: dict[str, Counter]) -> str:
    """``text`` with each word in the casing the statements give it most (see the module docstring)."""
    def one(m) -> str:
        word = m.group(0)
        low = word.lower()
        if low in ACRONYMS or low in MORE_ACRONYMS:
            return ACRONYMS.get(low) or MORE_ACRONYMS[low]
        forms = casings.get(low)
        if forms:
            word = max(forms.items(), key=lambda kv: (kv[1], kv[0] == low, kv[0]))[0]
        return low if word.isupper() and len(word) > SHOUTY else word
    return _TOKEN.sub(one, text)


def candidates(docs, exclude: frozenset[str] = frozenset(), texts: Sequence[str] = (),
               spans=None) -> dict[tuple[str, ...], Phrase]:
    """phrases3's candidates, each written as the theme's statements mostly write its words
    (``spans``: a later version's, default phrases2's)."""
    found = phrases3.candidates(docs, exclude, texts, spans=spans)
    words = {m.group(0).lower() for ph in found.values() for form in ph.forms for m in _TOKEN.finditer(form)}
    casings = _casings(texts, words)
    for ph in found.values():
        forms = Counter()
        for form, n in ph.forms.items():
            forms[recase(form, casings)] += n
        ph.forms = forms
    return found


def carried(ph: Phrase, inside, postings) -> int:
    """Statements of the theme (``inside``, a mask) that use the head noun of some part of the phrase,
    or all the words it stands for (``cover``)."""
    if ph.cover:
        return int(postings.using(tuple(ph.cover))[inside].sum())
    heads = title_heads(ph.text) or {ph.head}
    use = None
    for head in heads:
        one = postings.using((head,))
        use = one if use is None else (use | one)
    return int(use[inside].sum())


def score_phrases(cands: dict[tuple[str, ...], Phrase], members, postings: Postings, centroid,
                  vectors) -> list[ScoredPhrase]:
    """phrases3's scores, ranked in tiers (``ScoredPhrase.tier``): specific and carried by
    COVER_MIN of the theme (0); specific (1); general and carried (2); general (3). Score order
    within a tier (see the module docstring)."""
    import numpy as np

    scored = phrases3.score_phrases(cands, members, postings, centroid, vectors)
    inside = np.zeros(postings.n, dtype=bool)
    inside[members] = True
    need, waiting = COVER_MIN * len(members), phrases3._Waiting(postings)
    for sp in scored:
        sp.tier = 2 * general(sp.phrase) + (carried(sp.phrase, inside, waiting) < need)
    return sorted(scored, key=lambda sp: (sp.tier, -sp.score, sp.phrase.text))


def pick_titles(ranked: list[list[ScoredPhrase]], stances: list[dict], sizes: list[int],
                reserved: Sequence[str] = (), options=title_options) -> list[tuple[str, Phrase | None]]:
    """One unique title per theme: each theme asks for its best title not yet taken; when several
    ask for the same title (or phrase), the theme that ranks it higher (tier, then score; ties: the
    earlier theme) takes it and the others ask again. A theme with nothing left is "Mixed statements".
    ``options``: a theme's titles in order (default phrases' ``title_options``)."""
    taken = {t.lower() for t in reserved}
    keys: set[tuple[str, ...]] = set()
    asks = [options(scored, stance, size) for scored, stance, size in zip(ranked, stances, sizes)]
    asking: dict[int, tuple[str, ScoredPhrase]] = {}
    out: list = [None] * len(ranked)
    pending = set(range(len(ranked)))
    while pending:
        for i in sorted(pending):
            ask = asking.get(i)
            while ask is None or ask[0].lower() in taken or ask[1].phrase.key in keys:
                ask = next(asks[i], None)
                if ask is None:
                    break
            if ask is None:
                pending.discard(i)
                asking.pop(i, None)
            else:
                asking[i] = ask
        by_standing = sorted(pending, key=lambda i: (asking[i][1].tier, -asking[i][1].score, i))
        for i in by_standing:  # the best-placed ask first; a rival asking for what it took asks again
            title, sp = asking[i]
            if title.lower() in taken or sp.phrase.key in keys:
                continue
            out[i] = (title, sp.phrase)
            taken.add(title.lower())
            keys.add(sp.phrase.key)
            pending.discard(i)
    for i, chosen in enumerate(out):
        if chosen is None:
            out[i] = (_unique("Mixed statements", taken), None)
            taken.add(out[i][0].lower())
    return out

"""Theme titles, twelfth version (the "phrases12" labeller): a broad subject, when nothing narrower names the theme.

phrases11's candidates, checks, scores, picking, catch-all names and descriptions, with one change
(docs/PERFORMANCE.md, "session34"):

- **the broad subject most of a theme's statements use, when no narrower candidate names it**.
  phrases5 never lets a broad noun that names no thing of its own title a theme alone
  (``phrases5.ABSTRACT``: "work", "help", "government"); a theme then takes its best-scored narrower
  candidate. When no candidate is carried by phrases4's ``COVER_MIN`` (a tenth) of the theme, that
  candidate names almost none of it. On 1,500 real mixed notes a theme of 183 statements, 162 of
  them saying "work", was titled "Understanding" (said in 3). Such a noun (``SUBJECT``, the nouns
  of ``ABSTRACT`` that can be a subject; not "problem", "point", "lot" or times of day) that the
  theme's parsed statements use as a noun and at least ``SUBJECT_SHARE`` of its statements use is
  now its title, ranked first, only in that case. Where a narrower candidate names a tenth of the
  theme, the broad noun stays out, as before.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from kilvoice.topics import phrases11
from kilvoice.topics.labels import _singular
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, key_of
from kilvoice.topics.phrases4 import COVER_MIN
from kilvoice.topics.phrases11 import (catch_all_name, mentions, pick_titles, said_stances,  # noqa: F401 - the parts
                                       screen)

# phrases5.ABSTRACT's nouns that can be what a theme is about (singular): "Work", "Help", "Government".
# Not "problem", "issue", "idea", "point", "fact", "lot", "part", "case", "side", "end" (they say
# nothing of a subject), nor times ("week", "morning"), nor "uk" (a name the parser does not call a noun)
SUBJECT = frozenset({"work", "help", "support", "life", "world", "home", "community", "council", "government",
                     "service", "group"})
SUBJECT_SHARE = 0.5  # of the theme's statements use the word: most of them
NOUN_TAGS = frozenset({"NN", "NNS"})


def candidates(docs, exclude: frozenset[str] = frozenset(), texts: Sequence[str] = ()) -> dict[tuple[str, ...], Phrase]:
    """phrases11's candidates, and each ``SUBJECT`` noun that the parsed statements use as a noun and
    ``SUBJECT_SHARE`` of ``texts`` use (``score_phrases`` decides whether it may title the theme)."""
    docs = list(docs)
    found = phrases11.candidates(docs, exclude, texts)
    forms: dict[str, Counter] = {}
    for doc in docs:
        for tok in doc:
            word = _singular(tok.lower_)
            if tok.tag_ in NOUN_TAGS and word in SUBJECT and tok.lower_ not in exclude:
                forms.setdefault(word, Counter())[tok.lower_] += 1
    if not forms or not texts:
        return found
    postings = Postings(texts)
    for word, seen in sorted(forms.items()):
        key = key_of(word)
        if key != (word,) or key in found or postings.using(key).sum() < SUBJECT_SHARE * len(texts):
            continue
        found[key] = Phrase(key, word, Counter({seen.most_common(1)[0][0]: 1}))
    return found


def _subject(key: tuple[str, ...]) -> bool:
    return len(key) == 1 and key[0] in SUBJECT


def score_phrases(cands: dict[tuple[str, ...], Phrase], members, postings: Postings, centroid,
                  vectors) -> list[ScoredPhrase]:
    """phrases11's ranking of the narrower candidates; when none of them is carried by COVER_MIN of
    the theme, the ``SUBJECT`` candidate most of its statements use comes first (see the module
    docstring). A subject candidate never ranks otherwise."""
    scored = phrases11.score_phrases({k: ph for k, ph in cands.items() if not _subject(k)}, members, postings,
                                     centroid, vectors)
    subjects = [ph for k, ph in cands.items() if _subject(k)]
    n = len(members)
    best = max((sp.carried if sp.carried is not None else sp.count for sp in scored), default=0)
    if not subjects or not n or best >= COVER_MIN * n:
        return scored
    used = {ph.key: int(postings.using(ph.key)[members].sum()) for ph in subjects}
    top = max(subjects, key=lambda ph: (used[ph.key], ph.text))
    if used[top.key] < SUBJECT_SHARE * n:
        return scored
    lead = max((sp.score for sp in scored), default=0.0)
    return [ScoredPhrase(top, score=lead, count=used[top.key], tier=0, carried=used[top.key])] + scored

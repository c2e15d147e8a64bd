"""Theme titles, fifth version (the "phrases5" labeller): a title carried as the theme is.

phrases4's candidates, checks, scores and picking, with these changes (docs/PERFORMANCE.md,
"titles21e"):

- **carried as well as the best**: phrases4 put a title carried by COVER_MIN (10%) of the theme
  first, however many more statements another candidate is carried by: "Ambulance service"
  (the 41 of 292 statements that say "service") won over "Ambulance", "Plastic waste" (14 of 139)
  over "Plastic". A candidate's words (the head noun of each part, as the report's narrow-title
  check reads them) must now appear in at least CARRY_SHARE of the statements the theme's
  best-carried specific candidate appears in, else it ranks after every candidate that does;
- **a longer phrase only as carried**: a one-word winner gives way to the phrase around it
  ("library" -> "mobile library") only when that phrase is carried by CARRY_SHARE of the word's
  statements (phrases' ``_longer`` asked for a fifth of those saying every word of it, and the
  title then read "Ambulance service" for a theme of ambulances);
- **a broad noun alone, when the theme is about it**: nouns such as "children", "school",
  "women" never titled a theme alone (``labels.GENERIC``: too broad for keyword pairs), so a
  theme where most statements say "children" was "Young people". Such a noun the theme's parsed
  statements use as a noun is a candidate when at least ALONE_SHARE of the theme's statements
  use it; those that name no thing ("work", "help", "support", "problem") or a body every theme
  names ("government", "council": ``ABSTRACT``) stay out;
- **groups by what their themes are about**: a theme shares a phrase with the rest of its group
  only when the phrase (or its head) is among the theme's own 6 best candidates (``group_own_top``
  in kilvoice.topics.labellers), not a
  word a tenth of its statements happen to use: on the samples "Food" no longer names a group of
  Leisure centre, Market hall, Health centre and Shop (they share nothing, so each stands alone);
- **no verb fragments**: a verb phrase whose verb is finite or a participle ("Undermines the
  quality of life", "Stopped the funding") reads as a clipped sentence, not a title; a verb in its
  base form ("Fix the potholes", "Ban plastic") stays.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np

from kilvoice.topics import phrases, phrases2, phrases3, phrases4
from kilvoice.topics.labels import GENERIC, _singular
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, _longer, key_of

CARRY_SHARE = 0.33  # of the statements the best-carried candidate is carried by
ALONE_SHARE = 0.25  # of the theme's statements, for a broad noun alone ("Children")
# broad nouns that name no thing of their own, never a title alone
ABSTRACT = frozenset({
    "work", "help", "support", "lot", "part", "case", "problem", "problems", "issue", "issues", "idea", "point",
    "fact", "side", "end", "ones", "fun", "free", "old", "young", "older", "stop", "today", "life", "lives",
    "world", "week", "weeks", "month", "months", "morning", "night", "evening", "weekend", "hour", "hours",
    "minutes", "group", "groups", "service", "services",
    # bodies and places every theme of a consultation names: "Government", "Council", "Community"
    "uk", "government", "council", "community", "home",
})
ALONE = GENERIC - ABSTRACT
FRAGMENT_TAGS = frozenset({"VBZ", "VBD", "VBN", "VBP"})  # "undermines", "stopped", "given", "are"


def _from_a_word(toks: list) -> list:
    """``toks`` from its first token that begins with a letter or digit: the tagger calls the "%"
    of "60% renewable energy" a noun, and a title never starts with a symbol."""
    start = next((k for k, tok in enumerate(toks) if tok.text[:1].isalnum()), len(toks))
    return toks[start:]


def spans(doc) -> list[tuple[list, bool]]:
    """phrases2's spans less verb phrases led by a finite verb or a participle, each from its first
    word."""
    out = []
    for toks, joined in phrases2.spans(doc):
        toks = _from_a_word(toks)
        if toks and not (getattr(toks[0], "tag_", "") in FRAGMENT_TAGS and toks[0].pos_ in ("VERB", "AUX")):
            out.append((toks, joined))
    return out


def candidates(docs, exclude: frozenset[str] = frozenset(), texts: Sequence[str] = (),
               spans=spans) -> dict[tuple[str, ...], Phrase]:
    """phrases4's candidates (with ``spans``: this version's, or a later one's), and the broad nouns
    alone the theme is about."""
    docs = list(docs)
    found = phrases4.candidates(docs, exclude, texts, spans=spans)
    forms: dict[str, Counter] = {}
    for doc in docs:
        for tok in doc:
            if tok.tag_ in ("NN", "NNS") and tok.lower_ in ALONE and tok.lower_ not in exclude:
                forms.setdefault(_singular(tok.lower_), Counter())[tok.lower_] += 1
    if not forms:
        return found
    postings = Postings(texts)
    for word, seen in sorted(forms.items()):
        key = key_of(word)
        if key != (word,) or key in found or postings.using(key).sum() < ALONE_SHARE * max(len(texts), 1):
            continue
        found[key] = Phrase(key, word, Counter({seen.most_common(1)[0][0]: 1}))
    return found


def score_phrases(cands: dict[tuple[str, ...], Phrase], members, postings: Postings, centroid,
                  vectors) -> list[ScoredPhrase]:
    """phrases4's tiers, each split in two: carried by CARRY_SHARE of what the best-carried
    specific candidate is carried by, first (see the module docstring)."""
    scored = phrases4.score_phrases(cands, members, postings, centroid, vectors)
    inside = np.zeros(postings.n, dtype=bool)
    inside[members] = True
    waiting = phrases3._Waiting(postings)
    for sp in scored:
        sp.carried = phrases4.carried(sp.phrase, inside, waiting)
    best = max((sp.carried for sp in scored if sp.tier < 2), default=0)
    for sp in scored:
        sp.tier = 2 * sp.tier + (sp.carried < CARRY_SHARE * best)
    return sorted(scored, key=lambda sp: (sp.tier, -sp.score, sp.phrase.text))


def title_options(scored: list[ScoredPhrase], stance: dict | None, size: int):
    """phrases' title options, a one-word phrase giving way to a longer one only when that is
    carried by CARRY_SHARE of the word's statements."""
    return phrases.title_options(scored, stance, size, longer=_carried_longer)


def _carried_longer(sp: ScoredPhrase, scored: list[ScoredPhrase]) -> ScoredPhrase:
    return _longer(sp, [o for o in scored if o.carried is None or sp.carried is None
                        or o.carried >= CARRY_SHARE * sp.carried])


def pick_titles(ranked, stances, sizes, reserved=()):
    """phrases4's picking with ``title_options``."""
    return phrases4.pick_titles(ranked, stances, sizes, reserved, options=title_options)

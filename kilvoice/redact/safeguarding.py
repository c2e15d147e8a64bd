"""Safeguarding flags: does this text disclose that a specific person is harmed or at risk?

A flag means the text says that the speaker, or someone they know or name (a child, partner,
parent, neighbour, client), is being harmed, is at risk of harm, or may harm themselves:
self-harm and suicidal thoughts, domestic abuse, child abuse or neglect, sexual abuse,
exploitation and grooming, threats to kill or hurt, stalking, adult neglect. Talk about
policy, services, news and fiction, and idiom ("abuse of power", "drug abuse services",
"the council's threat to close the library", "I'd kill for a decent bus", "kill the bill") is
not a disclosure.

How: the text is cut into sentences (``sentence_spans``) and lower-cased; each rule has a cheap
literal anchor and is tried only where it matches; rules that each describe a *construction* (a harm verb with a
personal object, "threatened to kill", "took an overdose", "(was) raped", "left alone all night"
with a child ...) decide, and a word's category is refined by who is in the sentence (a partner
or family member: domestic-violence; a child: child-at-risk). The rules and what each is for
are in ``kilvoice.redact.safeguarding_rules``. A sentence the rules leave is then tried by the
semantic stage (``kilvoice.redact.safeguarding_semantic``: bundled static embeddings against an
exemplar bank), which catches some phrasing no rule lists; a sentence is flagged when either
flags it (``SEMANTIC = False`` or ``semantic=False``: rules alone). The written evaluation set is
in ``tests/fixtures/safeguarding`` and the figures in docs/PERFORMANCE.md.

Returns categories only, never the matched words.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from kilvoice.redact.safeguarding_rules import ANIMAL, CATEGORIES, CHILD, FAMILY, RULES, VETO, VETO_WORDS

__all__ = ["CATEGORIES", "rule_sentence_categories", "safeguarding_categories", "safeguarding_flags",
           "sentence_categories", "sentence_spans"]

# The semantic stage (``safeguarding_semantic``) adds sentences that read like the written
# disclosures though no rule lists their phrasing; ``False`` gives the rules alone.
SEMANTIC = True

# A sentence ends at . ! ? (and closing quotes/brackets) followed by space, or at a line break.
_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\s*\n\s*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (stripped, non-empty)."""
    spans, pos = [], 0
    for m in _SENT_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def _vetoed(low: str) -> bool:
    """A sentence about a film, book, the news ... (lower-cased): never flagged."""
    return any(w in low for w in VETO_WORDS) and bool(VETO.search(low))


def _classify(sentence: str) -> set[str]:
    """Categories the rules give one sentence."""
    low = sentence.lower()
    if _vetoed(low):
        return set()
    found: set[str] = set()
    for rule in RULES:
        if any(w in low for w in rule.anchor) and rule.pattern.search(low):
            if rule.not_animals and ANIMAL.search(low):
                continue
            found.update(rule.categories)
            if rule.refine:
                if FAMILY.search(low):
                    found.add("domestic-violence")
                if CHILD.search(low):
                    found.add("child-at-risk")
    return found


def rule_sentence_categories(text: str) -> list[tuple[int, int, list[str]]]:
    """``(start, end, categories)`` for each sentence of ``text`` the rules flag."""
    out = []
    for start, end in sentence_spans(text):
        cats = _classify(text[start:end])
        if cats:
            out.append((start, end, sorted(cats)))
    return out


def sentence_categories(text: str, semantic: bool | None = None) -> list[tuple[int, int, list[str]]]:
    """``(start, end, categories)`` for each flagged sentence of ``text`` (offsets into ``text``):
    the rules' categories, or for a sentence they leave (and do not veto) the semantic stage's."""
    if not (SEMANTIC if semantic is None else semantic):
        return rule_sentence_categories(text)
    spans = sentence_spans(text)
    cats = [_classify(text[s:e]) for s, e in spans]
    rest = [i for i, (s, e) in enumerate(spans) if not cats[i] and not _vetoed(text[s:e].lower())]
    if rest:
        from kilvoice.redact.safeguarding_semantic import semantic_categories

        for i, found in zip(rest, semantic_categories([text[spans[i][0]:spans[i][1]] for i in rest])):
            cats[i] = set(found)
    return [(s, e, sorted(c)) for (s, e), c in zip(spans, cats) if c]


def safeguarding_categories(text: str, semantic: bool | None = None) -> list[str]:
    """Categories of all flagged sentences of ``text`` (sorted); never the matched words."""
    found: set[str] = set()
    for _, _, cats in sentence_categories(text, semantic):
        found.update(cats)
    return sorted(found)


def safeguarding_flags(texts: Iterable[str]) -> list[tuple[str, str]]:
    """``("safeguarding", category)`` pairs for a note given as texts."""
    found: set[str] = set()
    for text in texts:
        found.update(safeguarding_categories(text))
    return [("safeguarding", cat) for cat in sorted(found)]

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
from collections.abc import Iterable, Sequence

from kilvoice.redact.safeguarding_rules import ANIMAL, CATEGORIES, CHILD, FAMILY, RULES, VETO, VETO_WORDS

__all__ = ["CATEGORIES", "categories_many", "rule_sentence_categories", "safeguarding_categories", "safeguarding_flags",
           "sentence_categories", "sentence_categories_many", "sentence_spans"]

# The semantic stage (``safeguarding_semantic``) adds sentences that read like the written
# disclosures though no rule lists their phrasing; ``False`` gives the rules alone.
SEMANTIC = True

# Every rule's literal anchors (``_rules_for``).
_ANCHORS = tuple(sorted({w for rule in RULES for w in rule.anchor}))
_ALL_RULES = [(rule, rule.anchor) for rule in RULES]
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


def _rules_for(low_text: str) -> tuple[list, bool]:
    """``(rule, its anchors present)`` for the rules with an anchor in ``low_text`` (a whole
    lower-cased text), and whether it has a veto word: a sentence can only hold what its text
    holds, so its sentences are tried against these alone (one pass over the anchors per text)."""
    present = {w for w in _ANCHORS if w in low_text}
    rules = [(r, [w for w in r.anchor if w in present]) for r in RULES if not present.isdisjoint(r.anchor)]
    return rules, any(w in low_text for w in VETO_WORDS)


def _classify(sentence: str, rules=None, veto: bool = True) -> set[str]:
    """Categories the rules give one sentence (``rules``/``veto``: from ``_rules_for`` of its text)."""
    low = sentence.lower()
    if veto and _vetoed(low):
        return set()
    found: set[str] = set()
    for rule, anchor in rules if rules is not None else _ALL_RULES:
        if any(w in low for w in anchor) and rule.pattern.search(low):
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
    return sentence_categories(text, semantic=False)


def sentence_categories_many(texts: Sequence[str], semantic: bool | None = None
                             ) -> list[list[tuple[int, int, list[str]]]]:
    """``sentence_categories`` for many texts: the rules per sentence, then the semantic stage once
    over every sentence of every text that the rules leave (one batch, one matrix product)."""
    use_semantic = SEMANTIC if semantic is None else semantic
    spans_per_text, cats_per_text, rest = [], [], []
    for t, text in enumerate(texts):
        spans = sentence_spans(text)
        rules, veto = _rules_for(text.lower())
        cats = [_classify(text[s:e], rules, veto) for s, e in spans]
        if use_semantic:
            rest += [(t, i) for i, (s, e) in enumerate(spans)
                     if not cats[i] and not (veto and _vetoed(text[s:e].lower()))]
        spans_per_text.append(spans)
        cats_per_text.append(cats)
    if rest:
        from kilvoice.redact.safeguarding_semantic import semantic_categories

        sentences = [texts[t][spans_per_text[t][i][0]:spans_per_text[t][i][1]] for t, i in rest]
        for (t, i), found in zip(rest, semantic_categories(sentences)):
            cats_per_text[t][i] = set(found)
    return [[(s, e, sorted(c)) for (s, e), c in zip(spans, cats) if c]
            for spans, cats in zip(spans_per_text, cats_per_text)]


def sentence_categories(text: str, semantic: bool | None = None) -> list[tuple[int, int, list[str]]]:
    """``(start, end, categories)`` for each flagged sentence of ``text`` (offsets into ``text``):
    the rules' categories, or for a sentence they leave (and do not veto) the semantic stage's."""
    return sentence_categories_many([text], semantic)[0]


def categories_many(texts: Sequence[str], semantic: bool | None = None) -> list[list[str]]:
    """``safeguarding_categories`` of each text, batched (``sentence_categories_many``)."""
    return [sorted({c for _, _, cats in found for c in cats}) for found in sentence_categories_many(texts, semantic)]


def safeguarding_categories(text: str, semantic: bool | None = None) -> list[str]:
    """Categories of all flagged sentences of ``text`` (sorted); never the matched words."""
    return categories_many([text], semantic)[0]


def safeguarding_flags(texts: Iterable[str]) -> list[tuple[str, str]]:
    """``("safeguarding", category)`` pairs for a note given as texts."""
    found = {c for cats in categories_many(list(texts)) for c in cats}
    return [("safeguarding", cat) for cat in sorted(found)]

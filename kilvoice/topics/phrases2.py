"""Theme titles, second version (the "phrases2" labeller): the subject and what is said about it.

The "phrases" labeller (kilvoice.topics.phrases) often titled a theme with its subject alone
("Staff", "Ambulance", "Towpath") or with a vague phrase ("Great deal", "Piece of work"). This
version keeps its candidates, its checks and its picking, and changes these:

- **what is said about a subject is a candidate**: a subject with the adjectives a statement says
  of it ("the staff were friendly and helpful" -> "friendly and helpful staff"; "waiting times are
  too long" -> "long waiting times"), taken from one statement, as written;
- **vague heads name nothing**: a phrase whose head noun is a word of speech or of structure
  (deal, piece, issue, point, matter, question, answer ...; ``VAGUE_HEADS``), or that opens with
  one before "of" ("piece of work", "number of schools"), is no title; nor is an adjective that
  needs a complement ("universities are able to ..." gives no "able universities");
- **a subject alone is the last resort**: score = coverage ** COVERAGE_POWER x distinctiveness
  x closeness ** CLOSE_POWER x a length weight that favours two to five words (``LENGTH_WEIGHT``):
  a one-word subject scores half of what a phrase around it scores at the same coverage (0.7
  before); and a longer phrase no longer borrows its head noun's coverage when few of the
  statements using that noun say it (``MIN_HEAD_SHARE``: "end for football", 2 of 49).

Closeness squared (more weight to the centroid than to frequency) was tried and lost on every
dev set (docs/PERFORMANCE.md, issue 21 second pass); CLOSE_POWER stays 1.
"""
from __future__ import annotations

import re

import numpy as np

from kilvoice.topics import phrases
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, _spans, _trim

# heads of speech and of structure; not "area" ("rural area"), "level" ("sea level") or "respect"
VAGUE_HEADS = frozenset({
    "deal", "piece", "issue", "issues", "point", "points", "matter", "matters", "question", "questions",
    "answer", "answers", "thing", "things", "lot", "way", "moment", "part", "aspect", "sort", "kind",
    "fact", "case", "example", "instance", "bit", "number", "amount", "range", "side", "term", "terms",
    "regard", "sense", "reason", "reasons", "situation",
})
LENGTH_WEIGHT = {1: 0.5, 2: 1.0, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.7}
COVERAGE_POWER = 0.5
CLOSE_POWER = 1.0
_OF = re.compile(r"^(\w+) of ")
MIN_HEAD_SHARE = 0.1  # a longer phrase is said by at least this share of those using its head noun
_BE = frozenset({"be", "is", "are", "was", "were", "been", "being", "'s", "'re", "seem", "seemed", "seems",
                 "feel", "felt", "feels", "look", "looked"})


def said_about(doc) -> list[tuple[list, bool]]:
    """(tokens, joined) of "adjectives + subject" that one statement says: "the staff were friendly
    and helpful" -> "friendly and helpful staff". The subject is a noun chunk (trimmed), the
    adjectives the complement of a form of "be" (and their conjuncts), adverbs ("very") left out."""
    out = []
    chunks = {c.root.i: c for c in doc.noun_chunks}
    for tok in doc:
        if tok.dep_ != "nsubj" or tok.i not in chunks or tok.head.lower_ not in _BE:
            continue
        subject = _trim(chunks[tok.i])
        if not subject or subject[-1].pos_ not in ("NOUN", "PROPN"):
            continue
        adjs = [c for c in tok.head.children if c.dep_ == "acomp" and c.pos_ == "ADJ"
                and not any(g.dep_ in ("xcomp", "prep", "ccomp") for g in c.children)]  # not "able to ..."
        if not adjs:
            continue
        adjs += [c for c in adjs[0].children if c.dep_ == "conj" and c.pos_ == "ADJ"][:1]
        if any(c.dep_ == "neg" for c in tok.head.children):  # "were not helpful": no adjective title
            continue
        words = [_Word(adjs[0])] + ([_Word(None), _Word(adjs[1])] if len(adjs) == 2 else [])
        out.append((words + subject, len(adjs) == 2))
    return out


class _Word:
    """A token as a title reads it, followed by a space (an adjective moved before its subject,
    or the "and" between two); ``None``: "and"."""

    def __init__(self, tok):
        self.text, self.lower_ = (tok.text, tok.lower_) if tok is not None else ("and", "and")
        self.pos_, self.tag_ = (tok.pos_, tok.tag_) if tok is not None else ("CCONJ", "CC")
        self.is_punct = False
        self.whitespace_ = " "


def spans(doc) -> list[tuple[list, bool]]:
    """The "phrases" labeller's candidates and what statements say of their subjects, less those
    that read as fragments: quotes, or a determiner or adverb after "and" ("education and also
    the mental health")."""
    out = []
    for toks, joined in _spans(doc) + said_about(doc):
        if any(t.text in QUOTES for t in toks):
            continue
        if joined and any(t.pos_ in ("DET", "ADV") for t in toks[1:]):
            continue
        out.append((toks, joined))
    return out


QUOTES = frozenset({'"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "``", "''"})


def vague(ph: Phrase) -> bool:
    """"Great deal", "piece of work", "number of other schools": a vague head, or a vague noun before "of"."""
    of = _OF.match(ph.text)
    return ph.head in VAGUE_HEADS or bool(of and of.group(1).lower() in VAGUE_HEADS)


def score_phrases(cands: dict[tuple[str, ...], Phrase], members: np.ndarray, postings: Postings,
                  centroid: np.ndarray, vectors: dict[tuple[str, ...], np.ndarray]) -> list[ScoredPhrase]:
    """Candidates by score, best first (see the module docstring); ties by text."""
    return phrases.score_phrases(cands, members, postings, centroid, vectors, length_weight=LENGTH_WEIGHT,
                                 coverage_power=COVERAGE_POWER, close_power=CLOSE_POWER,
                                 min_head_share=MIN_HEAD_SHARE, skip=vague)

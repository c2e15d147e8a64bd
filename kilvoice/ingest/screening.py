"""Junk screening: empty answers, template/spam, exact and near duplicates, language.

A flagged note is stored with a status other than ``ok`` (and a reason that names a
category, never resident text); the pipeline analyses status ``ok`` only. Order of checks:
empty, junk, duplicate, near_duplicate, non_english.

Near duplicates use MinHash with LSH banding (stored in ``dedup_bands`` so it scales to large
stores), then an exact check of the candidates. Two kinds are caught:

- a copy with small edits: Jaccard of word 3-shingles at least 0.8 (``near_threshold``);
  candidates from 16 bands x 4 rows of word 3-shingles;
- the same note typed up again in other words ("She'd like a kinship carers' group - she's never
  met anyone else" / "A kinship carers group - never met anyone else"): Jaccard of the two
  notes' word sets at least 0.7 (``reworded_threshold``) and of their word pairs at least 0.4,
  both notes having at least 30 different words; candidates from 21 bands x 3 rows of word
  pairs (a pair at word-pair Jaccard 0.59 is a candidate with probability 0.99).
  On the samples the two planted retypings score 0.95 / 0.77 and 0.79 / 0.59 (words / pairs)
  and no other pair of notes shares 0.3 of its words. Short answers are left alone: different
  residents' one-liners share most of their words ("I don't think anything could have been
  done any better" / "I don't feel like anything could have been done any better", 0.75 on
  NHS feedback). The word-pair floor keeps apart notes drawn from a small vocabulary (a
  generated corpus of 40 words: 349 of 10,000 notes at word Jaccard >= 0.7, none at pairs).

The two shinglings' keys carry different band numbers (0-15, 16-36), so a store written before
the second kind existed still finds copies.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np

from kilvoice.folded import Folded
from kilvoice.records import Note

NON_ANSWERS = {
    "no comment", "no comments", "n a", "na", "none", "nothing", "no", "nil", "not applicable",
    "dont know", "don t know", "do not know", "dk", "no answer", "declined", "no response",
    "nothing to add", "not sure", "pass", "skip", "nothing really", "no idea", "null", "blank",
    "none given", "refused", "nothing to say", "", "x", "xx", "xxx", "tbc", "tbd", "todo",
}
TEMPLATE = re.compile(
    r"lorem ipsum|type (?:your|the) (?:answer|notes?|text) here|enter (?:your )?(?:text|notes?|answer) here"
    r"|notes? go(?:es)? here|\[insert|\{\{|<insert|answer here|your text here|placeholder|test test test"
    r"|asdf|qwerty",
    re.I,
)
SPAM = re.compile(
    r"\b(?:viagra|cialis|casino|crypto ?currenc\w*|bitcoin|forex|click here|buy now|free money|seo services"
    r"|payday loans?|work from home and earn|earn \$\d+|limited offer|subscribe to my|onlyfans|porn)\b",
    re.I,
)
URL = re.compile(r"https?://|www\.", re.I)
ENGLISH_STOPWORDS = frozenset(
    "the a an and or but of to in on at for with is are was were be been it this that there their they we "
    "you i my our your he she his her its as by from not no so if more less very have has had do does "
    "would should could can will just about what which who all some any".split()
)
NUM_PERM, BANDS, ROWS = 64, 16, 4
PAIR_ROWS = 3  # word-pair bands: 21 bands of 3 rows, numbered after the 16 of word 3-shingles
_PRIME = 4294967311
_TEMPLATE, _SPAM, _URL = Folded(TEMPLATE), Folded(SPAM), Folded(URL)
_WORDS = re.compile(r"[^\W_]+")
_LETTER = re.compile(r"[^\W\d_]")
_LOWER_WORDS = re.compile(r"[a-z']+")
_REPEATED_CHAR = re.compile(r"(.)\1{9,}")
_VOWEL = re.compile(r"[aeiouy0-9]")
# ASCII bytes that are not letters: deleted, what is left counts the letters of ASCII text
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_rng = np.random.RandomState(20221)
_A = _rng.randint(1, 2**31 - 1, size=NUM_PERM).astype(np.uint64)
_B = _rng.randint(0, 2**31 - 1, size=NUM_PERM).astype(np.uint64)


def normalise(text: str) -> str:
    """Lower-case, accents folded, punctuation to spaces, whitespace collapsed."""
    if text.isascii():  # the common case: nothing to fold
        t = text.casefold()
    else:
        t = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()
    t = t.replace("'", "").replace("’", "")
    return " ".join(_WORDS.findall(t))


def resident_text(note: Note) -> str:
    """The words of residents (all text when no utterance is marked resident)."""
    said = [u.text for u in note.utterances if u.role != "conversationalist"]
    return "\n".join(said)


def content_hash(note: Note) -> str:
    """SHA-256 of the normalised resident text (metadata excluded)."""
    return hashlib.sha256(normalise(resident_text(note)).encode()).hexdigest()


def shingles(norm: str, k: int = 3) -> set[str]:
    words = norm.split()
    return set(map(" ".join, zip(*(words[i:] for i in range(k)))))


def minhash_bands(shingle_set: set[str], first_band: int = 0, rows: int = ROWS) -> list[int]:
    """LSH band keys (signed 63-bit ints) of a MinHash signature: ``NUM_PERM // rows`` bands of
    ``rows`` hashes. Each key includes its band number, counted from ``first_band``, so keys of
    different shinglings never meet."""
    x = np.fromiter(map(zlib.crc32, map(str.encode, shingle_set)), dtype=np.uint64, count=len(shingle_set))
    sig = ((np.outer(x, _A) + _B) % _PRIME).min(axis=0).tobytes()
    width = 8 * rows  # bytes of one band's hashes
    return [int.from_bytes(hashlib.blake2b(bytes([first_band + b]) + sig[b * width:(b + 1) * width],
                                           digest_size=8).digest(), "big") >> 1
            for b in range(NUM_PERM // rows)]


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@dataclass
class Prepared:
    """What :meth:`Screener.prepare` found without the store; ``status`` is set when the note is
    settled already (moderated out, empty, junk)."""
    content_hash: str
    norm: str
    status: str | None = None
    reason: str | None = None
    n_words: int = 0
    keys: list[int] | None = None  # LSH band keys (notes of min_words_near words or more)
    language: str | None = None  # the language code when not English


@dataclass
class Screened:
    status: str = "ok"
    reason: str | None = None
    duplicate_of: str | None = None
    content_hash: str = ""
    bands: list[int] | None = None


class Screener:
    """Screens notes against one store (reads only; the caller writes inside its transaction).

    ``store`` needs ``conversation_by_hash(hash)`` and ``near_duplicate_candidates(keys)``.
    """

    def __init__(self, store, near_threshold: float = 0.8, detect_language: bool = True,
                 min_words_duplicate: int = 5, min_words_near: int = 10, reworded_threshold: float = 0.7,
                 reworded_pairs: float = 0.4, min_distinct_reworded: int = 30):
        self.store = store
        self.near_threshold = near_threshold
        self.detect_language = detect_language
        self.min_words_duplicate = min_words_duplicate
        self.min_words_near = min_words_near
        self.reworded_threshold = reworded_threshold
        self.reworded_pairs = reworded_pairs
        self.min_distinct_reworded = min_distinct_reworded

    def screen(self, note: Note) -> Screened:
        """Screen one note against the store: :meth:`prepare` then :meth:`decide`."""
        return self.decide(self.prepare(note))

    def prepare(self, note: Note) -> Prepared:
        """The part of screening that needs no store (hashes, junk, LSH keys, language): a pure
        function of the note and the settings, so it can run in a worker process."""
        text = resident_text(note)
        norm = normalise(text)
        out = Prepared(content_hash=hashlib.sha256(norm.encode()).hexdigest(), norm=norm)
        if {"moderated", "agrees", "disagrees"} <= note.extra.keys() and str(note.extra["moderated"]).strip() == "-1":
            # a Pol.is comment its moderators removed: kept, counted and left out, never silently dropped
            out.status, out.reason = "moderated_out", "moderated out in the Pol.is conversation"
            return out
        answers = [u.text for u in note.utterances if u.role != "conversationalist"]
        # non-answers are short: only short answers need normalising to check
        if not answers or all(len(a) <= 40 and normalise(a) in NON_ANSWERS for a in answers) \
                or not _LETTER.search(text):
            out.status, out.reason = "empty", "no answer given (empty or 'no comment')"
            return out
        junk = junk_reason(text, norm)
        if junk:
            out.status, out.reason = "junk", junk
            return out
        words = norm.split()
        out.n_words = len(words)
        if len(words) >= self.min_words_near:
            out.keys = minhash_bands(shingles(norm)) + minhash_bands(shingles(norm, 2), first_band=BANDS,
                                                                      rows=PAIR_ROWS)
        out.language = self.language(text, note.meta.get("language"))
        return out

    def decide(self, prep: Prepared) -> Screened:
        """Finish screening a prepared note against the store (exact and near duplicates of the
        notes stored so far), in the order the module docstring gives."""
        out = Screened(content_hash=prep.content_hash)
        if prep.status is not None:
            out.status, out.reason = prep.status, prep.reason
            return out
        if prep.n_words >= self.min_words_duplicate:
            dup = self.store.conversation_by_hash(prep.content_hash)
            if dup:
                out.status, out.reason, out.duplicate_of = "duplicate", "same text as an earlier note", dup
                return out
        if prep.keys is not None:
            candidates = self.store.near_duplicate_candidates(prep.keys)
            if candidates:
                sh, pairs, vocab = shingles(prep.norm), shingles(prep.norm, 2), set(prep.norm.split())
                for cid, other in candidates:
                    reason = self._near(sh, pairs, vocab, normalise(other))
                    if reason:
                        out.status, out.duplicate_of, out.reason = "near_duplicate", cid, reason
                        return out
            out.bands = prep.keys
        if prep.language:
            out.status, out.reason = "non_english", f"language {prep.language}"
            out.bands = None
        return out

    def _near(self, sh: set[str], pairs: set[str], vocab: set[str], other: str) -> str | None:
        """Why a note is a near duplicate of ``other`` (normalised text), or None."""
        sim = jaccard(sh, shingles(other))
        if sim >= self.near_threshold:
            return f"near-duplicate of an earlier note (Jaccard {sim:.2f})"
        theirs = set(other.split())
        if min(len(vocab), len(theirs)) >= self.min_distinct_reworded:
            sim = jaccard(vocab, theirs)
            if sim >= self.reworded_threshold and jaccard(pairs, shingles(other, 2)) >= self.reworded_pairs:
                return f"an earlier note typed up again in other words (word Jaccard {sim:.2f})"
        return None

    def language(self, text: str, given: str | None) -> str | None:
        """The language code when the note is not English, else None."""
        if given and str(given).lower() not in ("en", "eng", "english") and len(str(given)) <= 3:
            return f"{given} (given in metadata)"
        if not self.detect_language:
            return None
        letters = letter_count(text)
        if letters < 20:
            return None
        if letters < 100 and text.isascii():
            return None  # langdetect misreads short plain-ASCII English (e.g. "Holly drive needs sidewalks")
        tokens = _LOWER_WORDS.findall(text.lower())
        if len(tokens) >= 6 and sum(map(ENGLISH_STOPWORDS.__contains__, tokens)) / len(tokens) >= 0.15:
            return None  # plainly English: skip the (slow) detector
        lang, prob = detect(text)
        if lang and lang != "en" and prob >= 0.8:
            return f"{lang} (detected)"
        return None


def letter_count(text: str) -> int:
    """How many characters of ``text`` are letters (``str.isalpha``)."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))
    return sum(map(str.isalpha, text))


def junk_reason(text: str, norm: str) -> str | None:
    """A category name when the text looks like a template, spam or keyboard noise."""
    if _TEMPLATE.found(text):
        return "template or placeholder text"
    words = norm.split()
    urls = _URL.count(text)
    spam_words = _SPAM.count(text)
    if (spam_words and urls) or spam_words >= 2 or (urls >= 2 and urls * 20 >= len(words)):
        return "spam (advertising or links)"
    if _REPEATED_CHAR.search(text) and len(set(norm.replace(" ", ""))) <= 3:
        return "repeated characters"
    if 10 <= len(words) <= 300 and len(set(words)) / len(words) < 0.2:
        return "the same words repeated"
    if len(words) >= 3:
        novowel = sum(1 for w in words if len(w) > 3 and not _VOWEL.search(w))
        if novowel / len(words) > 0.5:
            return "keyboard noise"
    return None


_DETECTOR_READY = False


def detect(text: str) -> tuple[str | None, float]:
    """(language, probability) from langdetect, seeded so results repeat (computed by
    :mod:`kilvoice.ingest.langdetect_fast`: the same answers, faster)."""
    global _DETECTOR_READY
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    from kilvoice.ingest.langdetect_fast import detect_langs

    if not _DETECTOR_READY:
        DetectorFactory.seed = 0
        _DETECTOR_READY = True
    try:
        best = detect_langs(text[:400])[0]  # cost grows with length; 400 chars decide
    except LangDetectException:
        return None, 0.0
    return best.lang, best.prob


_PREPARERS: dict[tuple, Screener] = {}


def preparer(settings: dict) -> Screener:
    """A store-free Screener for :meth:`Screener.prepare` with ``settings``, once per process."""
    key = tuple(sorted(settings.items()))
    if key not in _PREPARERS:
        _PREPARERS[key] = Screener(None, **settings)
    return _PREPARERS[key]


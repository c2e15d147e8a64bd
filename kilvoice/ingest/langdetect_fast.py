"""langdetect's detector with its inner loop on numpy: the same answers, several times faster.

langdetect (``detect_langs``) runs 7 trials; each draws n-grams of the text at random and
multiplies a 55-language probability vector by the n-gram's profile, one language at a time
in Python (15 ms a note on this machine, most of ingest's screening). Here the same draws,
in the same order, multiply whole vectors: every product, sum and quotient is the same IEEE
operation on the same numbers in the same order (the sum that normalises is Python's own
``sum`` over the vector, as langdetect's), so the probabilities are equal to the last bit
(``tests/test_segment_batch.py`` compares both on real text in several languages).

Seeded like :func:`kilvoice.ingest.screening.detect` (``DetectorFactory.seed = 0``): the
random draws restart from the seed for every text, so a text's answer does not depend on
what was detected before it, in this process or a worker's.
"""
from __future__ import annotations

import numpy as np
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

_ROWS: dict[str, np.ndarray] = {}  # n-gram -> its profile as a vector (the profiles are fixed)
_NORMAL: dict[str, str] = {}  # character -> NGram.normalize(character)


def _row(word: str, profiles: dict) -> np.ndarray:
    row = _ROWS.get(word)
    if row is None:
        row = _ROWS[word] = np.array(profiles[word], dtype=np.float64)
    return row


class FastDetector(Detector):
    """A ``langdetect`` Detector whose ``_detect_block`` works on vectors."""

    def _extract_ngrams(self):
        """langdetect's n-grams of the text (``NGram.add_char`` / ``get`` written out inline,
        each character's normalisation looked up once)."""
        profiles = self.word_lang_prob_map
        result: list[str] = []
        grams, capital = " ", False
        for raw in self.text:
            ch = _NORMAL.get(raw)
            if ch is None:
                ch = _NORMAL[raw] = NGram.normalize(raw)
            last = grams[-1]
            if last == " ":
                grams, capital = " ", False
                if ch == " ":
                    continue
            elif len(grams) >= NGram.N_GRAM:
                grams = grams[1:]
            grams += ch
            if ch.isupper():
                if last.isupper():
                    capital = True
            else:
                capital = False
            if capital:
                continue
            if ch != " " and ch in profiles:
                result.append(ch)
            if len(grams) >= 2:
                w = grams[-2:]
                if w in profiles:
                    result.append(w)
                if len(grams) >= 3:
                    w = grams[-3:]
                    if w in profiles:
                        result.append(w)
        return result

    def _detect_block(self):
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        if self.prior_map is not None or self.verbose:  # not used by kilvoice: langdetect's own loop
            return super()._detect_block()
        index: dict[str, int] = {}
        positions = [index.setdefault(w, len(index)) for w in ngrams]
        n = len(self.langlist)
        table = np.concatenate([_row(w, self.word_lang_prob_map) for w in index]).reshape(-1, n)
        langprob = np.zeros(n)
        rnd = self.random
        rnd.seed(self.seed)
        choice = rnd.choice
        for _ in range(self.n_trial):
            prob = np.full(n, 1.0 / n)
            alpha = self.alpha + rnd.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            factors = (alpha / self.BASE_FREQ) + table  # weight + lang_prob_map[i], per language
            prob *= factors[choice(positions)]  # draw 0
            i = 0
            while True:  # normalised and checked after draws 0, 5, 10, ... as in langdetect
                prob /= sum(prob.tolist())  # Python's sum, in langdetect's order
                if prob.max() > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                    break
                # the next five draws; a product reduced along the first axis multiplies the
                # rows one after another, ((prob * f1) * f2) ..., as five updates in turn do
                rows = factors[[choice(positions) for _ in range(5)]]
                prob = np.multiply.reduce(np.vstack((prob, rows)), axis=0)
                i += 5
            langprob += prob / self.n_trial
        self.langprob = langprob.tolist()


def detect_langs(text: str) -> list:
    """``langdetect.detect_langs(text)``, computed by :class:`FastDetector`."""
    detector_factory.init_factory()
    factory = detector_factory._factory
    if not factory.langlist:
        raise LangDetectException(ErrorCode.NeedLoadProfileError, "Need to load profiles.")
    detector = FastDetector(factory)
    detector.append(text)
    return detector.get_probabilities()

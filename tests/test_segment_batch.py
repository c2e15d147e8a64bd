"""The fast paths of ingest, segment and embed give what the slow ones gave, on real text.

- sentences: :func:`kilvoice.segment.split_sentences` against spaCy's sentencizer, and the
  segmenter with either, on the shared corpora (Pol.is comments in English and German,
  Senedd committee turns, generated notes) and the samples;
- language: :class:`kilvoice.ingest.langdetect_fast.FastDetector` against langdetect's own
  ``detect_langs``, probabilities equal to the last bit;
- embeddings: the IDF-weighted static embedder encoding the texts it was fitted on (token
  counts reused) against encoding them afresh.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from kilvoice.ingest.formats import Context, iter_notes
from kilvoice.segment import _mask, _pieces, _sentencizer, split_sentences
from tests.conftest import REPO, shared_path

csv.field_size_limit(1 << 30)


def _column(path: Path, column: str, n: int, seed: int = 0) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r[column] for r in csv.DictReader(fh) if r.get(column)]
    random.Random(seed).shuffle(rows)
    return rows[:n]


def _real_texts() -> list[str]:
    polis = shared_path("polis")
    texts = []
    for conversation in ("austria-climate.2vkxcncppn.2022-07-07", "vtaiwan.uberx", "london.youth.policing",
                         "brexit-consensus", "scoop-hivemind.ubi"):
        texts += _column(polis / conversation / "comments.csv", "comment-body", 300)
    texts += _column(shared_path("senedd-committee", "turns.csv"), "content", 600)
    texts += _column(shared_path("nhs-feedback", "v6framework_230831.csv"), "FFT answer", 400)
    return texts


def _spacy_sentences(text: str) -> list[str]:
    return [s for s in (sent.text.strip() for sent in _sentencizer()(text).sents) if s]


@pytest.mark.shared
def test_split_sentences_equals_spacys_sentencizer_on_real_text():
    texts = _real_texts()
    pieces = [_mask(p)[0] for t in texts for p in _pieces(t)] + texts  # lines, and whole turns with line breaks
    pieces += ["Plan B. Then what?  Nothing.", "It is 10.30a.m. (Mon.) now!! Yes...\tok", "end.Next one", "“Yes.” No"]
    assert len(pieces) > 3000
    differ = [p for p in pieces if split_sentences(p) != _spacy_sentences(p)]
    assert differ == []
    assert sum(len(split_sentences(p)) > 1 for p in pieces) > 500  # the texts do have sentences to split


@pytest.mark.shared
def test_segmenter_gives_the_same_statements_with_spacy_or_the_fast_split(monkeypatch):
    from kilvoice.records import Utterance
    from kilvoice import segment

    notes = [Utterance(0, t, role="resident") for t in _real_texts()]
    conversations = [[u] for u in notes]
    samples = REPO / "corpora" / "samples"
    for path in sorted(samples.glob("notes/*.txt"))[:60] + sorted(samples.glob("transcripts/*.txt")):
        for note in iter_notes(path, Context(source=path.name, display=path.name, encoding="utf-8")):
            conversations.append(note.utterances)
    seg = segment.make_segmenter_v3()
    fast = [seg.run(f"c{i}", utts) for i, utts in enumerate(conversations)]
    monkeypatch.setattr(segment, "split_sentences", _spacy_sentences)
    slow = [seg.run(f"c{i}", utts) for i, utts in enumerate(conversations)]
    assert fast == slow
    assert sum(len(st) for st, _ in fast) > 2000


@pytest.mark.shared
def test_fast_language_detector_equals_langdetect():
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    from kilvoice.ingest import langdetect_fast

    DetectorFactory.seed = 0
    texts = [t[:400] for t in _real_texts()[::4]] + ["", "12345 !!!", "Das ist gut.", "東京は大きい"]

    def answers(detect):
        out = []
        for t in texts:
            try:
                out.append([(x.lang, x.prob) for x in detect(t)])
            except LangDetectException as exc:
                out.append(exc.code)
        return out

    theirs, ours = answers(detect_langs), answers(langdetect_fast.detect_langs)
    assert ours == theirs
    langs = {a[0][0] for a in theirs if isinstance(a, list) and a}
    assert {"en", "de"} <= langs and len(langs) >= 4


@pytest.mark.shared
def test_idf_embedder_reusing_its_fitted_counts_encodes_as_afresh():
    from kilvoice.embed import StaticEmbedder, embed_cached

    texts = _real_texts()[:800]
    reused = embed_cached(StaticEmbedder(weighting="idf"), list(texts))
    fresh = StaticEmbedder(weighting="idf").fit(texts)
    fresh._fitted_counts = None
    assert np.array_equal(reused, fresh.encode(list(texts)))
    assert not np.array_equal(reused[:1], fresh.encode(list(texts[1:2])))  # not a constant


def test_folded_patterns_match_as_case_insensitive_ones():
    from kilvoice.folded import Folded
    from kilvoice.ingest.screening import SPAM, TEMPLATE
    from kilvoice.substantive import GREETING, PROCEDURE

    texts = ["Thank You Very Much, Chair. Shall we MOVE ON to Item Two?", "ſo we move on to item two",
             "Kelvin \u212a sign: BRING IN the Minister", "Cheers — bye NOW… “Good Morning”", "Café HELLO, İtem 3",
             "Click HERE to buy now: Bitcoin, CASINO", "Lorem Ipsum [INSERT name]", "nothing to see", ""]
    for pattern in (PROCEDURE, GREETING, SPAM, TEMPLATE):
        folded = Folded(pattern)
        assert folded.folded is not None
        for text in texts:
            assert folded.found(text) == bool(pattern.search(text))
            assert folded.count(text) == len(pattern.findall(text))
            assert folded.sub(" ", text) == pattern.sub(" ", text)
    assert Folded(PROCEDURE).count(texts[0]) == 2 and Folded(SPAM).count(texts[5]) == 4


def test_split_sentences_equals_spacy_on_awkward_strings():
    # abbreviations, emoticon parts, quotes and odd spaces: ": x.Y" is ":" "x" "." "Y" in spaCy
    # (a special case matched across the space) while "x.Y" alone is "x." "Y"
    atoms = ["park", "Park", "id", "Mr", "e.g", "etc", "U.S", "a", "I", "10", "3.5", "don't", "it’s", "(", ")",
             "“", "”", "'", ".", "!", "?", "...", "…", ",", ":", "-", " ", " ", "  ", "\t", "\u00a0", "Kvph0x",
             "£5", "x.Y", "end.Next", "a.m.", "St.", ".)", "?!", "O", "o"]
    rnd = random.Random(3)
    texts = [": x.Y now", "Plan B. Then what?  Nothing.", "It is 10.30a.m. (Mon.) now!! Yes...\tok", "“Yes.” No"]
    texts += ["".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 20))) for _ in range(1500)]
    assert [split_sentences(t) for t in texts] == [_spacy_sentences(t) for t in texts]
    assert split_sentences(": x.Y now") == [": x.", "Y now"]

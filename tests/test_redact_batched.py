"""The batched redaction path (``redact_many``: one NER batch, one safeguarding batch for many
notes) gives exactly what redacting each note alone gives, and the stored safeguarding fit is the
one scikit-learn fits on the bank."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from kilvoice.records import Utterance
from kilvoice.redact import Redactor
from kilvoice.redact.evaluate import read_gold
from kilvoice.redact.safeguarding import categories_many, safeguarding_categories, sentence_categories
from kilvoice.redact.safeguarding_eval import read_set
from tests.conftest import REPO, shared_path

SETS = REPO / "tests" / "fixtures" / "safeguarding"


def _as_tuples(result):
    utts, spans, flags = result
    return ([u.text for u in utts],
            [[(s.start, s.end, s.label, s.score, s.source, s.replacement) for s in sp] for sp in spans], flags)


def test_batched_safeguarding_is_per_text_on_the_written_sets():
    texts = [row["text"] for name in ("dev.jsonl", "test.jsonl", "fresh.jsonl") for row in read_set(SETS / name)]
    batched = categories_many(texts)
    assert sum(bool(c) for c in batched) > len(texts) // 4, "the written sets are mostly disclosures"
    assert batched == [safeguarding_categories(t) for t in texts]
    assert categories_many(texts, semantic=False) == [safeguarding_categories(t, semantic=False) for t in texts]
    assert [sorted({c for _, _, cs in sentence_categories(t) for c in cs}) for t in texts[:50]] == batched[:50]


@pytest.mark.slow
def test_stored_fit_is_scikit_learns_fit_of_the_bank():
    from kilvoice.embed import StaticEmbedder
    from kilvoice.redact import safeguarding_semantic as sem

    embedder = StaticEmbedder()
    stored = sem._stored_fit(sem._fit_key(embedder))
    assert stored is not None, "safeguarding_fit.json does not match the bank: run scripts/build_safeguarding_bank.py"
    X, y, _ = sem._training_set(embedder)
    coef, intercept = sem._fit(X, y)
    assert np.allclose(stored[0], coef, atol=1e-6) and abs(stored[1] - intercept) < 1e-6


def _real_notes(per_note: int = 3) -> list[list[Utterance]]:
    """Notes of real text (the PII dev set's statements: names, numbers; NHS patient feedback),
    with the written disclosures of the ``fresh2`` set among them so that notes are flagged."""
    texts = [row["text"] for row in read_gold(shared_path("pii", "pii_dev.jsonl"))][:300]
    with shared_path("nhs-feedback", "v6framework_230831.csv").open(encoding="utf-8", newline="") as f:
        texts += [r["FFT answer"] for r in csv.DictReader(f) if len(r["FFT answer"]) > 80][:300]
    written = [row["text"] for row in read_set(SETS / "fresh2.jsonl")][:60]
    texts = [t for pair in zip(texts[::10], written) for t in pair] + texts
    return [[Utterance(index=j, text=t) for j, t in enumerate(texts[i:i + per_note])]
            for i in range(0, len(texts), per_note)]


@pytest.mark.slow
@pytest.mark.shared
def test_batched_redaction_is_the_one_note_path_on_real_text():
    notes = _real_notes()
    redactor = Redactor()
    batched = [_as_tuples(r) for r in redactor.redact_many(notes, [["Doreen Hartley"]] * len(notes))]
    single = [_as_tuples(redactor.redact_note(n, ["Doreen Hartley"])) for n in notes]
    assert sum(len(sp) for _, spans, _ in batched for sp in spans) > 100, "the PII set names people"
    assert any(src == "ner" for _, spans, _ in batched for sp in spans for *_, src, _ in sp), "NER found nobody"
    assert sum(bool(flags) for *_, flags in batched) > 10, "no note was flagged"
    assert batched == single


def test_ner_windows_are_the_sentences_with_an_unexplained_pair():
    from kilvoice.redact.pipeline import needs_ner, ner_windows

    text = ("The buses are late. Then Harriet Quayle spoke. Ossian Pelloe agreed.\n"
            "Parking is dear. Wakefield Council listened.")
    windows = ner_windows(text, [])
    assert [text[s:e] for s, e in windows] == ["Then Harriet Quayle spoke. Ossian Pelloe agreed."]
    assert ner_windows(text, [(text.index("Harriet"), text.index(" spoke")),
                              (text.index("Ossian"), text.index(" agreed"))]) == []
    assert needs_ner(text, []) and not needs_ner("The buses are late. Parking is dear.", [])


def test_unknown_ner_scope_is_k610():
    from kilvoice.errors import KilvoiceError

    with pytest.raises(KilvoiceError) as err:
        Redactor(ner_scope="paragraph")
    assert err.value.code == "K610"
    assert Redactor(ner_scope="text").name == Redactor().name  # stored redactions stay valid
    assert Redactor(ner_scope="sentence").name != Redactor().name


@pytest.mark.slow
@pytest.mark.shared
def test_sentence_scope_keeps_the_pii_dev_acceptance():
    from kilvoice.redact.evaluate import evaluate_redactor

    rows = read_gold(shared_path("pii", "pii_dev.jsonl"))
    labels = evaluate_redactor(Redactor(ner_scope="sentence"), rows)["labels"]
    assert labels["PERSON"]["recall"] >= 0.95 and labels["PERSON"]["precision"] >= 0.95


def test_semantic_blocks_do_not_change_the_result(monkeypatch):
    from kilvoice.redact import safeguarding_semantic as sem

    sentences = [row["text"] for row in read_set(SETS / "dev.jsonl")]
    whole = sem.semantic_categories(sentences)
    assert any(whole)
    monkeypatch.setattr(sem, "BLOCK", 7)
    assert sem.semantic_categories(sentences) == whole

"""Safeguarding classifier: the written evaluation set (dev and held-back halves), sentence offsets,
the semantic stage (the real bundled static model, no stubs), and (marked ``shared``) the flag rate
on real public text with the semantic stage on."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from kilvoice.redact import safeguarding_categories, safeguarding_flags
from kilvoice.redact.safeguarding import CATEGORIES, rule_sentence_categories, sentence_categories, sentence_spans
from kilvoice.redact.safeguarding_semantic import BANK, PERSONAL, _encode, _model, semantic_categories, semantic_scores
from kilvoice.redact.safeguarding_eval import flag_notes, mix_notes, read_set, score_set, shared_notes
from tests.conftest import REPO, shared_path

SETS = REPO / "tests" / "fixtures" / "safeguarding"
JUDGEMENTS = REPO / "benchmarks" / "safeguarding_judgements.csv"


@pytest.fixture(scope="module", params=["dev", "test"])
def half(request):
    return request.param, read_set(SETS / f"{request.param}.jsonl")


def test_written_set_is_large_varied_and_well_formed():
    rows = read_set(SETS / "dev.jsonl") + read_set(SETS / "test.jsonl")
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows), "a text is in both halves or twice"
    pos = [r for r in rows if r["categories"]]
    assert len(pos) >= 150 and len(rows) - len(pos) >= 150
    assert {c for r in pos for c in r["categories"]} == set(CATEGORIES)
    assert sum(1 for r in pos if len(sentence_spans(r["text"])) >= 3) >= 12, "disclosures buried in longer notes"
    assert sum(1 for r in pos if r["text"] == r["text"].lower()) >= 10, "lower-case, texted style"


def test_recall_and_false_flags_on_each_half(half):
    name, rows = half
    s = score_set(rows, safeguarding_categories)
    assert s["recall"] >= 0.95, (name, s["missed"])
    assert s["category_recall"] >= 0.90, name
    assert s["false_flag_rate"] <= 0.03, (name, s["false_ids"])


def test_categories_only_never_words(half):
    _, rows = half
    for row in rows:
        cats = safeguarding_categories(row["text"])
        assert cats == sorted(cats) and set(cats) <= set(CATEGORIES)
        assert all(cat in CATEGORIES for _, cat in safeguarding_flags([row["text"]]))


NOTE = ("Talked about the library first.\nShe loves the Saturday story time! "
        "Then she said her ex keeps following her home from work. "
        "She wants more buses to Castlebeck?  The park is neglected, mind.")


def test_sentence_categories_offsets_point_at_the_disclosure():
    found = sentence_categories(NOTE)
    assert len(found) == 1
    start, end, cats = found[0]
    assert NOTE[start:end] == "Then she said her ex keeps following her home from work."
    assert cats == ["danger"]
    assert safeguarding_categories(NOTE) == cats
    assert [NOTE[s:e] for s, e in sentence_spans(NOTE)] == [
        "Talked about the library first.", "She loves the Saturday story time!",
        "Then she said her ex keeps following her home from work.", "She wants more buses to Castlebeck?",
        "The park is neglected, mind."]


def test_one_disclosure_in_a_long_transcript_flags_one_sentence(half):
    _, rows = half
    negatives = [r["text"] for r in rows if not r["categories"] and not safeguarding_categories(r["text"])]
    disclosure = next(r["text"] for r in rows if r["categories"] and ". " not in r["text"])
    text = " ".join(negatives[:40]) + "\n" + disclosure + "\n" + " ".join(negatives[40:])
    found = sentence_categories(text)
    assert len(found) == 1
    start, end, _ = found[0]
    assert text[start:end] == disclosure.strip()


def test_statement_and_whole_utterance_agree(half):
    _, rows = half
    for row in rows:
        union = sorted({c for _, _, cats in sentence_categories(row["text"]) for c in cats})
        assert union == safeguarding_categories(row["text"])


def test_semantic_stage_alone_separates_its_bank():
    """The stage with the rules off: most of the bank's disclosures, almost none of its negatives
    (in-sample, so this checks that the model, the bank and the thresholds fit together)."""
    bank = json.loads(BANK.read_text(encoding="utf-8"))
    pos = semantic_categories([d["text"] for d in bank["disclosures"]])
    neg = semantic_categories(bank["negatives"])
    assert sum(map(bool, pos)) / len(pos) >= 0.4  # 0.50 measured: the thresholds are strict on purpose
    assert sum(map(bool, neg)) / len(neg) <= 0.01
    hits = [(set(p), set(d["categories"])) for p, d in zip(pos, bank["disclosures"]) if p]
    assert sum(bool(p & want) for p, want in hits) / len(hits) >= 0.95  # the nearest exemplar is itself


def test_semantic_stage_only_adds_flags():
    rows = read_set(SETS / "dev.jsonl") + read_set(SETS / "test.jsonl")
    rules = score_set(rows, lambda t: safeguarding_categories(t, semantic=False))
    both = score_set(rows, safeguarding_categories)
    assert set(both["missed"]) <= set(rules["missed"])
    assert both["false_flag_rate"] <= 0.03, both["false_ids"]


def test_semantic_off_is_the_rules_alone():
    for row in read_set(SETS / "dev.jsonl")[:60]:
        rules = safeguarding_categories(row["text"], semantic=False)
        assert set(rules) <= set(safeguarding_categories(row["text"]))
        assert sentence_categories(row["text"], semantic=False) == rule_sentence_categories(row["text"])


def test_semantic_stage_is_per_sentence_and_deterministic():
    rows = read_set(SETS / "test.jsonl")
    sentences = [r["text"][s:e] for r in rows for s, e in sentence_spans(r["text"])]
    batch = semantic_categories(sentences)
    assert any(batch), "the semantic stage flags nothing"
    assert [semantic_categories([s])[0] for s in sentences] == batch
    assert semantic_categories(sentences) == batch
    for cats in batch:
        assert set(cats) <= set(CATEGORIES)


def test_semantic_stage_needs_a_person():
    prob, margin = semantic_scores(["Domestic abuse services in the district need more funding.",
                                    "He hits me when he has been drinking."])
    assert prob.shape == margin.shape == (2,)
    assert not PERSONAL.search("domestic abuse services in the district need more funding.")
    assert semantic_categories(["Domestic abuse services in the district need more funding."]) == [()]


def test_semantic_vectors_are_the_static_models():
    m = _model()
    texts = [r["text"] for r in read_set(SETS / "fresh2.jsonl")[:20]] + ["", "ok"]
    assert np.allclose(_encode(m, texts), m.embedder.encode(texts), atol=1e-3)


def _judged() -> dict:
    with open(JUDGEMENTS, encoding="utf-8", newline="") as f:
        return {(r["corpus"], r["id"]): r["verdict"] for r in csv.DictReader(f)}


@pytest.mark.shared
def test_real_text_flag_rate_and_every_flag_judged():
    counts, flagged = flag_notes(shared_notes(shared_path()), safeguarding_categories)
    notes = sum(counts.values())
    assert notes > 20000
    judged = _judged()
    verdicts = [judged.get((c, i), "unjudged") for c, i, _ in flagged]
    assert "unjudged" not in verdicts, [f"{c},{i}" for c, i, _ in flagged if (c, i) not in judged]
    assert verdicts.count("false") / notes <= 0.005
    assert len(flagged) / notes <= 0.02  # the old lexicon: 1.3%, nearly all false


@pytest.mark.shared
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mixed_notes_false_flags(tmp_path, seed):
    tool = shared_path().parent / "tools" / "mix_notes.py"
    if not tool.exists():
        pytest.skip(f"not present: {tool}")
    out = tmp_path / f"mix{seed}.csv"
    subprocess.run([sys.executable, str(tool), "2000", str(out), "--seed", str(seed)], check=True, capture_output=True)
    counts, flagged = flag_notes(mix_notes(out, f"mix{seed}"), safeguarding_categories)
    judged = _judged()
    verdicts = [judged.get((c, i), "unjudged") for c, i, _ in flagged]
    assert "unjudged" not in verdicts, [f"{c},{i}" for c, i, _ in flagged if (c, i) not in judged]
    assert verdicts.count("false") / counts[f"mix{seed}"] <= 0.01


def test_missing_bank_is_a_k_error(tmp_path, monkeypatch):
    from kilvoice.errors import KilvoiceError
    from kilvoice.redact import safeguarding_semantic

    monkeypatch.setattr(safeguarding_semantic, "BANK", tmp_path / "nothing.json")
    safeguarding_semantic._model.cache_clear()
    try:
        with pytest.raises(KilvoiceError) as err:
            safeguarding_semantic.semantic_categories(["He hits me."])
        assert err.value.code == "K690" and "nothing.json" in str(err.value)
    finally:
        monkeypatch.undo()
        safeguarding_semantic._model.cache_clear()
    assert safeguarding_semantic.semantic_scores(["He hits me."])[0].shape == (1,)  # the real bank loads again

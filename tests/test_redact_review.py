"""Redaction review queue on a real SQLite store; the review and eval CLIs."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kilvoice.cli import main
from kilvoice.records import Note, Utterance
from kilvoice.redact import Redactor
from kilvoice.redact.review import decide, redact_with_review, rejected_spans, review_items
from kilvoice.store import open_store

pytestmark = pytest.mark.slow
TEXT = "Spoke to Doreen today. Bus times from Kevin are wrong. NHS number 943 476 5918."


@pytest.fixture(scope="module")
def redactor():
    return Redactor()


def _store_with_note(tmp_path):
    store = open_store(tmp_path)
    note = Note(id="n1", source="a.txt", utterances=[Utterance(0, TEXT)])
    store.add_file("a.txt", "abc", 10, [note], ["c1"], ["h1"], [("ok", None, None)], [None])
    return store


def _run(store, redactor):
    notes = [store.raw_utterances("c1")]
    (utts, spans, flags), = redact_with_review(store, redactor, ["c1"], notes, [[]])
    store.put_redacted("c1", utts, spans, redactor.name, flags)
    return utts[0].text


def test_queue_accept_reject_persist(tmp_path, redactor):
    store = _store_with_note(tmp_path)
    text = _run(store, redactor)
    assert "Kevin" not in text and "5918" not in text  # low confidence: still redacted
    pending = review_items(store)
    labels = sorted(i["label"] for i in pending)
    assert labels == ["NHS_NUMBER", "PERSON"]  # "Kevin" alone (gazetteer) and a failed checksum
    assert all("text" not in i for i in pending)
    row = store.db.execute("SELECT * FROM redaction_review").fetchone()
    assert "Kevin" not in json.dumps(dict(row))
    kevin = next(i for i in pending if i["label"] == "PERSON")
    nhs = next(i for i in pending if i["label"] == "NHS_NUMBER")
    decide(store, kevin["id"], "rejected", "Officer A")
    decide(store, nhs["id"], "accepted", "Officer A")
    store.close()

    store = open_store(tmp_path)  # decisions persist
    assert rejected_spans(store) == {"c1": {(0, kevin["start"], kevin["end"])}}
    assert store.redacted_ids(redactor.name) == set()  # rejecting forces a re-redaction
    text = _run(store, redactor)
    assert "from Kevin are" in text and "5918" not in text and "Doreen" not in text
    assert review_items(store) == []  # nothing re-queued
    decided = {i["id"]: i for i in review_items(store, None)}
    assert decided[kevin["id"]]["decided_by"] == "Officer A" and decided[nhs["id"]]["status"] == "accepted"
    store.close()


def test_review_cli(tmp_path, redactor):
    store = _store_with_note(tmp_path)
    _run(store, redactor)
    item = review_items(store)[0]
    store.close()
    runner = CliRunner()
    out = runner.invoke(main, ["review", "redactions", "--project", str(tmp_path), "--list"])
    assert out.exit_code == 0 and "[[Kevin]]" in out.output
    out = runner.invoke(main, ["review", "redactions", "--project", str(tmp_path), "--reject", str(item["id"])])
    assert out.exit_code == 1 and "K603" in out.output
    out = runner.invoke(main, ["review", "redactions", "--project", str(tmp_path), "--reject", str(item["id"]),
                               "--by", "Officer B"])
    assert out.exit_code == 0 and "rejected by Officer B" in out.output
    out = runner.invoke(main, ["review", "redactions", "--project", str(tmp_path), "--accept", str(item["id"]),
                               "--by", "Officer C"])
    assert out.exit_code == 1 and "K602" in out.output
    out = runner.invoke(main, ["review", "redactions", "--project", str(tmp_path), "--accept", "999", "--by", "X"])
    assert out.exit_code == 1 and "K601" in out.output


def test_eval_cli_json_shape(tmp_path):
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"text": "Spoke to Doreen, ring 07700 900123.", "spans": [{"start": 9, "end": 15, "label": "PERSON"},
                                                                  {"start": 22, "end": 34, "label": "PHONE"}]},
        {"text": "The 110 bus to Pontefract.", "spans": []},
        {"text": "Email jo@example.com", "spans": [{"start": 6, "end": 20, "label": "EMAIL"}]},
    ]
    gold.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = CliRunner().invoke(main, ["eval", "redaction", str(gold), "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert set(result) == {"labels", "micro", "seconds"}
    assert set(result["labels"]) == {"PERSON", "PHONE", "EMAIL"}
    for r in result["labels"].values():
        assert set(r) == {"precision", "recall", "f1", "support"}
    assert result["micro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    table = CliRunner().invoke(main, ["eval", "redaction", str(gold)])
    assert table.exit_code == 0 and "micro" in table.output and "PHONE" in table.output


def test_eval_cli_bad_gold(tmp_path):
    gold = tmp_path / "bad.jsonl"
    gold.write_text('{"text": "x"}\n', encoding="utf-8")
    out = CliRunner().invoke(main, ["eval", "redaction", str(gold), "--json"])
    assert out.exit_code == 1 and "K501" in out.output

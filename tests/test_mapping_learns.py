"""The main job learns from officers' link decisions: confirmed statement links on one run train
the learned map stage (``kilvoice.map.learned.v4``, the pipeline default) on the next.

Real pipeline, real SQLite store, real decision log; nothing mocked.
"""
from __future__ import annotations

import re

from conftest import SAMPLES, write_pipeline

FW = "keep-it-local"
TARGET = "kil-4"  # early intervention: not what bus statements are about, so zero-shot rarely links them
BUS = re.compile(r"\bbus(es)?\b", re.I)


def _links(store, run_id: str) -> set[tuple[str, str]]:
    return {(r["source_id"], r["item_id"]) for r in store.db.execute(
        "SELECT source_id, item_id FROM links WHERE run_id=? AND source_kind='statement' AND framework_id=?",
        (run_id, FW))}


def _manifest(result) -> dict:
    return result.manifest


def test_confirmed_statement_links_train_the_next_run(tmp_path):
    from kilvoice.pipeline import run_pipeline
    from kilvoice.review import link_confirmations, record_decision
    from kilvoice.store import open_store

    pipeline = write_pipeline(tmp_path / "p.toml", tmp_path / "project", tmp_path / "out1", [SAMPLES])
    text = pipeline.read_text(encoding="utf-8")
    assert 'stage = "kilvoice.map.learned.v4"' in text  # the shipped default (v3 + the ONNX theme-link rule)
    pipeline.write_text(re.sub(r"formats = \[.*\]", 'formats = ["json"]', text), encoding="utf-8")

    first = run_pipeline(pipeline)
    assert _manifest(first)["mapping"]["thresholds"][FW]["method"] == "zero-shot"  # no decisions yet
    store = open_store(tmp_path / "project")
    rows = store.db.execute("SELECT id, text FROM statements ORDER BY id").fetchall()
    bus = [r["id"] for r in rows if BUS.search(r["text"])]
    other = [r["id"] for r in rows if not BUS.search(r["text"])]
    assert len(bus) >= 20, "the samples should talk about buses"
    before = _links(store, first.run_id)

    # an officer says: bus statements bear on kil-4; six unrelated statements do not
    taught, held_out = bus[::2][:8], [s for s in bus if s not in bus[::2][:8]]
    for sid in taught:
        record_decision(store, "link", "olive", {"source_kind": "statement", "source_id": sid,
                                                 "framework_id": FW, "item_id": TARGET, "accepted": True})
    for sid in other[::40][:6]:
        record_decision(store, "link", "olive", {"source_kind": "statement", "source_id": sid,
                                                 "framework_id": FW, "item_id": TARGET, "accepted": False})
    # the latest decision wins: a statement first accepted then rejected is a negative
    record_decision(store, "link", "olive", {"source_kind": "statement", "source_id": taught[-1],
                                             "framework_id": FW, "item_id": TARGET, "accepted": False})
    confirmations = link_confirmations(store)
    assert len(confirmations) == 14
    assert [c["accepted"] for c in confirmations if c["statement_id"] == taught[-1]] == [False]

    second = run_pipeline(pipeline, output=tmp_path / "out2")
    method = _manifest(second)["mapping"]["thresholds"][FW]
    assert method["method"] == "learned-hybrid" and method["n_decisions"] == 14
    after = _links(store, second.run_id)
    # decisions are honoured on the statements they name
    assert all((sid, TARGET) in after for sid in taught[:-1])
    assert (taught[-1], TARGET) not in after
    assert not any((sid, TARGET) in after for sid in other[::40][:6])
    # and generalise: bus statements nobody decided now link to kil-4 far more often than before
    gained = sum((sid, TARGET) in after for sid in held_out) - sum((sid, TARGET) in before for sid in held_out)
    assert gained >= len(held_out) // 3, (gained, len(held_out))
    # frameworks nobody decided on keep the zero-shot result
    assert _manifest(second)["mapping"]["thresholds"]["kelvale-corporate-plan"]["method"] == "zero-shot"
    store.close()

"""apply_review: purity, each decision type, re-targeting after a re-run; the decision log in SQLite."""
from __future__ import annotations

import copy
import csv
import io
import json

import pytest

from kilvoice.errors import KilvoiceError
from kilvoice.records import Assignment, Link, Theme
from kilvoice.review import apply_review, export_decisions, load_decisions, reapply, record_decision
from kilvoice.review.results import load_results, review_run
from kilvoice.store import open_store
from kilvoice.store.sqlite import now


def sid(c: int, i: int) -> str:
    return f"C{c}-u0-s{i}"


def world():
    """Three themes of four statements (two conversations each) plus 'other', and two links."""
    themes, assignments = [], []
    for k, tid in enumerate(("T01", "T02", "T03")):
        members = [sid(2 * k, 0), sid(2 * k, 1), sid(2 * k + 1, 0), sid(2 * k + 1, 1)]
        themes.append(Theme(tid, f"theme {tid}", keywords=[f"kw{k}"], size=4, n_conversations=2,
                            stance={"strength": 1}, representative=members))
        assignments += [Assignment(s, tid, 0.9 - 0.1 * j) for j, s in enumerate(members)]
    themes.append(Theme("other", "Other", size=1, n_conversations=1, representative=[sid(9, 0)]))
    assignments.append(Assignment(sid(9, 0), "other", 0.1))
    links = [Link("theme", "T01", "keep-it-local", "P1", 0.7, [sid(0, 0)], "similar"),
             Link("theme", "T02", "keep-it-local", "P2", 0.6, [sid(2, 0)], "similar")]
    return themes, assignments, links


def decision(i: int, kind: str, payload: dict, snapshot: dict | None = None) -> dict:
    return {"id": i, "kind": kind, "payload": payload, "snapshot": snapshot or {}, "user": "o", "reason": ""}


def primary_theme(assignments, statement_id):
    return [a.theme_id for a in assignments if a.statement_id == statement_id and a.primary]


def test_no_decisions_is_identity_and_inputs_untouched():
    t, a, l = world()
    before = copy.deepcopy((t, a, l))
    t2, a2, l2, report = apply_review(t, a, l, [])
    assert (t2, a2, l2) == before and (t, a, l) == before
    assert report["applied"] == [] and report["skipped"] == []


def test_no_decisions_gives_what_the_full_path_gives():
    """With no decisions the records are returned without copying them; a decision of an unknown
    kind takes the full path (copy, apply, recount) and is skipped: the results must be the same."""
    t, a, l = world()
    fast = apply_review(t, a, l, [])
    full = apply_review(t, a, l, [decision(1, "no-such-kind", {})])
    assert fast[:3] == full[:3]
    assert full[3]["skipped"] and {k: v for k, v in full[3].items() if k not in ("decisions", "skipped")} == \
        {k: v for k, v in fast[3].items() if k not in ("decisions", "skipped")}
    assert fast[0][0] is not t[0]  # themes are copied (a recount edits them); the lists are new
    assert fast[1] is not a and fast[2] is not l
    fast[0][0].representative.append("x")
    fast[0][0].stance["problem"] = 9
    assert t == world()[0]  # the copies share no list or dict with the inputs


def test_base_is_saved_as_asdict_would_save_it(tmp_path):
    from dataclasses import asdict

    from kilvoice.review.results import load_base

    store = open_store(tmp_path / "p")
    try:
        store.db.execute("INSERT INTO runs (id, pipeline, started_at, status) VALUES ('r1', 'p.toml', ?, 'done')",
                         (now(),))
        t, a, l = world()
        review_run(store, "r1", t, a, l)
        row = store.db.execute("SELECT themes FROM review_base WHERE run_id='r1'").fetchone()
        assert row[0] == json.dumps([asdict(x) for x in t])
        assert load_base(store, "r1") == (t, a, l)
    finally:
        store.close()


def test_pure_and_deterministic():
    t, a, l = world()
    before = copy.deepcopy((t, a, l))
    ds = [decision(1, "merge", {"theme_id": "T02", "into": "T01"}), decision(2, "rename", {"theme_id": "T01", "title": "X"})]
    first = apply_review(t, a, l, ds)
    second = apply_review(t, a, l, ds)
    assert (t, a, l) == before  # nothing mutated
    assert first == second


def test_rename():
    t, a, l = world()
    t2, *_ = apply_review(t, a, l, [decision(1, "rename", {"theme_id": "T02", "title": "Buses", "description": "Bus routes"})])
    th = {x.id: x for x in t2}["T02"]
    assert (th.title, th.description) == ("Buses", "Bus routes")


def test_merge_moves_statements_links_and_counts():
    t, a, l = world()
    t2, a2, l2, rep = apply_review(t, a, l, [decision(1, "merge", {"theme_id": "T02", "into": "T01"})])
    ids = [x.id for x in t2]
    assert "T02" not in ids
    t01 = {x.id: x for x in t2}["T01"]
    assert t01.size == 8 and t01.n_conversations == 4
    assert t01.stance == {"strength": 2} and "kw1" in t01.keywords
    assert primary_theme(a2, sid(2, 0)) == ["T01"]
    assert {(x.source_id, x.item_id) for x in l2} == {("T01", "P1"), ("T01", "P2")}
    assert rep["applied"][0]["into"] == "T01"


def test_split_makes_a_new_theme():
    t, a, l = world()
    t2, a2, _, _ = apply_review(t, a, l, [decision(7, "split", {"theme_id": "T03", "title": "Parks",
                                                                "statement_ids": [sid(4, 0), sid(4, 1)]})])
    new = [x for x in t2 if x.title == "Parks"][0]
    assert new.size == 2 and new.n_conversations == 1
    assert {x.id: x for x in t2}["T03"].size == 2
    assert primary_theme(a2, sid(4, 0)) == [new.id]


def test_split_and_move_recount_stances_when_given():
    t, a, l = world()
    stance = {x.statement_id: ("problem" if x.statement_id == sid(4, 0) else "strength") for x in a}
    ds = [decision(7, "split", {"theme_id": "T03", "title": "Parks", "statement_ids": [sid(4, 0), sid(4, 1)]}),
          decision(8, "move", {"statement_id": sid(0, 0), "to": "T03"})]
    t2, *_ = apply_review(t, a, l, ds, statement_stances=stance)
    by = {x.title: x for x in t2}
    assert by["Parks"].stance == {"strength": 1, "problem": 1, "aspiration": 0}
    assert sum(by[next(x.title for x in t2 if x.id == "T03")].stance.values()) == 3  # two left + one moved in
    assert sum(by[next(x.title for x in t2 if x.id == "T01")].stance.values()) == 3
    untouched, *_ = apply_review(t, a, l, ds)  # without stances the counts stay as the stage left them
    assert {x.id: x.stance for x in untouched}["T01"] == {x.id: x.stance for x in t}["T01"]


def test_split_off_theme_gets_keywords_and_a_description_from_its_statements():
    t, a, l = world()
    texts = {x.statement_id: "the bus station is grim and the bus is late" for x in a}
    texts.update({sid(4, 0): "the skate park needs lights", sid(4, 1): "skate park ramps are broken"})
    ds = [decision(7, "split", {"theme_id": "T03", "title": "Skate park", "statement_ids": [sid(4, 0), sid(4, 1)]})]
    t2, *_ = apply_review(t, a, l, ds, statement_texts=texts)
    new = next(x for x in t2 if x.title == "Skate park")
    assert new.keywords[:2] == ["park", "skate"] and "bus" not in new.keywords
    assert new.description == "2 statements about park and skate."
    assert {x.id: x.keywords for x in t2}["T03"] == ["kw2"]  # the stage's keywords stay
    bare, *_ = apply_review(t, a, l, ds)
    assert next(x for x in bare if x.title == "Skate park").keywords == []


def test_delete_sends_statements_to_other_and_drops_links():
    t, a, l = world()
    t2, a2, l2, _ = apply_review(t, a, l, [decision(1, "delete", {"theme_id": "T01"})])
    assert "T01" not in [x.id for x in t2]
    assert primary_theme(a2, sid(0, 0)) == ["other"]
    assert {x.id: x for x in t2}["other"].size == 5
    assert all(x.source_id != "T01" for x in l2)


def test_move_statement():
    t, a, l = world()
    t2, a2, _, _ = apply_review(t, a, l, [decision(1, "move", {"statement_id": sid(0, 0), "from": "T01", "to": "T03"})])
    assert primary_theme(a2, sid(0, 0)) == ["T03"]
    by = {x.id: x for x in t2}
    assert by["T01"].size == 3 and by["T03"].size == 5 and sid(0, 0) in by["T03"].representative


def test_link_reject_and_accept():
    t, a, l = world()
    ds = [decision(1, "link", {"source_kind": "theme", "source_id": "T01", "framework_id": "keep-it-local",
                               "item_id": "P1", "accepted": False}),
          decision(2, "link", {"source_kind": "theme", "source_id": "T02", "framework_id": "keep-it-local",
                               "item_id": "P2", "accepted": True}),
          decision(3, "link", {"source_kind": "theme", "source_id": "T03", "framework_id": "keep-it-local",
                               "item_id": "P5", "accepted": True})]
    _, _, l2, rep = apply_review(t, a, l, ds)
    keys = {(x.source_id, x.item_id): x for x in l2}
    assert ("T01", "P1") not in keys
    assert keys[("T02", "P2")].rationale.startswith("accepted by officer")
    assert keys[("T03", "P5")].score == 1.0
    assert len(rep["applied"]) == 3


def test_quote_signoff_and_skips():
    t, a, l = world()
    ds = [decision(1, "quote", {"statement_id": sid(0, 0), "publishable": False}),
          decision(2, "signoff", {"theme_id": "T02"}),
          decision(3, "rename", {"theme_id": "T99", "title": "gone"}),
          decision(4, "link", {"source_kind": "theme", "source_id": "T01", "framework_id": "f", "item_id": "x",
                               "accepted": False})]
    _, _, _, rep = apply_review(t, a, l, ds)
    assert rep["quotes"] == {sid(0, 0): False}
    assert rep["signed_off"] == ["T02"]
    assert [s["id"] for s in rep["skipped"]] == [3, 4]


def test_retarget_by_jaccard_after_ids_change():
    """A re-run numbers the themes differently: decisions follow the statements, not the ids."""
    t, a, l = world()
    snap = {"theme_id": [x.statement_id for x in a if x.theme_id == "T01"],
            "into": [x.statement_id for x in a if x.theme_id == "T03"]}
    ds = [decision(1, "rename", {"theme_id": "T01", "title": "Green spaces"}, {"theme_id": snap["theme_id"]}),
          decision(2, "merge", {"theme_id": "T01", "into": "T03"}, snap)]
    # the re-run: T01 -> T03, T03 -> T01 (ids swapped), one statement of old T01 now in T02
    remap = {"T01": "T03", "T03": "T01", "T02": "T02", "other": "other"}
    t2 = [Theme(remap[x.id], x.title, size=x.size, representative=list(x.representative)) for x in t]
    a2 = [Assignment(x.statement_id, remap[x.theme_id], x.score) for x in a]
    a2[0].theme_id = "T02"
    out_t, out_a, _, rep = apply_review(t2, a2, l, ds)
    by = {x.id: x for x in out_t}
    assert "T03" not in by  # the old T01 (now T03) was renamed, then merged into the old T03 (now T01)
    assert primary_theme(out_a, sid(1, 0)) == ["T01"]
    assert {r["key"]: r["to"] for r in rep["retargeted"] if r["id"] == 2} == {"theme_id": "T03", "into": "T01"}


# -- the log in the real store ---------------------------------------------------------------------
def seed_run(store, run_id: str, themes, assignments, links, review: bool = True):
    with store.transaction() as db:
        db.execute("INSERT OR IGNORE INTO files (id, path, sha256, size, status, ingested_at) VALUES (1,'f','x',1,'ok',?)",
                   (now(),))
        for c in range(10):
            db.execute("INSERT OR IGNORE INTO conversations (id, file_id, content_hash, created_at, consent_to_quote)"
                       " VALUES (?,1,?,?,1)", (f"C{c}", f"h{c}", now()))
            for i in range(2):
                db.execute("INSERT OR IGNORE INTO statements (id, conversation_id, utterance_idx, idx, text, text_hash)"
                           " VALUES (?,?,0,?,?,?)", (sid(c, i), f"C{c}", i, "redacted text", f"h{c}{i}"))
    store.start_run(run_id, "p.toml")
    if review:
        themes, assignments, links, report = review_run(store, run_id, themes, assignments, links)
    store.save_results(run_id, themes, assignments, links, [])
    store.finish_run(run_id, {"run_id": run_id})


def test_log_is_append_only_exportable_and_survives_rerun(tmp_path):
    store = open_store(tmp_path)
    seed_run(store, "r1", *world())
    record_decision(store, "rename", "olive", {"theme_id": "T02", "title": "Bus, routes =1"}, reason="clearer")
    record_decision(store, "merge", "olive", {"theme_id": "T03", "into": "T02"})
    record_decision(store, "link", "olive", {"source_kind": "theme", "source_id": "T01",
                                             "framework_id": "keep-it-local", "item_id": "P1", "accepted": "false"})
    reapply(store)
    themes, assignments, links = load_results(store, "r1")
    assert {t.id for t in themes} == {"T01", "T02", "other"}
    assert {t.id: t.title for t in themes}["T02"] == "Bus, routes =1"
    assert links and all(l.item_id != "P1" for l in links)
    # re-run with changed ids: old T02 is now T05, old T03 is now T07
    t, a, l = world()
    remap = {"T01": "T01", "T02": "T05", "T03": "T07", "other": "other"}
    for x in t:
        x.id = remap[x.id]
    for x in a:
        x.theme_id = remap[x.theme_id]
    for x in l:
        x.source_id = remap[x.source_id]
    seed_run(store, "r2", t, a, l)
    themes, _, links = load_results(store, "r2")
    by = {th.id: th for th in themes}
    assert set(by) == {"T01", "T05", "other"} and by["T05"].title == "Bus, routes =1" and by["T05"].size == 8
    decisions = load_decisions(store)
    assert [d["kind"] for d in decisions] == ["rename", "merge", "link"]
    assert decisions[0]["snapshot"]["theme_id"] == [sid(2, 0), sid(2, 1), sid(3, 0), sid(3, 1)]
    rows = list(csv.DictReader(io.StringIO(export_decisions(store, "csv"))))
    assert rows[0]["user"] == "olive" and rows[0]["reason"] == "clearer" and json.loads(rows[1]["payload"])["into"] == "T02"
    assert json.loads(export_decisions(store, "json"))[2]["payload"]["accepted"] is False
    store.close()


def test_web_edits_update_framework_coverage_at_once(tmp_path):
    """A rejected link or a merge shows in the crosswalk without waiting for the next run."""
    store = open_store(tmp_path)
    t, a, _ = world()
    links = [Link("theme", "T01", "keep-it-local", "kil-2", 0.7, [sid(0, 0)], "similar"),
             Link("theme", "T02", "keep-it-local", "kil-3", 0.6, [sid(2, 0)], "similar")]
    seed_run(store, "r1", t, a, links)
    manifest = {"run_id": "r1", "config": {"map": {"frameworks": ["keep-it-local"]}},
                "coverage": {"frameworks": {}, "unmapped_themes": []}}
    with store.transaction() as db:
        db.execute("UPDATE runs SET manifest=? WHERE id='r1'", (json.dumps(manifest),))
    record_decision(store, "link", "olive", {"source_kind": "theme", "source_id": "T01",
                                             "framework_id": "keep-it-local", "item_id": "kil-2", "accepted": "false"})
    reapply(store)
    stored = json.loads(store.db.execute("SELECT manifest FROM runs WHERE id='r1'").fetchone()[0])
    kil = stored["coverage"]["frameworks"]["keep-it-local"]
    assert "kil-2" in kil["gaps"] and "kil-3" not in kil["gaps"]
    assert set(stored["coverage"]["unmapped_themes"]) == {"T01", "T03"}
    record_decision(store, "merge", "olive", {"theme_id": "T03", "into": "T02"})
    reapply(store)
    stored = json.loads(store.db.execute("SELECT manifest FROM runs WHERE id='r1'").fetchone()[0])
    assert stored["coverage"]["unmapped_themes"] == ["T01"]
    item = next(i for i in stored["coverage"]["frameworks"]["keep-it-local"]["items"] if i["id"] == "kil-3")
    assert item["linked_themes"] == ["T02"] and item["n_conversations"] == 1
    store.close()


def test_bad_decisions_raise_coded_errors(tmp_path):
    store = open_store(tmp_path)
    with pytest.raises(KilvoiceError) as e:
        record_decision(store, "explode", "o", {})
    assert e.value.code == "K801"
    with pytest.raises(KilvoiceError) as e:
        record_decision(store, "merge", "o", {"theme_id": "T01", "into": "T01"})
    assert e.value.code == "K802" and "into itself" in e.value.message
    with pytest.raises(KilvoiceError) as e:
        export_decisions(store, "xml")
    assert e.value.code == "K810"
    store.close()

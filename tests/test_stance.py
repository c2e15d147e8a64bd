"""Stance read as "cues.v2" (issue 16): a statement that answers no question and says no stance is
"unstated", not a strength; answers to a Big Conversation question keep their framing; every count
that reaches a description, the report and the web app says how many say no clear stance."""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.records import UNSTATED, Assignment, Statement, Theme
from kilvoice.review import apply_review
from kilvoice.topics.labels import make_description
from kilvoice.topics.phrases import describe
from kilvoice.topics.stance import READINGS, count_stances, reading_of, stance_keys, stance_of, stance_of_text

FIXTURE = Path(__file__).parent / "fixtures" / "stance" / "untagged-notes.csv"


@pytest.mark.parametrize("text, question, v1, v2", [
    # no question, no cue: v1 invents a strength, v2 says so
    ("We moved into our house on Mill Road in 2015.", None, "strength", UNSTATED),
    ("The bins are collected on Thursday mornings.", None, "strength", UNSTATED),
    ("Scrap the council tax rise on band D homes.", None, "strength", UNSTATED),
    # no question, a cue: the same in both readings
    ("Buses into town are always late and the bus station is grim.", None, "problem", "problem"),
    ("We should reopen the library.", None, "aspiration", "aspiration"),
    ("The park by the river is lovely.", None, "strength", "strength"),
    # v2's written cues, read only for statements answering no question
    ("The paramedics were professional and efficient.", None, "strength", "strength"),
    ("The crew were calm and reassuring.", None, "strength", "strength"),
    ("Answer the phone quicker.", None, "strength", "aspiration"),
    ("The ambulance was delayed by two hours.", None, "strength", "problem"),
    # answers to a Big Conversation question keep the exercise's framing in both readings
    ("The market on Saturdays.", "strong", "strength", "strength"),
    ("The market on Saturdays.", "future", "aspiration", "aspiration"),
    ("Answer the phone quicker.", "strong", "strength", "strength"),
    ("The youth club closed and there is nothing to do.", "strong", "problem", "problem"),
])
def test_the_rule_on_real_sentences(text, question, v1, v2):
    assert stance_of_text(text, question) == v1  # the default reading is v1: old pipeline files reproduce
    assert stance_of_text(text, question, "cues.v1") == v1
    assert stance_of_text(text, question, "cues.v2") == v2
    st = Statement(id="x", conversation_id="c", utterance_index=0, index=0, text=text, question=question)
    assert stance_of(st, "cues.v2") == v2


def test_an_answer_to_a_question_never_reads_differently_in_v2():
    rows = list(csv.DictReader(FIXTURE.open(encoding="utf-8")))
    for r in rows:
        for question in ("strong", "future"):
            assert stance_of_text(r["text"], question, "cues.v2") == stance_of_text(r["text"], question, "cues.v1")
    v2 = Counter(stance_of_text(r["text"], None, "cues.v2") for r in rows)
    assert v2[UNSTATED] >= 15 and UNSTATED not in Counter(stance_of_text(r["text"], None) for r in rows)


def test_an_unknown_reading_is_refused():
    with pytest.raises(KilvoiceError) as err:
        stance_of_text("We moved here in 2015.", None, "cues.v9")
    assert err.value.code == "K761" and '"cues.v1", "cues.v2", "cues.v3", "cues.v4", "cues.v5"' in str(err.value)
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.topics.bertopic.v2", stance="none")
    assert err.value.code == "K705" and "stance" in str(err.value)


def test_counts_and_the_reading_they_came_from():
    assert READINGS == ("cues.v1", "cues.v2", "cues.v3", "cues.v4", "cues.v5")
    assert count_stances(["strength", "problem"]) == {"strength": 1, "problem": 1, "aspiration": 0}
    v2 = count_stances(["strength", UNSTATED, UNSTATED], stance_keys("cues.v2"))
    assert v2 == {"strength": 1, "problem": 0, "aspiration": 0, UNSTATED: 2}
    assert count_stances(["strength"], stance_keys("cues.v2"))[UNSTATED] == 0  # v2 always says how many
    assert reading_of([{"strength": 3}, {}]) == "cues.v1"
    assert reading_of([{"strength": 3}, {"strength": 0, UNSTATED: 0}]) == "cues.v2"


def test_descriptions_judge_the_lean_on_statements_that_say_a_stance():
    v1 = {"strength": 4, "problem": 18, "aspiration": 9}
    assert describe(31, 12, v1, "evening buses") == (
        "31 statements from 12 conversations about evening buses: 18 problems, 9 aspirations and 4 strengths.")
    v2 = {**v1, UNSTATED: 50}
    assert describe(81, 12, v2, "evening buses") == (
        "81 statements from 12 conversations about evening buses: 18 problems, 9 aspirations and 4 strengths; "
        "50 say no clear stance.")
    assert describe(5, 2, {"strength": 0, "problem": 0, "aspiration": 0, UNSTATED: 5}, "bins") == (
        "5 statements from 2 conversations about bins: none says a clear stance.")
    assert describe(31, 12, {**v1, UNSTATED: 0}, "evening buses") == describe(31, 12, v1, "evening buses")
    # "mostly strengths" of the 12 that say one, although 30 of 42 say none
    assert make_description(["schools"], {"strength": 10, "problem": 2, UNSTATED: 30}, 42) == (
        "42 statements about schools; of the 12 that say a stance, mostly strengths; 30 say no clear stance.")
    assert make_description(["schools"], {"strength": 10, "problem": 2}, 12) == "12 statements about schools; mostly strengths."
    assert make_description(["bins"], {"strength": 0, UNSTATED: 7}, 7) == "7 statements about bins; none says a clear stance."


def test_a_review_recount_keeps_the_reading_of_the_run():
    members = [f"C{i}-u0-s0" for i in range(4)]
    themes = [Theme("T01", "Bins", keywords=["bins"], size=2, n_conversations=2, representative=members[:2],
                    stance={"strength": 0, "problem": 1, "aspiration": 0, UNSTATED: 1}),
              Theme("T02", "Parks", keywords=["park"], size=2, n_conversations=2, representative=members[2:],
                    stance={"strength": 1, "problem": 0, "aspiration": 0, UNSTATED: 1})]
    assignments = [Assignment(s, "T01" if i < 2 else "T02", 0.9) for i, s in enumerate(members)]
    stances = dict(zip(members, ["problem", UNSTATED, "strength", UNSTATED]))
    move = {"id": 1, "kind": "move", "payload": {"statement_id": members[1], "to": "T02"}, "snapshot": {},
            "user": "o", "reason": ""}
    out, *_ = apply_review(themes, assignments, [], [move], statement_stances=stances)
    by = {t.id: t.stance for t in out}
    assert by["T01"] == {"strength": 0, "problem": 1, "aspiration": 0, UNSTATED: 0}
    assert by["T02"] == {"strength": 1, "problem": 0, "aspiration": 0, UNSTATED: 2}


def _untagged_statements():
    rows = list(csv.DictReader(FIXTURE.open(encoding="utf-8")))
    return [Statement(id=f"s{i:03d}", conversation_id=r["id"], utterance_index=0, index=0, text=r["text"])
            for i, r in enumerate(rows)]


def test_the_theme_stage_counts_unstated_only_when_asked():
    from kilvoice.embed import StaticEmbedder

    stmts = _untagged_statements()
    vectors = StaticEmbedder().encode([s.text for s in stmts])
    runs = {}
    for reading in READINGS:
        stage = registry.create("kilvoice.topics.bertopic.v1", min_themes=4, max_themes=8, stability=False,
                                stance=reading)
        themes, _, _, info = stage.run(stmts, vectors, 7)
        assert info["params"]["stance"] == reading  # recorded with the run's settings
        runs[reading] = themes
    v1, v2 = runs["cues.v1"], runs["cues.v2"]
    assert [t.title for t in v1] == [t.title for t in v2]  # the reading changes counts, never the themes
    text = {s.id: s.text for s in stmts}
    for a, b in zip(v1, v2):
        assert set(a.stance) == {"strength", "problem", "aspiration"} and sum(a.stance.values()) == a.size
        assert set(b.stance) == {"strength", "problem", "aspiration", UNSTATED} and sum(b.stance.values()) == b.size
        expected = Counter(stance_of_text(text[i], None, "cues.v2") for i in b.representative)
        assert b.stance == {k: expected.get(k, 0) for k in b.stance}
    assert sum(t.stance[UNSTATED] for t in v2 if not t.id.startswith("P")) >= 15
    said = [t for t in v2 if t.stance[UNSTATED] and t.id.startswith("T")]  # not groups, not "other"
    assert said and all("no clear stance" in t.description for t in said)
    assert not any("no clear stance" in t.description for t in v1)


@pytest.mark.slow
def test_untagged_notes_report_the_unstated_count(tmp_path):
    """The main job on untagged notes: themes.csv's "unstated" column, report.html, report.md and the
    key-issues table carry the count, and it is what the reading gives for the statements."""
    from conftest import write_pipeline
    from kilvoice.pipeline import run_pipeline

    out = tmp_path / "out"
    pipeline = write_pipeline(tmp_path / "p.toml", tmp_path / "store", out, [FIXTURE])
    run_pipeline(pipeline)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["topics"]["stance"] == "cues.v5"
    with open(out / "themes.csv", encoding="utf-8") as fh:
        themes = list(csv.DictReader(fh))
    with open(out / "statements.csv", encoding="utf-8") as fh:
        statements = list(csv.DictReader(fh))
    assert list(themes[0])[:15] == ["theme_id", "title", "description", "keywords", "statements", "conversations",
                                    "prevalence", "strengths", "problems", "aspirations", "parent", "kind",
                                    "signed_off", "areas", "quote_statement_ids"]  # old columns kept, in place
    assert list(themes[0])[-1] == "unstated"
    read = {s["statement_id"]: stance_of_text(s["text"], s["question"] or None, "cues.v5") for s in statements}
    assert all(not s["question"] for s in statements)
    for t in themes:
        if t["kind"] == "group":
            continue
        members = [s["statement_id"] for s in statements if s["theme_ids"].split(";")[0] == t["theme_id"]]
        counts = Counter(read[m] for m in members)
        assert [int(t[c]) for c in ("strengths", "problems", "aspirations", "unstated")] == [
            counts["strength"], counts["problem"], counts["aspiration"], counts[UNSTATED]], t["title"]
    total = sum(int(t["unstated"]) for t in themes if t["kind"] != "group")
    assert total == sum(v == UNSTATED for v in read.values()) >= 15
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Strengths / problems / aspirations / no clear stance" in html and "no clear stance" in md
    shown = [t for t in themes if t["kind"] == "theme" and int(t["unstated"])]
    assert shown and all(f"no clear stance {t['unstated']}" in html for t in shown)
    assert all("clear stance" in t["description"] for t in shown)  # "50 say no clear stance" / "none says a clear stance"
    assert f"{total} of {len(statements)} statements answer no question" in html  # the method says how they are read
    assert sum(read[m] != stance_of_text(text, None, "cues.v2") for m, text in
               ((s["statement_id"], s["text"]) for s in statements)) >= 3  # v3 reads those differently

    # an officer's edit recounts with the run's reading (v3), not the one the counts' keys suggest (v2)
    from kilvoice.review import load_results, reapply, record_decision
    from kilvoice.store import open_store

    moved = next(s for s in statements if s["theme_ids"].split(";")[0].startswith("T"))
    to = next(t["theme_id"] for t in themes if t["kind"] == "theme" and t["theme_id"] != moved["theme_ids"].split(";")[0])
    with open_store(tmp_path / "store") as store:
        record_decision(store, "move", "officer", {"statement_id": moved["statement_id"], "to": to})
        reapply(store)
        reviewed, assignments, _ = load_results(store, manifest["run_id"])
    primary = {a.statement_id: a.theme_id for a in assignments if a.primary}
    assert primary[moved["statement_id"]] == to
    for t in reviewed:
        if t.id.startswith("T"):
            counts = Counter(read[m] for m, tid in primary.items() if tid == t.id)
            assert {k: t.stance.get(k, 0) for k in ("strength", "problem", "aspiration", UNSTATED)} == {
                k: counts[k] for k in ("strength", "problem", "aspiration", UNSTATED)}, t.title


@pytest.mark.parametrize("text, question, v2, v3", [
    # denying a fault or a want is praise, as the titles read it ("General praise")
    ("No complaints at all.", None, "problem", "strength"),
    ("Could not fault them.", None, "aspiration", "strength"),  # v2: "could" wishes
    ("Nothing could have been better.", None, "aspiration", "strength"),
    ("You could have not done anything better.", None, "aspiration", "strength"),
    # a null answer says no stance
    ("Nothing.", None, "problem", UNSTATED),
    ("Nothing at the minute.", None, "problem", UNSTATED),
    ("Cannot think of anything off hand.", None, "problem", UNSTATED),
    # what is said of a fault, a delay or a want stays as v2 reads it
    ("Nothing was done about the leak.", None, "problem", "problem"),
    ("The ambulance was delayed by two hours.", None, "problem", "problem"),
    ("We should reopen the library.", None, "aspiration", "aspiration"),
    ("No complaints about the staff, but the parking was awful and expensive.", None, "problem", "problem"),
    # answers to a Big Conversation question are read as in v2 ("Nothing." to "what's strong" is a problem)
    ("Nothing.", "strong", "problem", "problem"),
    ("No complaints at all.", "future", "problem", "problem"),
])
def test_v3_reads_a_denied_fault_as_praise_and_a_null_answer_as_none(text, question, v2, v3):
    assert stance_of_text(text, question, "cues.v2") == v2
    assert stance_of_text(text, question, "cues.v3") == v3
    assert stance_keys("cues.v3") == stance_keys("cues.v2")


def test_v3_agrees_with_the_titles_on_a_theme_of_nothing_to_improve():
    """phrases9 titles such a theme "General praise" from its said stances; v2's counts called it mostly
    problems and aspirations, so the description contradicted the title."""
    from kilvoice.topics import phrases9

    texts = ["Nothing could have been better.", "No complaints.", "Could not fault the crew.",
             "Nothing at the minute.", "Everything was perfect, thank you."]
    said = phrases9.said_stances(texts)
    v2, v3 = (Counter(stance_of_text(t, None, r) for t in texts) for r in ("cues.v2", "cues.v3"))
    assert said == {"strength": 4}
    assert v3 == {"strength": 4, UNSTATED: 1}
    assert v2["strength"] <= 1


@pytest.mark.parametrize("text, question, v3, v4", [
    # saying nothing gets better is a complaint; v3 read "nothing ... improved" as a want denied (praise)
    ("Nothing has improved since the pit closed.", None, "strength", "problem"),
    ("Nothing ever gets better round here.", None, "strength", "problem"),
    ("I can't see it getting any better.", None, "strength", "problem"),
    ("Things have not improved at all for young people.", None, "strength", "problem"),
    ("The roads aren't improving.", None, "strength", "problem"),
    ("It is not getting better.", None, "aspiration", "problem"),
    ("The park is lovely but nothing has improved on the high street.", None, "strength", "problem"),
    ("Nothing has improved on the estate.", "strong", "problem", "problem"),
    ("Nothing ever gets better round here.", "future", "aspiration", "problem"),
    ("I can't see the buses getting any better.", None, "strength", "problem"),
    # a counterfactual is still praise, and "better" of a thing got is no change
    ("Nothing could have been better.", None, "strength", "strength"),
    ("Could not get any better.", None, "strength", "strength"),
    ("Excellent service, could not be improved.", None, "strength", "strength"),
    ("Nothing needs improving.", None, "strength", "strength"),
    ("Nothing comes to mind as improving the service.", None, "strength", "strength"),
    ("It wasn't, but it has improved a lot.", None, "strength", "strength"),
    ("We need jobs so young people don't leave to get better paying jobs.", None, "aspiration", "aspiration"),
    ("Nothing.", None, UNSTATED, UNSTATED),
])
def test_v4_reads_nothing_gets_better_as_a_problem(text, question, v3, v4):
    assert stance_of_text(text, question, "cues.v3") == v3
    assert stance_of_text(text, question, "cues.v4") == v4
    assert stance_keys("cues.v4") == stance_keys("cues.v3")


@pytest.mark.parametrize("text, question, v4, v5", [
    # praise by a fault denied, answering a question: v4 read "no" / "not" as a problem
    ("No complaints.", "strong", "problem", "strength"),
    ("No complaints about the bin collections.", "strong", "problem", "strength"),
    ("Could not get any better.", "strong", "problem", "strength"),
    ("No complaints at all.", "future", "problem", "strength"),
    ("Nothing to improve, the staff were excellent.", "future", "aspiration", "strength"),
    ("Nothing - the staff were excellent.", "future", "aspiration", "strength"),
    # praise words alone answering "what would make it better" are mostly a wish: still an aspiration
    ("Membership is dropping - they'd love younger people to try it.", "future", "aspiration", "aspiration"),
    ("Somewhere safe for kids - drug dealing near the shops.", "future", "aspiration", "aspiration"),
    ("Nothing, it was all great.", "future", "aspiration", "strength"),
    # a null answer to "what would make it better" says no stance; to "what's strong", that nothing is
    ("Nothing.", "future", "problem", UNSTATED),
    ("Can't think of anything.", "future", "problem", UNSTATED),
    ("Nothing.", "strong", "problem", "problem"),
    ("None.", "strong", "strength", "problem"),
    # wants, complaints and mixed answers keep v4's reading
    ("More buses please.", "future", "aspiration", "aspiration"),
    ("The buses are rubbish.", "future", "problem", "problem"),
    ("The park is lovely but needs more benches.", "future", "aspiration", "aspiration"),
    ("The park is lovely but needs more benches.", "strong", "strength", "strength"),
    ("Nothing has improved on the estate.", "strong", "problem", "problem"),
    ("Nothing ever gets better round here.", "future", "problem", "problem"),
    # praise said as a limit reached, whatever the question (v4: a want, from "more" and "could")
    ("The drivers could not have been more helpful.", None, "aspiration", "strength"),
    ("They could not do enough for us.", "future", "aspiration", "strength"),
    ("Couldn't get any better.", "strong", "aspiration", "strength"),
    ("Nothing was too much trouble for the staff.", None, "problem", "strength"),
    # a statement that answers no question reads as in v4
    ("No complaints.", None, "strength", "strength"),
    ("Nothing.", None, UNSTATED, UNSTATED),
])
def test_v5_reads_answers_to_a_question_for_praise_and_null_answers(text, question, v4, v5):
    assert stance_of_text(text, question, "cues.v4") == v4
    assert stance_of_text(text, question, "cues.v5") == v5
    assert stance_keys("cues.v5") == stance_keys("cues.v4")

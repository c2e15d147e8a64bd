"""Real input must not crash the main job or lose what is stored (issue 20).

- every write path of ingest -> redact -> segment holds on generated input: several safeguarding
  categories in one note, repeated ids, repeated statements, re-runs after a partial run;
- the CLI's error boundary: an unexpected error is one line (K950) and a log without resident text;
- a run killed with SIGKILL resumes to the same themes as an uninterrupted run;
- the eval commands read CSVs as robustly as ingest.
"""
from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, SAMPLES, write_pipeline
from kilvoice import registry
from kilvoice.pipeline import redact_store, segment_store
from kilvoice.store import Store

# sentences drawn by the generated notes: ordinary views, and disclosures matching one or more
# safeguarding categories (the 2,000-note crash was any note matching two)
ORDINARY = [
    "The park is lovely in summer and the staff at the library are kind.",
    "Buses after six would help my son get to college.",
    "More benches on the high street, please.",
    "The market hall revamp is great.",
    "Rents are too high for young families round here.",
]
DISCLOSING = [
    "Her partner hits her when he drinks and she is scared to go home.",
    "She said she has thought about suicide and her dad beat her as a child.",
    "The kids are left alone for days and he threatened to kill her.",
    "My husband punched me last week.",
]
note_strategy = st.tuples(
    st.sampled_from(["N1", "N2", "N3", ""]),  # ids repeat across rows and files
    st.lists(st.sampled_from(ORDINARY + DISCLOSING), min_size=1, max_size=6),  # sentences repeat
)


def _write_csv(path: Path, notes) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "area"])
        for nid, sentences in notes:
            w.writerow([nid, " ".join(sentences), "KV1"])


@pytest.fixture(scope="module")
def stages():
    return (registry.create("kilvoice.ingest.files.v1"),
            registry.create("kilvoice.redact.spacy_uk.v1", use_ner=False),
            registry.create("kilvoice.segment.sentences.v2"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(note_strategy, min_size=1, max_size=8), min_size=1, max_size=3),
       policy=st.sampled_from(["statement", "conversation"]))
def test_write_paths_hold_on_generated_input(tmp_path_factory, stages, batches, policy):
    ingester, redactor, segmenter = stages
    root = tmp_path_factory.mktemp("gen")
    store = Store(root / "kv.sqlite")
    try:
        for n, notes in enumerate(batches):
            _write_csv(root / f"batch{n}.csv", notes)
            _write_csv(root / f"copy{n}.csv", notes)  # the same notes again under another file name
            ingester.run([root], store, root=root)
            for _ in range(2):  # a re-run redacts and segments again without a constraint failure
                redact_store(store, redactor)
                statements, rejects = segment_store(store, segmenter, withhold=policy)
        db = store.db
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        flagged = store.flagged_utterances()
        for cid, idxs in flagged.items():  # one row per category and utterance, all of them kept
            cats = db.execute("SELECT COUNT(*) FROM flags WHERE conversation_id=?", (cid,)).fetchone()[0]
            assert cats >= len(idxs)
        ids = [s.id for s in statements]
        assert len(ids) == len(set(ids))
        stored = {r[0] for r in db.execute("SELECT id FROM statements")}
        assert set(ids) <= stored
        withheld = {r.item for r in rejects if r.code in ("K680", "K681")}
        assert not withheld & set(ids)
        from kilvoice.redact.safeguarding import safeguarding_categories

        assert not [s for s in statements if safeguarding_categories(s.text)]  # no disclosure is analysed
        if policy == "conversation":
            assert not {s.conversation_id for s in statements} & set(flagged)
        for s in statements:  # nothing withheld from a note that is not flagged
            if s.conversation_id not in flagged:
                assert s.id not in withheld
    finally:
        store.close()


def test_a_flagged_note_loses_only_its_disclosure(tmp_path, stages):
    ingester, redactor, segmenter = stages
    (tmp_path / "notes.csv").write_text(
        "id,text\nA,\"The park is lovely in summer. Her partner hits her when he drinks. "
        "Buses after six would help my son get to college.\"\n", encoding="utf-8")
    with Store(tmp_path / "kv.sqlite") as store:
        ingester.run([tmp_path / "notes.csv"], store, root=tmp_path)
        redact_store(store, redactor)
        kept, rejects = segment_store(store, segmenter)
        assert [s.text for s in kept] == ["The park is lovely in summer.",
                                          "Buses after six would help my son get to college."]
        assert [r.code for r in rejects] == ["K680"]
        assert "hits" not in rejects[0].reason and "partner" not in rejects[0].reason
        kept, rejects = segment_store(store, segmenter, withhold="conversation")
        assert kept == [] and [r.code for r in rejects] == ["K681"] * 3


# -- the error boundary ---------------------------------------------------------------------------
SECRET = "Mrs Quarrington on 07700 900123 said"


def _small_pipeline(tmp_path: Path) -> Path:
    return write_pipeline(tmp_path / "p.toml", tmp_path / "project", tmp_path / "out",
                          [SAMPLES / "notes"], extra="")


def test_an_unexpected_error_is_one_line_and_a_log_without_resident_text(tmp_path, monkeypatch):
    from kilvoice import pipeline
    from kilvoice.cli import main

    def boom(*args, **kwargs):
        raise ValueError(SECRET)

    monkeypatch.setattr(pipeline, "embed_cached", boom)
    p = _small_pipeline(tmp_path)
    result = CliRunner().invoke(main, ["run", str(p), "--quiet"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("Error: K950 internal error in embed; details written to ")
    assert lines[0].endswith("; nothing was lost, run the same command again to resume")
    log = Path(lines[0].split("details written to ")[1].split(";")[0])
    assert log.parent == tmp_path / "project" / "logs" and log.name.startswith("r")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "ValueError" in text and "embed_cached" in text
    assert "Quarrington" not in text and "07700" not in text
    debug = CliRunner().invoke(main, ["--debug", "run", str(p), "--quiet"])
    assert debug.exit_code == 1 and "Traceback" in debug.output and "K950" in debug.output
    monkeypatch.undo()  # the same command again finishes the run
    again = CliRunner().invoke(main, ["run", str(p), "--quiet"])
    assert again.exit_code == 0, again.output
    runs = sqlite3.connect(tmp_path / "project" / "kilvoice.sqlite").execute(
        "SELECT status FROM runs ORDER BY started_at").fetchall()
    assert [r[0] for r in runs] == ["failed", "failed", "done"]


def test_ctrl_c_is_one_line_too(tmp_path, monkeypatch):
    from kilvoice import pipeline
    from kilvoice.cli import main

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "redact_store", interrupt)
    result = CliRunner().invoke(main, ["run", str(_small_pipeline(tmp_path)), "--quiet"])
    assert result.exit_code == 130
    assert result.output.strip() == ("Error: K951 stopped by the user (Ctrl-C) in redact; nothing was lost, "
                                     "run the same command again to resume")


# -- resume after SIGKILL -----------------------------------------------------------------------------
@pytest.mark.slow
def test_a_run_killed_twice_resumes_to_the_same_themes(tmp_path, sample_runs):
    """SIGKILL at two random moments, then a completing run: the same themes.csv as an
    uninterrupted run of the same pipeline (the session's sample run). The moments are drawn within
    the uninterrupted run's own duration (its manifest's step timings), so a fast machine does not
    finish the run before the kill (seen on a fast CPU: 3 runs done, none killed)."""
    import json

    p = write_pipeline(tmp_path / "p.toml", tmp_path / "project", tmp_path / "out", [SAMPLES])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-c", "from kilvoice.cli import main; main()", "run", str(p), "--quiet"]
    rng = random.Random(20)
    db = tmp_path / "project" / "kilvoice.sqlite"
    steps = json.loads((sample_runs["out1"] / "manifest.json").read_text(encoding="utf-8"))["timings"]
    for _ in range(2):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while not db.exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.05, 0.9) * sum(steps.values()))
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    expected = (sample_runs["out1"] / "themes.csv").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "themes.csv").read_text(encoding="utf-8") == expected
    statuses = [r[0] for r in sqlite3.connect(db).execute("SELECT status FROM runs ORDER BY id")]
    # a kill can land after a run has recorded itself done, while its process exits (seen under load:
    # done, interrupted, done); what must hold is that no run is left "running", at least one kill
    # interrupted a run, and the last run completed
    assert "running" not in statuses and set(statuses) <= {"done", "interrupted"}
    assert "interrupted" in statuses and statuses[-1] == "done"


# -- the eval commands' input ---------------------------------------------------------------------------
def test_eval_readers_take_a_200kb_field_a_bom_and_name_missing_columns(tmp_path):
    from kilvoice.errors import KilvoiceError
    from kilvoice.frameworks import load_frameworks
    from kilvoice.mapping.evaluate import read_labelled as read_mapping
    from kilvoice.topics.evaluate import read_labelled as read_topics

    long_post = "The towpath needs lighting. " * 7200  # ~200 KB in one field
    assert len(long_post) > 200_000
    fw = load_frameworks(["keep-it-local"])[0]
    item = fw.item_ids[0]
    path = tmp_path / "posts.csv"
    rows = [["text", "label"], [long_post, item], ["Short remark about buses", item]]
    with path.open("w", newline="", encoding="utf-16") as fh:  # UTF-16 with its BOM, as Excel saves
        csv.writer(fh).writerows(rows)
    texts, labels = read_topics(path, "text", "label")
    assert texts[0] == long_post.strip() and labels == [item, item]
    texts, y = read_mapping(path, "text", "label", fw)
    assert len(texts) == 2 and y.sum() == 2
    with pytest.raises(KilvoiceError) as err:
        read_topics(path, "comment", "label")
    assert err.value.code == "K502" and "columns: text, label" in err.value.message


def test_a_sentence_in_another_language_is_left_out_and_counted(tmp_path, stages):
    ingester, redactor, segmenter = stages
    (tmp_path / "notes.csv").write_text(
        "id,text\nA,\"The park is lovely in summer and the library is great. "
        "Wir brauchen mehr Radwege in der Stadt und weniger Autos. "
        "Buses after six would help my son get to college. Diolch yn fawr, it was good to talk.\"\n",
        encoding="utf-8")
    with Store(tmp_path / "kv.sqlite") as store:
        ingester.run([tmp_path / "notes.csv"], store, root=tmp_path)
        redact_store(store, redactor)
        kept, rejects = segment_store(store, segmenter)
    assert [s.text for s in kept] == ["The park is lovely in summer and the library is great.",
                                      "Buses after six would help my son get to college.",
                                      "Diolch yn fawr, it was good to talk."]
    assert [r.code for r in rejects] == ["K682"]

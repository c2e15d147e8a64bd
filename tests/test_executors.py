"""Where the per-note stages run (issue 17): in this process, in a pool of processes, or on a Dask
cluster. Whichever runs them, the store and the themes must be the same as a run in one process."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, SAMPLES, shared_path, write_pipeline
from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.executors import DaskExecutor, LocalExecutor, ProcessExecutor, make_executor
from kilvoice.pipeline import redact_store, segment_store
from kilvoice.store import open_store


def _double(x, y):
    return x * 2 + y


def test_results_come_back_in_order_with_a_bounded_window():
    pool = ProcessExecutor(2)
    try:
        sent = []

        def chunks():
            for i in range(20):
                sent.append(i)
                yield (i, 1)

        got = []
        for value in pool.map(_double, chunks()):
            got.append(value)
            assert len(sent) - len(got) <= 2 * pool.jobs  # lazily read: only a few chunks in flight
        assert got == [i * 2 + 1 for i in range(20)]
    finally:
        pool.close()


def test_auto_runs_small_exercises_here_and_large_ones_on_every_core():
    assert isinstance(make_executor("auto", 0, size=100), LocalExecutor)
    assert isinstance(make_executor("local", 4, size=10 ** 6), LocalExecutor)
    big = make_executor("auto", 2, size=10 ** 6)
    try:
        assert isinstance(big, ProcessExecutor) and big.jobs == 2
    finally:
        big.close()
    with pytest.raises(KilvoiceError) as err:
        make_executor("threads")
    assert err.value.code == "K103"


def test_an_unreachable_scheduler_is_named_with_the_fix():
    with pytest.raises(KilvoiceError) as err:
        DaskExecutor("tcp://127.0.0.1:9", timeout="2s")
    assert err.value.code == "K961"
    assert "tcp://127.0.0.1:9" in str(err.value) and "dask scheduler" in str(err.value)


@pytest.mark.parametrize("section, problem", [
    ('[executor]\nkind = "threads"\n', "kind must be one of"),
    ('[executor]\njobs = -1\n', "jobs must be a whole number"),
    ('[executor]\nkind = "dask"\n', "needs address"),
    ('[executor]\nworkers = 3\n', "takes kind, jobs and address"),
])
def test_a_bad_executor_section_is_named(tmp_path, section, problem):
    from kilvoice.config import load_pipeline

    p = write_pipeline(tmp_path / "p.toml", tmp_path / "store", tmp_path / "out", [SAMPLES], extra="\n" + section)
    with pytest.raises(KilvoiceError) as err:
        load_pipeline(p)
    assert err.value.code == "K103" and problem in str(err.value)


def test_run_help_names_jobs_and_cluster():
    from kilvoice.cli import main

    out = CliRunner().invoke(main, ["run", "--help"]).output
    assert "--jobs" in out and "--cluster" in out


def _stores_after_redact_and_segment(tmp_path: Path, executor, name: str):
    from kilvoice.config import load_pipeline, stage_settings

    p = write_pipeline(tmp_path / f"{name}.toml", tmp_path / name, tmp_path / f"{name}-out", [SAMPLES])
    config = load_pipeline(p)
    refs = {s: stage_settings(config, s) for s in ("ingest", "redact", "segment")}
    ingester, redactor, segmenter = (registry.create(n, **kw) for n, kw in refs.values())
    store = open_store(tmp_path / name)
    try:
        ingester.run([SAMPLES], store, root=REPO, executor=executor)
        screened = store.db.execute("SELECT id, status, status_reason, duplicate_of, content_hash FROM conversations"
                                    " ORDER BY id").fetchall()
        bands = store.db.execute("SELECT key, conversation_id FROM dedup_bands ORDER BY 1, 2").fetchall()
        # made from the parsed notes in the workers with a pool (kilvoice.ingest.rows): the same rows
        # (pseudonyms are salted per store: only whether there is one compares)
        raw = store.db.execute(
            "SELECT c.id, c.note_id, c.conversationalist_id IS NULL, c.organisation, c.setting, c.area, c.postcode_district,"
            " c.date, c.age_band, c.residents, c.consent_to_quote, c.language, c.extra_keys, r.raw_meta, r.raw_text,"
            " (SELECT group_concat(u.idx || '|' || COALESCE(u.speaker, '') || '|' || u.role || '|' ||"
            "  COALESCE(u.question, '') || '|' || u.text, '\n') FROM raw_utterances u WHERE u.conversation_id=c.id)"
            " FROM conversations c JOIN raw_notes r ON r.conversation_id=c.id ORDER BY c.id").fetchall()
        bands += [("raw",) + tuple(r) for r in raw]
        redact_store(store, redactor, batch=7, executor=executor, ref=refs["redact"])
        statements, rejects = segment_store(store, segmenter, batch=11, executor=executor, ref=refs["segment"])
        redacted = store.db.execute("SELECT conversation_id, idx, text, spans FROM utterances ORDER BY 1, 2").fetchall()
        flags = store.db.execute("SELECT conversation_id, kind, reason, utterance_idx FROM flags ORDER BY 1, 2, 3, 4").fetchall()
        queued = store.db.execute('SELECT conversation_id, utterance_idx, start, "end", label FROM redaction_review'
                                  " ORDER BY 1, 2, 3").fetchall()
        return ([tuple(r) for r in screened], [tuple(r) for r in bands],
                [tuple(r) for r in redacted], [tuple(r) for r in flags], [tuple(r) for r in queued],
                [(s.id, s.text) for s in statements], sorted((r.item, r.code) for r in rejects))
    finally:
        store.close()


@pytest.mark.slow
def test_a_process_pool_stores_what_one_process_stores(tmp_path, monkeypatch):
    """Ingest screening (in chunks of 5 notes, several in flight; the notes and their rows made in the
    workers), redaction and segmenting in a pool give the store one process gives, planted duplicates
    and retypings included, and the same raw rows (metadata, text, utterances)."""
    import kilvoice.ingest.core

    monkeypatch.setattr(kilvoice.ingest.core, "PREPARE_CHUNK", 5)
    here = _stores_after_redact_and_segment(tmp_path, LocalExecutor(), "local")
    pool = ProcessExecutor(2)
    try:
        there = _stores_after_redact_and_segment(tmp_path, pool, "pool")
    finally:
        pool.close()
    assert here[5], "the samples give statements"
    statuses = {r[1] for r in here[0]}
    assert {"ok", "duplicate", "near_duplicate"} <= statuses, statuses  # the samples plant both kinds
    assert len([r for r in here[1] if r[0] == "raw"]) == len(here[0])
    for a, b, what in zip(here, there, ["screening", "LSH bands and raw rows", "redacted text", "flags", "review queue",
                                        "statements", "rejects"]):
        assert a == b, what


@pytest.mark.slow
@pytest.mark.shared
def test_two_thousand_notes_on_a_local_dask_cluster_give_the_same_themes(tmp_path):
    """Acceptance: the 2,000-note corpus gives the same themes.csv with --cluster local as in one process."""
    mix = shared_path().parent / "tools" / "mix_notes.py"
    if not mix.is_file():
        pytest.skip(f"mix_notes.py not present: {mix}")
    inputs = tmp_path / "in"
    inputs.mkdir()
    subprocess.run([sys.executable, str(mix), "2000", str(inputs / "notes.csv"), "--seed", "5"], check=True,
                   capture_output=True)
    cli = [sys.executable, "-m", "kilvoice.cli", "run", "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    outs = {}
    for name, flags in (("one", ["--jobs", "1"]), ("dask", ["--cluster", "local"])):
        p = write_pipeline(tmp_path / f"{name}.toml", tmp_path / name / "project", tmp_path / name / "out", [inputs])
        t = time.perf_counter()
        done = subprocess.run(cli + [str(p)] + flags, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        outs[name] = tmp_path / name / "out"
        print(f"\n{name}: {time.perf_counter() - t:.0f} s")
    for f in ("themes.csv", "statements.csv", "mapping.csv"):
        assert (outs["one"] / f).read_bytes() == (outs["dask"] / f).read_bytes(), f
    import json

    manifest = json.loads((outs["dask"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["executor"]["kind"] == "dask" and manifest["executor"]["jobs"] >= 1
    shutil.rmtree(tmp_path / "one" / "project", ignore_errors=True)

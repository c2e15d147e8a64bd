"""SIGKILL the redact step while it writes chunk by chunk (one transaction per chunk of notes): what
is stored is whole chunks, in order, never part of one; the next run redacts only the rest and the
store ends as an uninterrupted run leaves it (redacted text, spans, flags, review queue).

A kill from outside at a random moment nearly always lands while a chunk is being redacted (writing
one takes milliseconds), so the process kills itself with SIGKILL from SQLite's statement trace after
a drawn number of redacted utterance rows: inside a chunk's writing, where per-note commits would
leave part of a chunk (and review rows of a note whose text was never stored)."""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLES, write_pipeline

BATCH = 5
SCRIPT = """
import os, signal, sys
from kilvoice import registry
from kilvoice.config import load_pipeline, stage_settings
from kilvoice.pipeline import redact_store
from kilvoice.store import Store

name, kw = stage_settings(load_pipeline(sys.argv[2]), "redact")
store = Store(sys.argv[1])
left = int(sys.argv[4])

def trace(sql):  # SIGKILL this process after the drawn number of redacted utterance rows
    global left
    if left and sql.startswith("INSERT INTO utterances"):
        left -= 1
        if not left:
            os.kill(os.getpid(), signal.SIGKILL)

store.db.set_trace_callback(trace)
redact_store(store, registry.create(name, **kw), batch=int(sys.argv[3]))
store.close()
"""
TABLES = {  # what redact writes, timestamps left out
    "utterances": "SELECT conversation_id, idx, role, question, text, redactor, spans FROM utterances ORDER BY 1, 2",
    "flags": "SELECT conversation_id, kind, reason, utterance_idx FROM flags ORDER BY 1, 2, 3, 4",
    "review": 'SELECT id, conversation_id, utterance_idx, start, "end", label, score, source, status'
              " FROM redaction_review ORDER BY id",
}


def _redact(db: Path, pipeline: Path, kill_after: int = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", SCRIPT, str(db), str(pipeline), str(BATCH), str(kill_after)],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=900)


def _tables(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        con.close()


def _check_whole_chunks(db: Path, todo: list[str]) -> int:
    """The redacted notes are the first k chunks of the run's order, each note with all its
    utterances, and no flag or review row belongs to a note that is not stored redacted."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = {r[0] for r in con.execute("SELECT DISTINCT conversation_id FROM utterances")}
        assert len(done) % BATCH == 0 or len(done) == len(todo), len(done)
        assert done == set(todo[:len(done)])
        short = con.execute(
            "SELECT r.conversation_id FROM raw_utterances r LEFT JOIN utterances u"
            " ON u.conversation_id=r.conversation_id AND u.idx=r.idx"
            " WHERE u.idx IS NULL AND r.conversation_id IN (SELECT DISTINCT conversation_id FROM utterances)").fetchall()
        assert short == []
        for table in ("flags", "redaction_review"):
            stray = {r[0] for r in con.execute(f"SELECT DISTINCT conversation_id FROM {table}")} - done
            assert not stray, f"{table} rows of notes not stored redacted: {len(stray)}"
        return len(done)
    finally:
        con.close()


@pytest.mark.slow
def test_a_redact_killed_mid_chunk_keeps_whole_chunks_and_resumes_to_the_same_store(tmp_path):
    from kilvoice import registry
    from kilvoice.config import load_pipeline, stage_settings
    from kilvoice.store import Store

    pipeline = write_pipeline(tmp_path / "p.toml", tmp_path / "unused", tmp_path / "out", [SAMPLES])
    template = tmp_path / "template.sqlite"
    name, kw = stage_settings(load_pipeline(pipeline), "ingest")
    with Store(template) as store:
        registry.create(name, **kw).run([SAMPLES], store, root=REPO)
        todo = [c["id"] for c in store.conversations("ok")]
    assert len(todo) > 10 * BATCH

    reference = tmp_path / "reference.sqlite"
    shutil.copy(template, reference)
    done = _redact(reference, pipeline)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = _tables(reference)
    assert expected["utterances"] and expected["review"] and expected["flags"], "the samples plant PII and concerns"

    rng = random.Random(17)
    db = tmp_path / "killed.sqlite"
    shutil.copy(template, db)
    kept = []
    for _ in range(3):
        left = len(expected["utterances"]) - sum(r[0] in _done_ids(db) for r in expected["utterances"])
        killed = _redact(db, pipeline, kill_after=rng.randint(1, max(1, left - 1)))
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        kept.append(_check_whole_chunks(db, todo))
    assert 0 < kept[0] <= kept[1] <= kept[2] < len(todo), kept
    done = _redact(db, pipeline)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _check_whole_chunks(db, todo) == len(todo)
    got = _tables(db)
    for table in TABLES:
        assert got[table] == expected[table], table


def _done_ids(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT DISTINCT conversation_id FROM utterances")}
    finally:
        con.close()

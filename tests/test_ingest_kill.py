"""SIGKILL an ingest at random moments: the store stays consistent and a re-run completes it."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from ingest_helpers import note_text

REPO = Path(__file__).resolve().parents[1]
SCRIPT = ("import sys; from pathlib import Path; from kilvoice.ingest import ingest; from kilvoice.store import Store;"
          "s = Store(sys.argv[1]); r = ingest([sys.argv[2]], s, root=Path(sys.argv[2])); print(r.notes_added)")


def check(db_path: Path) -> None:
    if not db_path.exists():
        return  # killed before the store was created
    db = sqlite3.connect(db_path)
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name='files'").fetchone():
        db.close()  # killed before the first migration committed: nothing to check
        return
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    bad = db.execute(
        "SELECT f.path, f.n_notes, (SELECT count(*) FROM conversations c WHERE c.file_id=f.id) AS n"
        " FROM files f WHERE f.status='ok' AND f.n_notes != (SELECT count(*) FROM conversations c WHERE c.file_id=f.id)"
    ).fetchall()
    assert bad == []
    orphans = db.execute("SELECT count(*) FROM raw_utterances u LEFT JOIN conversations c ON c.id=u.conversation_id"
                         " WHERE c.id IS NULL").fetchone()[0]
    assert orphans == 0
    db.close()


def test_sigkill_twenty_times(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(150):
        (corpus / f"n{i:03d}.txt").write_text(note_text(i))
    with open(corpus / "big.csv", "w") as fh:
        fh.write("id,whats_good,make_it_better\n")
        for i in range(5000):
            fh.write(f"R{i},the park {i} and the market {i % 97},more buses {i} and benches near {i % 13}\n")
    expected = 150 + 5000
    db_path = tmp_path / "kv.sqlite"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rng = random.Random(3)
    for _ in range(20):
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(db_path), str(corpus)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20  # let it get past interpreter start-up (slow on a busy machine)
        while not db_path.exists() and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        check(db_path)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(db_path), str(corpus)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-500:]
    check(db_path)
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM conversations WHERE status!='superseded'").fetchone()[0] == expected
    assert db.execute("SELECT count(*) FROM files WHERE status='ok'").fetchone()[0] == 151

"""A worker pool that dies is the run's problem, said as one (K962), not a fault of every input file.

The common way in: an analyst's own script calls kilvoice at its top level, without
``if __name__ == "__main__":``. Worker processes are spawned, so each imports that script again and
stops before it starts; the pool breaks. Before K962 ingest blamed each file ("K205 unexpected
BrokenProcessPool while reading; please report it") and then said no file could be read."""
from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kilvoice.errors import Errors, KilvoiceError
from kilvoice.executors import ProcessExecutor
from kilvoice.ingest import ingest
from kilvoice.store import Store

REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys
from kilvoice.errors import KilvoiceError
from kilvoice.executors import ProcessExecutor

def main():
    try:
        print("results", *ProcessExecutor(2).map(abs, [(-1,), (-2,), (-3,)]))
    except KilvoiceError as err:
        print(err.code, err.message)
        sys.exit(3)
"""
UNGUARDED = SCRIPT + "\nmain()\n"
GUARDED = SCRIPT + '\nif __name__ == "__main__":\n    main()\n'


def run(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "job.py").write_text(script, encoding="utf-8")
    return subprocess.run([sys.executable, str(tmp_path / "job.py")], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)


def test_a_script_without_the_main_guard_gets_k962_naming_the_fix(tmp_path):
    proc = run(UNGUARDED, tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.startswith("K962 ")
    assert 'if __name__ == "__main__":' in proc.stdout and "--jobs 1" in proc.stdout


def test_the_same_script_with_the_guard_runs(tmp_path):
    proc = run(GUARDED, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert proc.stdout.split() == ["results", "1", "2", "3"]


def die(*args):
    """A worker killed mid-chunk (as the kernel kills one out of memory)."""
    os._exit(1)


def notes_csv(path: Path, n: int = 40) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        for i in range(n):
            w.writerow([f"N{i:03d}", f"The bus to the leisure centre on route {i} is never on time after six."])
    return path


def test_ingest_stops_on_a_dead_worker_and_keeps_what_it_stored(tmp_path, monkeypatch):
    import kilvoice.ingest.core as core

    first = notes_csv(tmp_path / "a.csv")
    with Store(tmp_path / "kv.sqlite") as store:
        assert ingest([first], store, root=tmp_path).notes_added == 40  # stored before the workers die
        monkeypatch.setattr(core, "prepare_rows", die)
        executor = ProcessExecutor(2)
        try:
            with pytest.raises(KilvoiceError) as caught:
                ingest([notes_csv(tmp_path / "b.csv"), notes_csv(tmp_path / "c.csv")], store, root=tmp_path,
                       executor=executor)
        finally:
            executor.close()
        assert caught.value.code == "K962"
    db = sqlite3.connect(tmp_path / "kv.sqlite")
    # the first file whole; b.csv neither stored in part nor recorded as unreadable; c.csv not reached
    assert db.execute("SELECT path, status FROM files").fetchall() == [("a.csv", "ok")]
    assert db.execute("SELECT count(*) FROM conversations").fetchone()[0] == 40
    db.close()


def test_k962_is_in_the_catalogue():
    assert "__main__" in Errors.K962 and "Nothing was lost" in Errors.K962

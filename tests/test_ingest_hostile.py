"""500+ malformed or hostile files mixed with 100 good ones: every good note is stored,
every bad file has a reason, nothing crashes. Also the CLI's exit codes and exact text."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from kilvoice.ingest import ingest
from kilvoice.store import Store

from ingest_helpers import make_docx, note_text

REPO = Path(__file__).resolve().parents[1]


def build_corpus(root: Path) -> tuple[int, int]:
    """Write 100 good and >= 500 bad files under ``root``; return (good, bad)."""
    rng = random.Random(7)
    good = bad = 0
    deep = root.joinpath(*[f"d{i}" for i in range(40)])
    deep.mkdir(parents=True)
    names = ["plain", "with space", "ünïcødé ✓", "new\nline", "tab\tname", "quote'\"", "-dash", "a" * 200]
    for i in range(100):
        folder = deep if i % 10 == 0 else root / "good"
        folder.mkdir(exist_ok=True)
        (folder / f"{names[i % len(names)]}-{i}.txt").write_text(note_text(i))
        good += 1
    bad_dir = root / "bad"
    bad_dir.mkdir()

    def put(name: str, data: bytes) -> None:
        nonlocal bad
        (bad_dir / name).write_bytes(data)
        bad += 1

    for i in range(200):  # fuzzed bytes in every supported suffix
        suffix = [".txt", ".md", ".csv", ".jsonl", ".vtt", ".srt", ".docx", ".xlsx", ".pdf"][i % 9]
        put(f"fuzz-{i}{suffix}", bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 400))) + b"\x00\x01")
    for i in range(60):  # zero bytes, whitespace, undecodable text
        put(f"empty-{i}.txt", b"")
        put(f"blank-{i}.md", b" \n\t\n")
        put(f"undecodable-{i}.txt", b"\xff\xfe\x00\xd8" + b"\x81\x8d" * (i + 1))  # UTF-16 with a lone surrogate
    good_docx = root / "tmp.docx"
    make_docx(good_docx, ["ID: Z"], ["Good: text"])
    blob = good_docx.read_bytes()
    good_docx.unlink()
    for i in range(40):  # truncated and password-protected office/PDF files
        put(f"truncated-{i}.docx", blob[: len(blob) * (i + 1) // 50])
        put(f"protected-{i}.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200))
        put(f"truncated-{i}.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    for i in range(20):  # malformed CSV / JSONL / headers only / unsupported types
        put(f"badquote-{i}.csv", b'text,area\n"unclosed,KV1\n')
        put(f"badjson-{i}.jsonl", b'{"text": "ok"}\n{not json\n')
        put(f"nocolumn-{i}.csv", b"foo,bar\n1,2\n")
        put(f"image-{i}.png", b"\x89PNG\r\n\x1a\n" + bytes(50))
    with open(bad_dir / "huge.csv", "wb") as fh:  # a 1 GB sparse file: free on disk
        fh.truncate(1 << 30)
    bad += 1
    os.symlink(root / "good", bad_dir / "link-to-dir")
    os.symlink("/etc/hostname", bad_dir / "link.txt")
    os.mkfifo(bad_dir / "fifo.txt")
    bad += 3
    return good, bad


def test_hostile_batch(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good, bad = build_corpus(corpus)
    assert bad >= 500
    with Store(tmp_path / "kv.sqlite") as store:
        result = ingest([corpus], store, root=corpus)
        assert result.files_ok == good
        assert result.files_rejected == bad
        assert len(result.rejects) == bad and all(r.code.startswith("K2") and r.reason for r in result.rejects)
        assert all("\n" not in r.item for r in result.rejects)
        ok_notes = store.db.execute("SELECT count(*) FROM conversations c JOIN files f ON f.id=c.file_id"
                                    " WHERE f.status='ok'").fetchone()[0]
        assert ok_notes == good
        codes = {r.code for r in result.rejects}
        assert {"K201", "K202", "K203", "K204", "K205", "K207", "K208", "K209", "K212", "K216", "K217"} <= codes
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def run_cli(*args, cwd):
    return subprocess.run([sys.executable, "-c", "from kilvoice.cli import main; main()", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)


@pytest.fixture(scope="module")
def cli_ok(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    (d / "a.txt").write_text(note_text(1))
    (d / "empty.txt").write_bytes(b"")
    return d


def test_cli_exit_codes_and_text(cli_ok):
    r = run_cli("ingest", "a.txt", "--project", "proj", cwd=cli_ok)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "files: 1 ok, 0 unchanged, 0 rejected"
    r = run_cli("ingest", "a.txt", "empty.txt", "missing.txt", "--project", "proj", cwd=cli_ok)
    assert r.returncode == 3
    assert r.stderr.splitlines() == [
        "rejected: empty.txt: K201 file is empty. Remove it or add the note text",
        "rejected: missing.txt: K210 does not exist. Check the path",
    ]
    assert r.stdout.splitlines()[0] == "files: 0 ok, 1 unchanged, 2 rejected"
    r = run_cli("ingest", "a.txt", "--map", "text", "--project", "proj", cwd=cli_ok)
    assert r.returncode == 1
    assert r.stderr.strip() == ("Error: K220 --map part 'text' has no '='. Write it as key=Column,key=Column, "
                                "e.g. --map text=Notes,area=Ward")
    assert run_cli("ingest", "--help", cwd=cli_ok).returncode == 0

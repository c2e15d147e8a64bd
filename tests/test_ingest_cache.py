"""Ingest raises SQLite's page cache while it runs (the LSH band index of a large store stays in
memory, kilvoice/ingest/core.py INGEST_CACHE_KIB) and gives the connection its own setting back,
also when a file fails."""
from __future__ import annotations

from kilvoice.ingest import ingest
from kilvoice.ingest.core import INGEST_CACHE_KIB
from kilvoice.ingest.screening import Screener
from kilvoice.store import open_store
from tests.ingest_helpers import note_text


def test_the_page_cache_is_raised_while_ingesting_and_restored_after(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"note-{n}.txt").write_text(note_text(n), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")  # a reject on the way
    store = open_store(tmp_path / "p")
    try:
        store.db.execute("PRAGMA cache_size=-3000")
        seen = []
        decide = Screener.decide

        def spy(self, prepared):
            seen.append(self.store.db.execute("PRAGMA cache_size").fetchone()[0])
            return decide(self, prepared)

        monkeypatch.setattr(Screener, "decide", spy)
        result = ingest([folder], store, root=tmp_path)
        assert result.notes_added == 3 and result.files_rejected == 1
        assert seen == [-INGEST_CACHE_KIB] * 3
        assert store.db.execute("PRAGMA cache_size").fetchone()[0] == -3000
    finally:
        store.close()

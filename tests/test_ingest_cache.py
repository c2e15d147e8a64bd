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


def test_stored_notes_are_read_once_for_near_duplicate_checks_and_the_verdicts_are_the_same(tmp_path, monkeypatch):
    """A stored note that comes back as a near-duplicate candidate is normalised and shingled once
    (kept for the next NEAR_CACHE candidates, oldest out first); the verdicts are those of reading it
    afresh every time."""
    import kilvoice.ingest.screening as screening
    from kilvoice.records import Note, Utterance

    base = ("the bus to the hospital never comes on time and the stop has no shelter so older people wait "
            "in the rain for an hour on a cold morning before giving up and going home again")
    other = ("the library opening hours were cut last year and now the children have nowhere quiet to do "
             "their homework after school so they hang around the shops until their parents finish work")
    texts = [base, other] + [t.replace("the ", f"the {w} ", 1) for w in ("old", "new", "big") for t in (base, other)]

    class Store:  # every earlier note is a candidate, in the order stored
        def __init__(self):
            self.notes = []

        def conversation_by_hash(self, h):
            return None

        def near_duplicate_candidates(self, keys, limit=20):
            return list(self.notes)

    reads = []

    class Counted(screening._Read):
        __slots__ = ()

        def __init__(self, norm):
            reads.append(norm)
            super().__init__(norm)

    monkeypatch.setattr(screening, "_Read", Counted)
    verdicts = {}
    for cache in (4096, 0):
        monkeypatch.setattr(screening, "NEAR_CACHE", cache)
        store, got = Store(), []
        screener = Screener(store, detect_language=False)
        for i, text in enumerate(texts):
            out = screener.decide(screener.prepare(Note(id=str(i), source="t.csv", utterances=[Utterance(index=0, text=text)])))
            got.append((out.status, out.duplicate_of, out.reason))
            if out.status == "ok":  # candidates are stored notes that passed
                store.notes.append((f"c{i}", text))
        verdicts[cache] = got
        if cache:
            assert sorted(reads) == sorted(set(reads)) and len(reads) == 2  # read once, however often they came back
        reads.clear()
    assert verdicts[4096] == verdicts[0]
    assert [s for s, _, _ in verdicts[0]] == ["ok", "ok"] + ["near_duplicate"] * 6

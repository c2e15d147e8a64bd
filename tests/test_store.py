import sqlite3

import numpy as np
import pytest

from kilvoice.errors import KilvoiceError
from kilvoice.records import Note, Utterance
from kilvoice.store import open_store
from kilvoice.store.schema import SCHEMA_VERSION


def _note(text="The park is lovely", nid="BC-1"):
    return Note(id=nid, source="a.txt", utterances=[Utterance(0, text)], meta={"id": nid, "area": "Northgate",
                                                                            "consent_to_quote": True})


def test_new_store_is_migrated(tmp_path):
    store = open_store(tmp_path)
    assert store.schema_version == SCHEMA_VERSION
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"files", "raw_notes", "raw_utterances", "conversations", "statements", "embeddings", "runs",
            "themes", "assignments", "links"} <= tables


def test_newer_schema_is_refused(tmp_path):
    store = open_store(tmp_path)
    store.db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    store.close()
    with pytest.raises(KilvoiceError) as err:
        open_store(tmp_path)
    assert err.value.code == "K301"
    assert f"schema {SCHEMA_VERSION + 5} > {SCHEMA_VERSION}" in str(err.value)


def test_add_file_keeps_raw_text_in_raw_tables_only(tmp_path):
    store = open_store(tmp_path)
    store.add_file("a.txt", "abc", 10, [_note("Call Doreen on 07700 900123")], ["c1"], ["h1"],
                   [("ok", None, None)], ["cv-1"])
    raw = store.db.execute("SELECT raw_text FROM raw_notes").fetchone()[0]
    assert "07700 900123" in raw
    for table in ("conversations", "files"):
        for row in store.db.execute(f"SELECT * FROM {table}"):
            assert all("07700" not in str(v) for v in row)
    assert store.conversations()[0]["consent_to_quote"] == 1


def test_failed_transaction_leaves_nothing(tmp_path):
    store = open_store(tmp_path)
    with pytest.raises(sqlite3.IntegrityError):
        # the same conversation id twice in one file violates the primary key: all or nothing
        store.add_file("a.txt", "abc", 10, [_note(), _note()], ["c1", "c1"], ["h1", "h2"],
                       [("ok", None, None)] * 2, [None, None])
    assert store.db.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 0
    assert store.db.execute("SELECT COUNT(*) FROM raw_notes").fetchone()[0] == 0


def test_changed_file_is_a_new_version(tmp_path):
    store = open_store(tmp_path)
    store.add_file("a.txt", "v1", 10, [_note()], ["c1"], ["h1"], [("ok", None, None)], [None])
    store.add_file("a.txt", "v2", 12, [_note("The park is lovely and big")], ["c2"], ["h2"], [("ok", None, None)], [None])
    versions = [(f["sha256"], f["version"]) for f in store.files()]
    assert versions == [("v1", 1), ("v2", 2)]
    assert [c["id"] for c in store.conversations("ok")] == ["c2"]
    assert [c["id"] for c in store.conversations("superseded")] == ["c1"]


def test_embedding_cache_round_trip(tmp_path):
    store = open_store(tmp_path)
    vecs = np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)
    store.put_embeddings("m", ["a", "b", "c"], vecs)
    got = store.get_embeddings("m", ["c", "a", "zz"])
    assert set(got) == {"a", "c"}
    np.testing.assert_array_equal(got["c"], vecs[2])


def test_decision_log_is_append_only_in_the_database(tmp_path):
    store = open_store(tmp_path)
    store.db.execute("INSERT INTO decisions (kind, user_name, created_at, payload, snapshot) "
                     "VALUES ('rename', 'officer', '2026-11-25', '{}', '{}')")
    for sql in ("UPDATE decisions SET user_name='someone else'", "DELETE FROM decisions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute(sql)
    assert [tuple(r) for r in store.db.execute("SELECT user_name FROM decisions")] == [("officer",)]


def test_a_note_with_two_safeguarding_categories_keeps_both_flags(tmp_path):
    """A long transcript can raise several categories, in several utterances (storing two crashed
    the redact stage): one row per category and utterance, the same flag given twice stored once,
    and a re-redaction replaces them."""
    store = open_store(tmp_path)
    store.add_file("a.txt", "abc", 10, [_note()], ["c1"], ["h1"], [("ok", None, None)], ["cv-1"])
    flags = [("safeguarding", "abuse", 0), ("safeguarding", "self-harm", 0), ("safeguarding", "abuse", 0),
             ("safeguarding", "abuse", 1), ("safeguarding", "danger")]
    store.put_redacted("c1", _note().utterances, [[]], "test", flags)
    rows = sorted((f["conversation_id"], f["reason"], f["utterance_idx"]) for f in store.flags("safeguarding"))
    assert rows == [("c1", "abuse", 0), ("c1", "abuse", 1), ("c1", "danger", -1), ("c1", "self-harm", 0)]
    assert store.flagged_utterances() == {"c1": {-1, 0, 1}}
    store.put_redacted("c1", _note().utterances, [[]], "test", [("safeguarding", "abuse", 0)])
    assert store.flagged_utterances() == {"c1": {0}}


def test_json_list_is_json_dumps():
    """A link's evidence is stored with json_list, which must write what json.dumps writes."""
    import json

    from kilvoice.store.sqlite import json_list

    for value in ([], ["C1-u0-s0"], ["a\"b\\c", "é ü", "\u2028\n\t\x00", "\ud800", "😀"], [1, "a"], ("a", "b"),
                  "abc", None, [None], [["x"]]):
        assert json_list(value) == json.dumps(value), value


def test_band_keys_are_looked_up_by_key_without_an_index_by_conversation(tmp_path):
    """ingest17b: the near-duplicate query searches the band keys' index by key; the index by
    conversation, which no query read, is gone from new and migrated stores."""
    store = open_store(tmp_path)
    indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='index'"
                                               " AND tbl_name='dedup_bands'")}
    assert indexes == {"dedup_bands_key"}
    plan = " ".join(r[3] for r in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT c.id, r.raw_text FROM (SELECT DISTINCT conversation_id FROM dedup_bands"
        " WHERE key IN (?,?)) b JOIN conversations c ON c.id=b.conversation_id AND c.status='ok'"
        " JOIN raw_notes r ON r.conversation_id=c.id LIMIT 20", (1, 2)))
    assert "USING INDEX dedup_bands_key" in plan and "SCAN dedup_bands" not in plan
    store.close()

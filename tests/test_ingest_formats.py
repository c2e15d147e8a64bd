"""Every input format, the sample corpus and the shared real data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kilvoice.errors import KilvoiceError
from kilvoice.ingest import ingest, parse_mapping, read_file
from kilvoice.store import Store

from ingest_helpers import make_docx, make_pdf, make_xlsx, note_text

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "corpora" / "samples"
SHARED = REPO.parent / "shared" / "corpora"


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "kv.sqlite")
    yield s
    s.close()


def test_txt_header_and_questions(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(note_text(3))
    [note] = read_file(p)
    assert note.id == "T-0003"
    assert note.meta["setting"] == "work"
    assert note.meta["postcode_district"] == "KV3"
    assert note.meta["date"] == "2022-06-12"
    assert note.meta["age_band"] == "60s" and any("age_band" in w for w in note.warnings)
    assert note.meta["residents"] == 2 and note.meta["consent_to_quote"] is True
    assert note.meta["language"] == "en"
    assert note.extra == {"Favourite colour": "blue"}
    assert [u.question for u in note.utterances] == ["strong", "future"]


def test_md_front_matter_and_headings(tmp_path):
    p = tmp_path / "a.md"
    p.write_text("---\nid: M-1\ndate: 12 June 2022\nsetting: coffee morning\n---\n\n# Visit\n\n"
                 "## What's good\n\nThe market.\n\n## What would make it better?\n\n- More benches\n- Toilets\n")
    [note] = read_file(p)
    assert note.meta["date"] == "2022-06-12"
    assert note.meta["setting"] == "coffee morning" and note.warnings
    assert [(u.text, u.question) for u in note.utterances] == [
        ("The market.", "strong"), ("More benches", "future"), ("Toilets", "future")]


def test_dash_labels_and_bold_only_headings_name_the_question(tmp_path):
    p = tmp_path / "a.md"
    p.write_text("ID: M-2\nArea: Ryecroft\n\nCare home staff room.\n\n"
                 "Good - the library! Staff know her name.\n"
                 "What's good \u2013 the school.\n\n"
                 "Bus - it's awful after six.\n\n"
                 "**Better**\n\n- pay\n- more respect for care work\n\n**Notes**\n\nRang back.\n\n"
                 "**Good / strong:**\n\n- the staff\n\n**Worse / better:**\n\n1. Energy debt.\n")
    [note] = read_file(p)
    assert [(u.text, u.question) for u in note.utterances] == [
        ("Care home staff room.", None),
        ("the library! Staff know her name.", "strong"), ("the school.", "strong"),
        ("Bus - it's awful after six.", "strong"),  # not a label: stays under the question before it
        ("pay", "future"), ("more respect for care work", "future"),
        ("**Notes**", "future"), ("Rang back.", "future"),
        ("the staff", "strong"), ("Energy debt.", "future")]


def test_docx_with_table(tmp_path):
    p = tmp_path / "a.docx"
    make_docx(p, ["ID: D-1", "Conversationalist: Bo Smith", "Area: Northgate"], ["Met at the library."],
              [("What's good about your area?", "The canal."), ("What would make it better?", "Lighting.")])
    [note] = read_file(p)
    assert note.meta == {"id": "D-1", "conversationalist": "Bo Smith", "area": "Northgate"}
    assert [(u.text, u.question) for u in note.utterances] == [
        ("Met at the library.", None), ("The canal.", "strong"), ("Lighting.", "future")]


def test_pdf_text_layer(tmp_path):
    p = tmp_path / "a.pdf"
    make_pdf(p, ["ID: P-1", "Area: Ryecroft", "", "Good: the park is lovely in summer."])
    [note] = read_file(p)
    assert note.meta["id"] == "P-1"
    assert "park" in note.text


def test_xlsx_rows_and_mapping(tmp_path):
    p = tmp_path / "a.xlsx"
    make_xlsx(p, [["Ref", "Ward", "Notes"], ["X1", "Northgate", "More buses"], ["X2", "Ryecroft", "A library"]])
    notes = read_file(p, mapping=parse_mapping("text=Notes,area=Ward,id=Ref"))
    assert [(n.id, n.meta["area"], n.text) for n in notes] == [
        ("X1", "Northgate", "More buses"), ("X2", "Ryecroft", "A library")]


def test_csv_default_columns_and_multi_text(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("id,area,whats_good,make_it_better\nR1,KV,parks,buses\n")
    [note] = read_file(p)
    assert [(u.text, u.question) for u in note.utterances] == [("parks", "strong"), ("buses", "future")]
    q = tmp_path / "b.csv"
    q.write_text("Notes,Other,Ward\nx,y,Z\n")
    [note] = read_file(q, mapping={"text": "Notes;Other", "area": "Ward"})
    assert note.text == "x\ny" and note.meta["area"] == "Z"


def test_csv_map_unknown_column(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("Notes\nx\n")
    with pytest.raises(KilvoiceError) as e:
        read_file(p, mapping={"text": "Body"})
    assert e.value.code == "K214"


def test_jsonl(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": "J1", "text": "Good parks", "area": "X"}) + "\n"
                 + json.dumps({"utterances": [{"text": "Q?", "role": "conversationalist"}, {"text": "A."}]}) + "\n")
    notes = read_file(p)
    assert notes[0].id == "J1" and notes[0].meta["area"] == "X"
    assert [u.role for u in notes[1].utterances] == ["conversationalist", "resident"]


def test_vtt_and_srt_roles(tmp_path):
    v = tmp_path / "a.vtt"
    v.write_text("WEBVTT\n\nNOTE\nID: V-1\nConversationalist: Jo Bloggs\n\n1\n00:00:01.000 --> 00:00:02.000\n"
                 "<v Jo>What's good about the area?\n\n2\n00:00:02.000 --> 00:00:03.000\n<v Sam Smith>The people.\n")
    [note] = read_file(v)
    assert [(u.role, u.question, u.speaker) for u in note.utterances] == [
        ("conversationalist", "strong", "Jo"), ("resident", "strong", "Sam Smith")]
    s = tmp_path / "b.srt"
    s.write_text("1\n00:00:01,000 --> 00:00:02,000\nInterviewer: What would make it better?\n\n"
                 "2\n00:00:02,000 --> 00:00:03,000\nPat: Buses.\n")
    (tmp_path / "b.srt.meta.yaml").write_text("id: S-1\narea: Northgate\n")
    [note] = read_file(s)
    assert note.meta == {"id": "S-1", "area": "Northgate", "residents": 1}  # reach: one resident speaker
    assert [(u.role, u.question) for u in note.utterances] == [("conversationalist", "future"), ("resident", "future")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_encodings(tmp_path, encoding):
    p = tmp_path / "a.txt"
    data = "Area: Caf\u00e9 Street\n\nGood: the caf\u00e9 \u2013 it\u2019s lovely.\n".encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding] + data
    p.write_bytes(data)
    [note] = read_file(p)
    assert note.meta["area"] == "Caf\u00e9 Street"
    assert "caf\u00e9 \u2013 it\u2019s" in note.text


def test_samples_ingest_and_reingest(store):
    if not SAMPLES.is_dir():
        pytest.skip("sample corpus absent")
    result = ingest([SAMPLES], store, root=REPO)
    assert result.files_rejected == 0, result.rejects
    n_files = sum(1 for p in SAMPLES.rglob("*") if p.is_file() and not p.name.startswith("_")
                  and p.name not in ("README.md", "seeded_pii.json") and not p.name.endswith((".meta.yaml", ".py")))
    assert result.files_ok == n_files
    suffixes = {Path(f["path"]).suffix for f in store.files()}
    assert {".txt", ".md", ".docx", ".csv", ".vtt", ".srt"} <= suffixes
    assert all(not f["path"].startswith("/") for f in store.files())
    convs = store.conversations(status=None)
    assert len(convs) == result.notes_added
    # names never leave the raw store
    assert all(c["conversationalist_id"] is None or c["conversationalist_id"].startswith("cv-") for c in convs)
    before = store.db.execute("SELECT count(*) FROM conversations").fetchone()[0]
    again = ingest([SAMPLES], store, root=REPO)
    assert (again.files_ok, again.files_unchanged, again.notes_added) == (0, n_files, 0)
    assert store.db.execute("SELECT count(*) FROM conversations").fetchone()[0] == before


def test_changed_file_new_version_and_revert(tmp_path, store):
    p = tmp_path / "n.txt"
    p.write_text(note_text(1))
    ingest([p], store, root=tmp_path)
    p.write_text(note_text(2))
    r = ingest([p], store, root=tmp_path)
    assert r.files_ok == 1
    rows = store.db.execute("SELECT f.version, c.status FROM conversations c JOIN files f ON f.id=c.file_id"
                            " ORDER BY f.version").fetchall()
    assert [tuple(r) for r in rows] == [(1, "superseded"), (2, "ok")]
    p.write_text(note_text(1))
    ingest([p], store, root=tmp_path)
    rows = store.db.execute("SELECT f.version, c.status FROM conversations c JOIN files f ON f.id=c.file_id"
                            " ORDER BY f.version").fetchall()
    assert [tuple(r) for r in rows] == [(2, "superseded"), (3, "ok")]


def test_screening_statuses(tmp_path, store):
    long = ("The library on the high street is wonderful and the staff help everyone with forms and computers, "
            "and on Saturdays there is a club for children where they read stories and make things together with "
            "volunteers from the school down the road")
    (tmp_path / "a.csv").write_text(
        "id,text\n1,no comment\n2,\"" + long + "\"\n3,\"" + long + "\"\n4,\"" + long.replace("wonderful", "brilliant") + "\"\n"
        "5,Lorem ipsum dolor sit amet\n6,\"Mae'r llyfrgell yn wych ac mae'r staff yn helpu pawb gyda ffurflenni a chyfrifiaduron bob dydd, ac mae clwb i blant ar ddydd Sadwrn\"\n"
        "7,Parks\n")
    r = ingest([tmp_path / "a.csv"], store, root=tmp_path)
    status = {c["note_id"]: c["status"] for c in store.conversations(status=None)}
    assert status == {"1": "empty", "2": "ok", "3": "duplicate", "4": "near_duplicate", "5": "junk",
                      "6": "non_english", "7": "ok"}
    assert r.flagged == {"empty": 1, "duplicate": 1, "near_duplicate": 1, "junk": 1, "non_english": 1}


def test_a_note_typed_up_again_in_other_words_is_a_near_duplicate(tmp_path, store):
    """The samples' planted retypings ("the same note typed twice, with small edits") share few
    runs of three words (Jaccard 0.48 and 0.68), so only the word-set check catches them; short
    answers that share most of their words are different residents and stay."""
    first = ("Grandmother bringing up two grandkids, 7 and 10, on her pension and a kinship allowance. Good: the "
             "church, the youth club for the older one, neighbours who pass on school uniform. Stanwick Green folk "
             "would give you their last fiver. Better: school uniform costs, the logo jumpers are 15 pounds each. "
             "Help with the electric. Somewhere warm for the kids to do homework with wifi. She'd like a kinship "
             "carers' group - she's never met anyone else in her situation.")
    again = ("The church, the youth club for the older one, neighbours pass on school uniform. Stanwick Green folk "
             "would give you their last fiver. School uniform costs (logo jumpers 15 pounds each). Help with the "
             "electric. Somewhere warm for the kids to do homework with wifi. A kinship carers group - never met "
             "anyone else in her situation. (grandmother raising 2 grandkids, 7 and 10, on a kinship allowance)")
    short_a = "I don't think anything could have been done any better at all"
    short_b = "I don't feel like anything could have been done any better at all"
    (tmp_path / "b.csv").write_text(f'id,text\n1,"{first}"\n2,"{again}"\n3,"{short_a}"\n4,"{short_b}"\n')
    ingest([tmp_path / "b.csv"], store, root=tmp_path)
    rows = {c["note_id"]: c for c in store.conversations(status=None)}
    assert {k: c["status"] for k, c in rows.items()} == {"1": "ok", "2": "near_duplicate", "3": "ok", "4": "ok"}
    assert rows["2"]["status_reason"].startswith("an earlier note typed up again in other words (word Jaccard")


@pytest.mark.shared
def test_shared_polis(store):
    path = SHARED / "polis" / "american-assembly.bowling-green" / "comments.csv"
    if not path.is_file():
        pytest.skip("shared corpora absent")
    r = ingest([path], store)
    assert r.files_ok == 1
    import csv
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    moderated_out = sum(1 for row in rows if row["moderated"].strip() == "-1")
    assert moderated_out > 0
    assert r.notes_added == len(rows)  # every comment is kept; moderated-out ones are counted, not analysed
    assert r.flagged["moderated_out"] == moderated_out
    first = store.db.execute("SELECT note_id FROM conversations ORDER BY rowid LIMIT 1").fetchone()[0]
    assert first == rows[0]["comment-id"]  # read as a Pol.is export: the comment id is the note's id
    assert r.flagged.get("non_english", 0) <= 2


@pytest.mark.shared
def test_shared_senedd_transcript(store):
    path = SHARED / "senedd-committee" / "turns.csv"
    if not path.is_file():
        pytest.skip("shared corpora absent")
    r = ingest([path], store, mapping=parse_mapping("text=content,speaker=speaker,id=meeting_id"))
    import csv
    with open(path, newline="") as fh:
        meetings = {row["meeting_id"] for row in csv.DictReader(fh)}
    assert r.files_ok == 1 and r.notes_added == len(meetings)
    n_speakers = store.db.execute("SELECT count(DISTINCT speaker) FROM raw_utterances").fetchone()[0]
    assert n_speakers > 5

"""Survey-platform exports ingest with no --map (fixtures in tests/fixtures/surveys: invented
responses in the header layouts of Citizen Space, SmartSurvey, Microsoft Forms, Google Forms and
Commonplace)."""
from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from conftest import REPO

SURVEYS = REPO / "tests" / "fixtures" / "surveys"

# file -> (platform, rows, {free-text column: question}, {schema field: value of the first row}, closed columns)
EXPECTED = {
    "citizen-space.csv": ("Citizen Space", 6, {
        "What do you value most about where you live?": "strong",
        "Thinking about the next ten years, what would make Kelvale a better place to live?":
            "Thinking about the next ten years, what would make Kelvale a better place to live?"},
        {"id": "ANON-KV7Q-3M2A-1", "date": "2022-07-14", "area": "Ryecroft", "postcode_district": "KV10",
         "age_band": "65-74", "consent_to_quote": True},
        ["How satisfied are you with your local area as a place to live?",
         "Are you responding as an individual or on behalf of an organisation?"]),
    "smartsurvey.csv": ("SmartSurvey", 5, {
        "3. What do you like about living in your area?": "strong",
        "5. What one change would improve your neighbourhood?": "future",
        "6. Any other comments?": "Any other comments?"},
        {"id": "48213577", "date": "2022-08-02", "area": "Kelvale Town Centre", "age_band": "35-44"},
        ["4. How often do you use the town centre?"]),
    "microsoft-forms.xlsx": ("Microsoft Forms", 4, {
        "What do you value about your neighbourhood?": "strong",
        "What would make your neighbourhood better in future?": "future"},
        {"id": "1", "date": "2022-08-18", "area": "Northgate", "age_band": "45-54", "consent_to_quote": True},
        ["How would you rate local bus services?"]),
    "google-forms.csv": ("Google Forms", 5, {
        "What's strong about your area?": "strong",
        "What would make it better for the next generation?": "future"},
        {"date": "2022-07-20", "postcode_district": "KV3", "age_band": "35-44", "consent_to_quote": True},
        ["Which of these services have you used in the last year?",
         "On a scale of 1 to 5, how connected do you feel to your neighbours?"]),
    "commonplace.csv": ("Commonplace", 5, {
        "What do you like about this place?": "strong",
        "What would you improve here?": "future"},
        {"id": "c-0001", "date": "2022-09-02", "age_band": "35-44", "postcode_district": "KV2"},
        ["How do you feel about this place?"]),
}
DROPPED = ("Email address", "Email", "IP Address", "Latitude", "Longitude", "Name")


def _header(path: Path) -> list[str]:
    if path.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        header = [str(c) for c in next(wb.worksheets[0].iter_rows(values_only=True))]
        wb.close()
        return header
    with open(path, encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_platform_is_recognised_from_its_header(name):
    from kilvoice.interop.surveys import detect

    platform = detect(_header(SURVEYS / name))
    assert platform is not None and platform.name == EXPECTED[name][0]


def test_a_plain_notes_spreadsheet_is_not_taken_for_a_survey():
    from kilvoice.interop.surveys import detect

    with open(REPO / "corpora" / "samples" / "spreadsheets" / "community-events.csv", encoding="utf-8") as fh:
        assert detect(next(csv.reader(fh))) is None
    assert detect(["timestamp", "speaker", "text"]) is None  # a transcript table, not Google Forms


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_platform_ingests_with_no_map_and_questions_are_recognised(name):
    from kilvoice.ingest import read_file

    platform, rows, questions, first_meta, closed = EXPECTED[name]
    notes = read_file(SURVEYS / name)
    assert len(notes) == rows
    first = notes[0]
    for key, value in first_meta.items():
        assert first.meta.get(key) == value, key
    got = {u.question for u in first.utterances}
    assert got == set(questions.values())
    for note in notes:
        assert note.utterances and all(u.question in questions.values() for u in note.utterances)
        for column in closed:  # closed questions stay as extra metadata
            assert column in note.extra or not note.extra.get(column), column
        assert not any(c in note.extra or c in note.meta for c in DROPPED)
    assert any(column in first.extra for column in closed)


def test_survey_answers_reach_the_store_without_contact_columns(tmp_path):
    from kilvoice.ingest import ingest
    from kilvoice.store import open_store

    with open_store(tmp_path / "p") as store:
        result = ingest([SURVEYS / n for n in sorted(EXPECTED)], store, root=REPO)
        assert result.files_rejected == 0 and result.notes_added == sum(e[1] for e in EXPECTED.values())
    db = sqlite3.connect(tmp_path / "p" / "kilvoice.sqlite")
    dump = "\n".join(str(row) for table in ("raw_notes", "raw_utterances", "conversations")
                     for row in db.execute(f"SELECT * FROM {table}"))
    for leaked in ("@example.org", "203.0.113.", "198.51.100.", "53.68"):
        assert leaked not in dump
    questions = {r[0] for r in db.execute("SELECT DISTINCT question FROM raw_utterances")}
    assert {"strong", "future", "Any other comments?"} <= questions
    extra = json.loads(db.execute("SELECT raw_meta FROM raw_notes r JOIN conversations c ON c.id=r.conversation_id"
                                  " WHERE c.note_id='48213577'").fetchone()[0])
    assert extra["extra.4. How often do you use the town centre?"] == "Weekly"


def test_a_survey_export_with_no_free_text_is_refused_with_its_code(tmp_path):
    from kilvoice.errors import KilvoiceError
    from kilvoice.ingest import read_file

    path = tmp_path / "closed.csv"
    path.write_text("Timestamp,How satisfied are you?,Age\n"
                    "2022/07/20 10:32:11 am GMT+1,Very satisfied,35-44\n"
                    "2022/07/21 10:32:11 am GMT+1,Fairly satisfied,45-54\n", encoding="utf-8")
    with pytest.raises(KilvoiceError) as err:
        read_file(path)
    assert err.value.code == "K225" and "Google Forms" in str(err.value) and "--map" in str(err.value)


def test_an_explicit_map_still_wins(tmp_path):
    from kilvoice.ingest import read_file

    notes = read_file(SURVEYS / "google-forms.csv", mapping={"text": "What's strong about your area?"})
    assert all(len(n.utterances) == 1 for n in notes)
    assert "Email address" in notes[0].extra  # with --map the user decides, as before


def test_a_polis_export_is_not_taken_for_a_survey(tmp_path):
    """Pol.is exports start with a Timestamp column, as Google Forms' do: the comment is the note."""
    from kilvoice.ingest import read_file

    path = tmp_path / "comments.csv"
    path.write_text("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
                    "1518501496471,Tue Feb 13 12:58:16 WIB 2018,895,1756,48,8,1,The ring road needs three lanes.\n"
                    "1518499107516,Tue Feb 13 12:18:27 WIB 2018,894,1480,27,16,-1,Off topic remark here.\n",
                    encoding="utf-8")
    notes = read_file(path)
    assert [n.meta["id"] for n in notes] == ["895", "894"]
    assert [[u.text for u in n.utterances] for n in notes] == [["The ring road needs three lanes."],
                                                               ["Off topic remark here."]]
    assert notes[1].extra["moderated"] == "-1"  # kept, and screened as moderated_out

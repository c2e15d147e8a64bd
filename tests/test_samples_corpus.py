"""Checks on the invented sample corpus in corpora/samples/.

Only the standard library, PyYAML and python-docx are used, so the test does
not depend on kilvoice's own ingest code.
"""
import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from docx import Document

SAMPLES = Path(__file__).resolve().parent.parent / "corpora" / "samples"

AREAS = {
    "Kelvale Town Centre": "KV1", "Northgate": "KV2", "Ashby Moor": "KV3",
    "Marsden Bridge": "KV4", "Holmefield": "KV5", "Castlebeck": "KV6",
    "Stanwick Green": "KV7", "Lowther Dale": "KV8", "Brackenhill": "KV9",
    "Ryecroft": "KV10",
}
SETTINGS = {"work", "social", "community", "other"}
AGE_BANDS = {"under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"}
LABELS = {"PERSON", "PHONE", "EMAIL", "POSTCODE", "ADDRESS", "NHS_NUMBER",
          "NI_NUMBER", "DATE_OF_BIRTH", "CONVERSATIONALIST"}


def _norm(meta):
    out = {}
    for k, v in meta.items():
        if v is True:
            v = "yes"
        elif v is False:
            v = "no"
        out[str(k).strip().lower()] = "" if v is None else str(v).strip()
    return out


def _kv_lines(lines):
    meta = {}
    for line in lines:
        if ":" in line:
            k, v = line.split(":", 1)
            meta[k] = v
    return _norm(meta)


def txt_meta(path):
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return _kv_lines(head.splitlines())


def md_meta(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    front = text.split("---\n", 2)[1]
    return _norm(yaml.safe_load(front))


def docx_text(path):
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def docx_meta(path):
    lines = []
    for p in Document(str(path)).paragraphs:
        if not p.text.strip():
            break
        lines.append(p.text)
    return _kv_lines(lines)


def vtt_meta(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("WEBVTT"), path
    i = lines.index("NOTE")
    block = []
    for line in lines[i + 1:]:
        if not line.strip():
            break
        block.append(line)
    return _kv_lines(block)


def srt_meta(path):
    side = path.with_name(path.name + ".meta.yaml")
    assert side.exists(), side
    return _norm(yaml.safe_load(side.read_text(encoding="utf-8")))


def csv_rows():
    with open(SAMPLES / "spreadsheets" / "community-events.csv", encoding="utf-8", newline="") as fh:
        return [_norm(r) for r in csv.DictReader(fh)]


def all_notes():
    notes = []
    for p in sorted((SAMPLES / "notes").glob("*.txt")):
        notes.append(("txt", p, txt_meta(p)))
    for p in sorted((SAMPLES / "notes").glob("*.md")):
        notes.append(("md", p, md_meta(p)))
    for p in sorted((SAMPLES / "docx").glob("*.docx")):
        notes.append(("docx", p, docx_meta(p)))
    for r in csv_rows():
        notes.append(("csv", None, r))
    for p in sorted((SAMPLES / "transcripts").glob("*.vtt")):
        notes.append(("vtt", p, vtt_meta(p)))
    for p in sorted((SAMPLES / "transcripts").glob("*.srt")):
        notes.append(("srt", p, srt_meta(p)))
    for p in sorted((SAMPLES / "transcripts").glob("*.txt")):  # Otter export, plain script
        notes.append(("transcript_txt", p, txt_meta(p)))
    for p in sorted((SAMPLES / "transcripts").glob("*.docx")):  # Teams transcript
        notes.append(("transcript_docx", p, docx_meta(p)))
    return notes


@pytest.fixture(scope="module")
def notes():
    return all_notes()


def test_note_count(notes):
    assert len(notes) >= 170


def test_file_counts_per_format(notes):
    by = {}
    for kind, _, _ in notes:
        by[kind] = by.get(kind, 0) + 1
    assert 45 <= by["txt"] <= 65
    assert 12 <= by["md"] <= 20
    assert 10 <= by["docx"] <= 15
    assert 70 <= by["csv"] <= 100
    assert by["vtt"] == 4  # Teams <v Name> (2 + a panel with a chair), Zoom "Name: text" cues
    assert by["srt"] == 3
    assert by["transcript_txt"] == 2  # Otter "Speaker 1  0:03", plain "Name: text" script
    assert by["transcript_docx"] == 1  # Teams "Name   0:01:02"
    with_tables = [p for p in (SAMPLES / "docx").glob("*.docx") if Document(str(p)).tables]
    assert len(with_tables) == 2


def test_csv_header():
    with open(SAMPLES / "spreadsheets" / "community-events.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["id", "conversationalist", "organisation", "setting", "area",
                      "postcode_district", "date", "age_band", "residents",
                      "consent_to_quote", "language", "whats_good", "make_it_better"]


def test_every_note_has_core_metadata(notes):
    for kind, path, m in notes:
        where = (kind, path, m.get("id"))
        assert re.fullmatch(r"BC-\d{4}", m.get("id", "")), where
        assert m.get("conversationalist"), where
        assert m.get("setting") in SETTINGS, where
        assert m.get("area") in AREAS, where
        if m.get("postcode_district"):
            assert m["postcode_district"] == AREAS[m["area"]], where
        d = date.fromisoformat(m["date"])
        assert date(2022, 5, 1) <= d <= date(2022, 9, 30), where
        if m.get("age_band"):
            assert m["age_band"] in AGE_BANDS, where
        if m.get("residents"):
            assert int(m["residents"]) >= 1, where
        if m.get("consent_to_quote"):
            assert m["consent_to_quote"] in {"yes", "no"}, where
        if m.get("language"):
            assert m["language"] in {"en", "pl", "ur"}, where


def test_coverage(notes):
    convs = {m["conversationalist"] for _, _, m in notes}
    assert len(convs) >= 12
    assert {m["area"] for _, _, m in notes} == set(AREAS)
    assert {"work", "social", "community"} <= {m["setting"] for _, _, m in notes}
    langs = {m.get("language") for _, _, m in notes}
    assert {"en", "pl", "ur"} <= langs
    with_age = sum(1 for _, _, m in notes if m.get("age_band"))
    assert with_age >= len(notes) // 2


def test_non_english_notes_are_txt():
    langs = {txt_meta(p).get("language"): p for p in (SAMPLES / "notes").glob("*.txt")}
    assert "pl" in langs and "ur" in langs
    assert re.search(r"[\u0600-\u06FF]", langs["ur"].read_text(encoding="utf-8"))
    assert re.search(r"[ąęłńóśźż]", langs["pl"].read_text(encoding="utf-8"))


def _file_text(rel):
    path = SAMPLES / rel
    if path.suffix == ".docx":
        return docx_text(path)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeded():
    return json.loads((SAMPLES / "seeded_pii.json").read_text(encoding="utf-8"))


def test_seeded_values_occur_in_their_files(seeded):
    assert seeded["description"]
    cache = {}
    missing = []
    for item in seeded["values"]:
        assert item["label"] in LABELS, item
        assert not re.fullmatch(r"KV\d{1,2}", item["value"]), item
        text = cache.setdefault(item["file"], _file_text(item["file"]))
        if item["value"] not in text:
            missing.append(item)
    assert not missing, missing


def test_seeded_pii_covers_labels(seeded):
    labels = {v["label"] for v in seeded["values"]}
    assert LABELS <= labels
    files = {v["file"] for v in seeded["values"]}
    assert len(files) >= 40


def _nhs_ok(digits):
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def test_nhs_numbers_pass_modulus_11(seeded):
    nhs = [v["value"] for v in seeded["values"] if v["label"] == "NHS_NUMBER"]
    assert nhs
    for value in nhs:
        assert _nhs_ok(re.sub(r"\D", "", value)), value


def test_ni_numbers_well_formed(seeded):
    for v in seeded["values"]:
        if v["label"] == "NI_NUMBER":
            assert re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", v["value"].replace(" ", "")), v


def test_conversationalists_are_seeded(notes, seeded):
    seeded_convs = {v["value"] for v in seeded["values"] if v["label"] == "CONVERSATIONALIST"}
    assert {m["conversationalist"] for _, _, m in notes} <= seeded_convs

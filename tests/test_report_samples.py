"""The report of the real sample run in every format, turned into pictures for a person to look at
(Word -> PDF -> PNG with LibreOffice and pdftoppm; HTML -> PNG with headless Chromium), with
privacy checks in every format. Reuses the session's ``sample_runs`` pipeline fixture."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess

import pytest

from conftest import ARTIFACTS, SAMPLES
from report_helpers import FORMATS, all_text, docx_text, parquet_statements

pytestmark = pytest.mark.slow
OUT = ARTIFACTS / "report"


@pytest.fixture(scope="module")
def sample_report(sample_runs, tmp_path_factory):
    """Every format of the first run, compared with the second (same notes: everything persists)."""
    from kilvoice.report import write_report

    out = tmp_path_factory.mktemp("sample-report")
    run_a, run_b = sample_runs["first"].run_id, sample_runs["second"].run_id
    write_report(sample_runs["store"], out, run_id=run_b, formats=FORMATS, compare=run_a)
    return out


def _seeded() -> list[str]:
    data = json.loads((SAMPLES / "seeded_pii.json").read_text(encoding="utf-8"))
    return sorted({v["value"] for v in data["values"] if len(v["value"].strip()) >= 3})


def _db(sample_runs):
    db = sqlite3.connect(sample_runs["store"] / "kilvoice.sqlite")
    db.row_factory = sqlite3.Row
    return db


def test_all_formats_from_the_pipeline_and_from_the_store(sample_runs, sample_report):
    for name in ("report.html", "report.md", "report.docx", "report.xlsx", "report.json", "themes.csv",
                 "statements.csv", "statements.parquet", "mapping.csv", "key_issues.csv", "comparison.csv"):
        assert (sample_report / name).is_file(), name
    pipeline_out = {p.name for p in sample_runs["out1"].iterdir()}
    assert {"report.docx", "report.xlsx", "report.md"} <= pipeline_out  # the pipeline's [report] formats


def test_no_seeded_personal_data_in_any_format(sample_report, sample_runs):
    values = _seeded()
    assert len(values) > 20
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in values) + r")(?!\w)")
    for out in (sample_report, sample_runs["out1"]):
        for name, text in all_text(out).items():
            assert pattern.findall(text) == [], name


def test_no_safeguarding_disclosure_in_any_format_and_flagged_notes_never_quoted(sample_report, sample_runs):
    """Only the flagged statements are withheld (K680); the rest of a flagged note is analysed but
    never quoted, and no words of a flagged utterance's disclosure reach any output."""
    from kilvoice.redact.safeguarding import safeguarding_categories

    db = _db(sample_runs)
    flagged = {r[0] for r in db.execute("SELECT conversation_id FROM flags WHERE kind='safeguarding'")}
    assert flagged, "the samples include safeguarding notes"
    run = json.loads((sample_report / "report.json").read_text(encoding="utf-8"))["run_id"]
    withheld = {r[0] for r in db.execute("SELECT item FROM rejects WHERE run_id=? AND code='K680'", (run,))}
    assert withheld, "the flagged statements are withheld"
    analysed = {r[0] for r in db.execute("SELECT id FROM statements")}
    assert not withheld & analysed
    fragments = []
    for cid in flagged:
        for (text,) in db.execute("SELECT text FROM utterances WHERE conversation_id=?", (cid,)):
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                if safeguarding_categories(sentence):
                    words = re.findall(r"[A-Za-z']+", sentence)
                    fragments += [" ".join(words[i:i + 6]) for i in range(0, max(len(words) - 5, 1), 3)]
    assert fragments
    for name, text in all_text(sample_report).items():
        flat = " ".join(re.findall(r"[A-Za-z']+", text.replace("&#39;", "'")))
        assert [f for f in fragments if f in flat] == [], name
    data = json.loads((sample_report / "report.json").read_text(encoding="utf-8"))
    statements = parquet_statements(sample_report)
    s = data["summary"]
    assert s["safeguarding_flagged"] == len(flagged)
    assert s["safeguarding_withheld_statements"] == len(withheld)
    assert s["safeguarding_withheld_conversations"] == len(flagged - {st["conversation_id"] for st in statements})
    assert any(st["conversation_id"] in flagged for st in statements), "the rest of a flagged note is analysed"
    quoted = {q["statement_id"] for t in data["themes"] for q in t["quotes"]}
    by_id = {st["id"]: st for st in statements}
    assert not [q for q in quoted if by_id.get(q, {}).get("conversation_id") in flagged]


def test_every_quote_is_publishable_and_traceable(sample_report, sample_runs):
    db = _db(sample_runs)
    consent = {r[0]: r[1] for r in db.execute("SELECT id, consent_to_quote FROM conversations")}
    stmts = {r["id"]: (r["conversation_id"], r["text"]) for r in db.execute("SELECT * FROM statements")}
    data = json.loads((sample_report / "report.json").read_text(encoding="utf-8"))
    quotes = [q for t in data["themes"] for q in t["quotes"]] + [
        q for f in data["frameworks"] for i in f["items"] for q in i["quotes"]]
    assert len(quotes) >= 20
    for q in quotes:
        conv, text = stmts[q["statement_id"]]
        assert consent[conv] == 1 and q["text"] == text
        assert re.fullmatch(r"resident(, [^,]+)*", q["attribution"])
    # the documents show the same quotes with their statement ids
    html = (sample_report / "report.html").read_text(encoding="utf-8")
    md = (sample_report / "report.md").read_text(encoding="utf-8")
    docx = docx_text(sample_report / "report.docx")
    shown = set(re.findall(r"\[(c-[0-9a-f]+-u\d+-s\d+)\]</span></blockquote>", html))
    assert shown and shown <= {q["statement_id"] for q in quotes}
    assert all(consent[stmts[sid][0]] == 1 for sid in shown)
    theme_quotes = [q["statement_id"] for t in data["themes"] if t["kind"] != "group" for q in t["quotes"]]
    assert theme_quotes and set(theme_quotes) <= shown
    for sid in theme_quotes:  # every document shows the theme quotes with their ids
        assert sid in docx and sid in md
    no_consent = [t for s, (c, t) in stmts.items() if consent.get(c) != 1 and len(t.split()) >= 8]
    for text in no_consent:  # never quoted in a document meant for publication
        assert text not in docx


def test_catch_all_themes_come_last_and_say_why(sample_report):
    data = json.loads((sample_report / "report.json").read_text(encoding="utf-8"))
    flags = [k["catch_all"] for k in data["key_issues"]]
    assert flags == [k["theme"].startswith("Mixed: ") for k in data["key_issues"]]
    assert flags == sorted(flags)  # every theme with a subject before any catch-all
    said = "varied remarks rather than one subject" in (sample_report / "report.md").read_text(encoding="utf-8")
    assert said == any(flags) == bool(data["summary"]["catch_all_note"])


def test_no_theme_quotes_one_point_twice(sample_report):
    from kilvoice.report.context import same_point

    data = json.loads((sample_report / "report.json").read_text(encoding="utf-8"))
    statements = parquet_statements(sample_report)
    by_id = {s["id"]: s for s in statements}
    answering = {s["conversation_id"] for s in statements if s["question"]}
    members: dict[str, list[str]] = {}  # theme -> its statements (a group: all of its leaves')
    for s in statements:
        members.setdefault(s["primary_theme_id"], []).append(s["id"])
    for t in data["themes"]:
        if t["kind"] == "group":
            members[t["id"]] = [s for c in data["themes"] if c["parent"] == t["id"] for s in members.get(c["id"], [])]
    for t in data["themes"]:
        texts = [q["text"] for q in t["quotes"]]
        assert not any(same_point(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]), t["title"]
        # the conversationalist's asides on who and where (untagged lines of notes whose other
        # lines answer the questions) are quoted only when too few other statements are quotable
        aside = {s["id"] for s in statements if not s["question"] and s["conversation_id"] in answering}
        others = [s for s in members.get(t["id"], []) if s not in aside and by_id[s]["publishable"]]
        if len(others) >= len(t["quotes"]):
            assert not aside & {q["statement_id"] for q in t["quotes"]}, t["title"]


def test_comparison_of_identical_runs_persists(sample_report):
    data = json.loads((sample_report / "report.json").read_text(encoding="utf-8"))
    counts = data["comparison"]["counts"]
    assert counts["new"] == 0 and counts["faded"] == 0 and counts["persisting"] >= 8


def _save(src, name):
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(src, OUT / name)


def test_word_report_structure(sample_report):
    from docx import Document

    from kilvoice.report.render import SECTIONS

    doc = Document(str(sample_report / "report.docx"))
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads == [t for _, t in SECTIONS]
    assert len(doc.tables) >= 10
    assert len(doc.inline_shapes) >= 4  # themes, areas, settings, heatmap
    _save(sample_report / "report.docx", "report.docx")


def test_word_to_pdf_to_png(sample_report, tmp_path):
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        pytest.skip("LibreOffice (soffice) or poppler (pdftoppm) not installed: apt-get install "
                    "libreoffice-writer-nogui poppler-utils (CI does this in .ci/run)")
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(sample_report / "report.docx")],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    assert pdf.stat().st_size > 10_000
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("docx-page-*.png"):
        old.unlink()
    subprocess.run([pdftoppm, "-png", "-r", "50", str(pdf), str(OUT / "docx-page")], check=True, timeout=120)
    pages = sorted(OUT.glob("docx-page-*.png"))
    assert len(pages) >= 8
    _save(pdf, "report.pdf")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        from kilvoice.report.render import SECTIONS

        lines = [line.strip() for line in text.splitlines()]
        positions = [lines.index(title) for _, title in SECTIONS]  # headings are lines of their own
        assert positions == sorted(positions)
        assert "Figure 4" in text and "Key issues log" in text


def test_html_screenshot(sample_report):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    html = (sample_report / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 4 and 'class="chart heatmap"' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", html, re.I)
    _save(sample_report / "report.html", "report.html")
    if not chromium:
        pytest.skip("chromium not installed: apt-get install chromium (CI does this in .ci/run)")
    OUT.mkdir(parents=True, exist_ok=True)
    shot = OUT / "html.png"
    if shot.exists():
        shot.unlink()
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1280,4000", (sample_report / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert shot.stat().st_size > 20_000

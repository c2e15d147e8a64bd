"""Report context and renderers on a small hand-built store (no pipeline): hostile text, consent,
safeguarding, key issues, comparison, CLI."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from report_helpers import (FORMATS, HOSTILE, NO_CONSENT, SAFEGUARD, all_text, build_store, csv_cells, docx_text,
                            parquet_statements, xlsx_cells)

FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from kilvoice.report import write_report

    base = tmp_path_factory.mktemp("hostile")
    build_store(base / "project").close()
    written = write_report(base / "project", base / "out", formats=FORMATS, compare="r1")
    return {"project": base / "project", "out": base / "out", "written": written}


def test_every_format_written(hostile):
    names = {p.name for p in hostile["written"]}
    assert {"report.html", "report.md", "report.docx", "report.xlsx", "report.json", "themes.csv",
            "statements.csv", "statements.parquet", "mapping.csv", "key_issues.csv", "decisions.csv",
            "comparison.csv"} <= names


def test_html_escapes_and_is_self_contained(hostile):
    html = (hostile["out"] / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//|javascript:)""", html, re.I)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html, re.I)
    assert "\x07" not in html
    assert html.count("<svg") >= 3  # themes, areas, settings (+ heatmap)


def test_markdown_is_inert(hostile):
    text = (hostile["out"] / "report.md").read_text(encoding="utf-8")
    assert "<script" not in text and "<b>" not in text
    assert "[click](" not in text and "\\[click\\]" in text
    assert "&lt;script&gt;" in text


def test_csv_cells_cannot_be_formulas(hostile):
    cells = [c for p in hostile["out"].glob("*.csv") for c in csv_cells(p)]
    assert cells
    assert [c for c in cells if c.startswith(FORMULA)] == []
    assert any(c.startswith("'" + HOSTILE[0]) for c in cells)


def test_xlsx_cells_cannot_be_formulas(hostile):
    cells = xlsx_cells(hostile["out"] / "report.xlsx")
    assert cells
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA)] == []
    from openpyxl import load_workbook

    assert load_workbook(str(hostile["out"] / "report.xlsx")).sheetnames == [
        "Themes", "Statements", "Links", "Key issues", "Decision log", "Comparison"]


def test_docx_opens_and_keeps_hostile_text_as_text(hostile):
    text = docx_text(hostile["out"] / "report.docx")
    assert "<script>alert(1)</script>" in text  # shown as text, not markup
    assert "\x07" not in text
    import zipfile

    xml = zipfile.ZipFile(hostile["out"] / "report.docx").read("word/document.xml").decode("utf-8")
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_json_round_trips_and_escapes_markup(hostile):
    raw = (hostile["out"] / "report.json").read_text(encoding="utf-8")
    assert "<script" not in raw
    data = json.loads(raw)
    assert data["schema_version"] == "2.0"
    assert "statements" not in data and data["files"]["statements"] == ["statements.csv", "statements.parquet"]
    texts = [s["text"] for s in parquet_statements(hostile["out"])]
    assert any("<script>alert(1)</script>" in t for t in texts)  # the data is kept as it is


def test_no_consent_and_safeguarding_text_never_quoted(hostile):
    for name, text in all_text(hostile["out"]).items():
        assert SAFEGUARD not in text, name
        if name not in ("statements.csv", "statements.parquet", "report.xlsx"):  # analyst exports mark it unpublishable
            assert NO_CONSENT not in text, name
    data = json.loads((hostile["out"] / "report.json").read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in parquet_statements(hostile["out"])}
    assert by_id["c3-u0-s0"]["publishable"] is False
    assert "c4-u0-s0" not in by_id
    quotes = [q for t in data["themes"] for q in t["quotes"]] + [
        q for f in data["frameworks"] for i in f["items"] for q in i["quotes"]]
    assert quotes
    for q in quotes:
        assert by_id[q["statement_id"]]["publishable"] and q["text"] == by_id[q["statement_id"]]["text"]
    assert data["summary"]["safeguarding_flagged"] == 1
    t01 = next(t for t in data["themes"] if t["id"] == "T01")
    assert "most typically" not in t01["description"]  # its example came from a no-consent note


def test_key_issues_and_decisions(hostile):
    data = json.loads((hostile["out"] / "report.json").read_text(encoding="utf-8"))
    ki = {k["theme_id"]: k for k in data["key_issues"]}
    assert ki["T01"]["status"] == "signed off" and ki["T02"]["status"] == "open"
    assert ki["T01"]["owner"].startswith("Locality")  # the framework's owner (items name none)
    assert [o["item_id"] for o in ki["T01"]["objectives"]] == ["kil-2"]
    assert data["decisions"][0]["reason"] == "<script>alert(2)</script>" and data["decisions"][0]["kind"] == "rename"
    assert data["heatmap"]["columns"][1]["id"] == "kil-2" and data["heatmap"]["rows"][0]["scores"][1] == 0.71
    st = next(s for s in parquet_statements(hostile["out"]) if s["id"] == "c1-u0-s0")
    assert st["theme_ids"] == ["T01"] and len(st["link_ids"]) == 2 and st["primary_theme_id"] == "T01"
    assert [link["source_kind"] for link in data["links"]] == ["theme"]  # statement links: mapping.csv
    assert data["summary"]["statement_links"] == 1


def _leaf(tid, title, conversations, parent=None):
    return {"id": tid, "title": title, "kind": "theme", "n_conversations": conversations, "size": conversations * 2,
            "parent": parent, "band": "some", "stance": {}, "links": [], "signed_off": False}


def test_a_catch_all_theme_is_listed_after_the_themes_with_a_subject():
    """The largest theme of a run can be a catch-all ("Mixed: ..."): the summary, the key-issues
    log, the chart, the heatmap and its group list it last, and the summary says why."""
    from kilvoice.report import charts
    from kilvoice.report.keyissues import catch_all_note, heatmap, key_issues
    from kilvoice.report.render import theme_groups

    group = {"id": "P01", "title": "Buses and parks", "kind": "group", "n_conversations": 60, "size": 120,
             "parent": None}
    ctx = {"themes": [_leaf("T01", "Mixed: work and allowance", 55, "P01"), _leaf("T02", "Buses", 40, "P01"),
                      _leaf("T03", "Parks", 12, "P01"), group],
           "frameworks": [{"id": "keep-it-local", "title": "Keep it Local", "items": [{"id": "kil-1", "title": "x"}]}]}
    assert [k["theme_id"] for k in key_issues(ctx)] == ["T02", "T03", "T01"]
    assert [k["catch_all"] for k in key_issues(ctx)] == [False, False, True]
    assert [label for label, _ in charts.theme_rows(ctx)] == ["T02 Buses", "T03 Parks", "T01 Mixed: work and allowance"]
    assert [r["theme_id"] for r in heatmap(ctx)["rows"]] == ["T02", "T03", "T01"]
    assert [t["id"] for t in theme_groups(ctx)[0][1]] == ["T02", "T03", "T01"]
    assert catch_all_note(ctx).startswith('The theme titled "Mixed: ..." gathers varied remarks')
    # an officer's rename says the theme has a subject: it takes its place by size again
    ctx["themes"][0]["title"] = "Work experience and carers"
    assert [k["theme_id"] for k in key_issues(ctx)] == ["T01", "T02", "T03"] and catch_all_note(ctx) == ""


def test_quotes_are_answers_and_each_makes_its_own_point(tmp_path):
    """A theme's quotes skip the conversationalist's aside on who and where (a line under no
    question in a note that answers the questions) and a second wording of a point already
    quoted (they would be used only when nothing else is left)."""
    from kilvoice.records import Assignment, Note, Statement, Theme, Utterance
    from kilvoice.report.context import build_context, same_point
    from kilvoice.store import open_store

    notes = {
        "c1": ["Carers centre worker, 27, grew up in Castlebeck.", "A kinship carers group - never met anyone else like her."],
        "c2": ["She'd like a kinship carers' group - she's never met anyone else like her."],
        "c3": ["Respite care you can actually book ahead."],
        "c4": ["Carers need a break, a sitting service once a month."],
    }
    store = open_store(tmp_path / "p")
    convs = [Note(id=c, source=f"{c}.txt", meta={"id": c, "consent_to_quote": True},
                  utterances=[Utterance(i, t, question=None if (c == "c1" and i == 0) else "future")
                              for i, t in enumerate(lines)]) for c, lines in notes.items()]
    ids = list(notes)
    store.add_file("n.txt", "1" * 64, 10, convs, conversation_ids=ids, content_hashes=[f"h{c}" for c in ids],
                   statuses=[("ok", None, None)] * len(ids), pseudonyms=["CV-1"] * len(ids))
    sids = []
    for note in convs:
        store.put_redacted(note.id, note.utterances, [[] for _ in note.utterances], "test", [])
        sts = [Statement(id=f"{note.id}-u{u.index}-s0", conversation_id=note.id, utterance_index=u.index, index=0,
                         text=u.text, question=u.question) for u in note.utterances]
        store.replace_statements(note.id, sts, [f"t{s.id}" for s in sts])
        sids += [s.id for s in sts]
    order = ["c1-u0-s0", "c1-u1-s0", "c2-u0-s0", "c3-u0-s0", "c4-u0-s0"]  # most typical first
    store.start_run("r1", "t.toml")
    store.save_results("r1", [Theme(id="T01", title="Carers", keywords=["carers"], size=5, n_conversations=4,
                                    representative=order)], [Assignment(s, "T01", 0.9) for s in sids], [], [])
    store.finish_run("r1", {"run_id": "r1", "config": {}})
    ctx = build_context(store, "r1")
    quotes = [q["statement_id"] for q in next(t for t in ctx["themes"] if t["id"] == "T01")["quotes"]]
    assert quotes == ["c1-u1-s0", "c4-u0-s0", "c3-u0-s0"]  # "carers" (a keyword) before the other
    assert same_point(notes["c1"][1], notes["c2"][0]) and not same_point(notes["c3"][0], notes["c4"][0])
    store.close()


def test_item_owner_wins_over_framework_owner(tmp_path):
    from kilvoice.report.context import build_context

    store = build_store(tmp_path / "p")
    meta = {"keep-it-local": {"owner": "Council", "items": {"kil-2": {"owner": "Head of Communities"}}}}
    ctx = build_context(store, "r2", frameworks_meta=meta)
    assert ctx["key_issues"][0]["owner"] == "Head of Communities"
    store.close()


def test_comparison_new_persisting_faded(hostile):
    data = json.loads((hostile["out"] / "report.json").read_text(encoding="utf-8"))
    rows = {(r["status"], r["theme_id"], r["earlier_theme_id"]) for r in data["comparison"]["themes"]}
    assert ("new", "T02", None) in rows
    assert any(s in ("persisting", "growing", "shrinking") and t == "T01" and e == "T01" for s, t, e in rows)


def test_compare_runs_matches_by_statements_and_keywords():
    from kilvoice.report.compare import similarity

    a = {"statements": {"s1", "s2", "s3"}, "keywords": {"bus", "fare"}}
    b = {"statements": {"s1", "s2", "s4"}, "keywords": {"park"}}
    c = {"statements": {"x"}, "keywords": {"bus", "fare", "route"}}
    assert similarity(a, b) == (0.667, "shared statements")
    assert similarity(a, c) == (0.667, "keywords")


def test_compare_growing_and_faded(tmp_path):
    from kilvoice.report.compare import compare_runs

    store = build_store(tmp_path / "p")
    with store.transaction() as db:  # r1 gains a theme that r2 lost
        db.execute("INSERT INTO themes (run_id, id, title, description, keywords, size, n_conversations, parent,"
                   " stance, representative) VALUES ('r1','T09','Gone','', '[\"gone\"]', 1, 1, NULL, '{}', '[]')")
    result = compare_runs(store, "r1", "r2")
    status = {(r["theme_id"] or r["earlier_theme_id"]): r["status"] for r in result["themes"]}
    assert status == {"T01": "persisting", "T02": "new", "T09": "faded"}
    assert result["counts"]["faded"] == 1 and result["counts"]["new"] == 1
    store.close()


def test_cli_report_and_errors(hostile, tmp_path):
    from kilvoice.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["report", "--project", str(hostile["project"]), "--format", "md,json",
                              "--output", str(tmp_path / "o")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "o" / "report.md").is_file()
    bad = runner.invoke(main, ["report", "--project", str(hostile["project"]), "--format", "pdf",
                               "--output", str(tmp_path / "o")])
    assert bad.exit_code == 1
    assert "Error: K304 unknown report format(s) pdf; available: html, md, docx, csv, xlsx, json" in bad.output
    same = runner.invoke(main, ["report", "--project", str(hostile["project"]), "--run", "r2", "--compare", "r2",
                                "--output", str(tmp_path / "o")])
    assert same.exit_code == 1 and "Error: K900 cannot compare run 'r2' with itself" in same.output
    missing = runner.invoke(main, ["report", "--project", str(hostile["project"]), "--compare", "nope",
                                   "--output", str(tmp_path / "o")])
    assert missing.exit_code == 1 and "Error: K303 run 'nope' not found" in missing.output


def test_sections_in_order_in_every_document(hostile):
    from kilvoice.report.render import SECTIONS

    titles = [t for _, t in SECTIONS]
    html = (hostile["out"] / "report.html").read_text(encoding="utf-8")
    md = (hostile["out"] / "report.md").read_text(encoding="utf-8")
    from docx import Document

    doc = Document(str(hostile["out"] / "report.docx"))
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert heads == titles
    assert [h for h in re.findall(r"^## (.+)$", md, re.M)] == titles
    h2 = [re.sub(r"<[^>]+>", "", h).replace("&#39;", "'") for h in re.findall(r"<h2 id=\"[^\"]+\">(.*?)</h2>", html)]
    assert h2 == titles
    assert len(doc.tables) >= 8 and len(doc.inline_shapes) >= 3


def test_charts_state_their_figures_in_html_and_word(hostile):
    """Screen-reader users get the figures: the SVG's aria-label and the Word picture's alt text list
    each area with its count, as report.json gives them, and hostile names stay text."""
    import html as html_lib

    from docx import Document

    ctx = json.loads((hostile["out"] / "report.json").read_text(encoding="utf-8"))
    page = (hostile["out"] / "report.html").read_text(encoding="utf-8")
    labels = [html_lib.unescape(x) for x in re.findall(r'<svg class="chart[^"]*" role="img" aria-label="([^"]*)"', page)]
    doc = Document(str(hostile["out"] / "report.docx"))
    alts = {(s._inline.docPr.get("title") or "").split(".")[0]: s._inline.docPr.get("descr") or ""
            for s in doc.inline_shapes}
    area_label = next(x for x in labels if x.startswith("Bar chart: Conversations by area"))
    assert ctx["reach"]["area"]
    for r in ctx["reach"]["area"]:
        figure = f"{r['value']}: {r['conversations']} conversation"
        assert figure in area_label and figure in alts["Figure 2"], figure
    assert "<b>" not in page and "\x07" not in "".join(alts.values())


def test_method_says_when_the_notes_do_not_name_who_held_the_conversations():
    from kilvoice.report.render import held_by

    assert held_by({"conversationalists": 12}) == "by 12 volunteer and staff conversationalists"
    assert held_by({"conversationalists": 0}) == "(the notes do not say by whom)"  # not "by 0 conversationalists"


def test_word_charts_are_drawn_with_pillow_not_matplotlib():
    """The Word charts: PNGs whose bars are as long as their figures, drawn without importing
    matplotlib (its import and figures were ~2.5 s of a 10,000-statement run's report step)."""
    import subprocess
    import sys

    code = (
        "import io, sys\n"
        "from PIL import Image\n"
        "from kilvoice.report import charts\n"
        "png = charts.bar_png([('T01 Buses', 40), ('T02 Parks', 10)], 'Themes')\n"
        "img = Image.open(io.BytesIO(png)).convert('RGB')\n"
        "s = charts.SCALE\n"
        "row = lambda i: (30 + 22 * i + 11) * s\n"
        "span = 720 - 300 - 50\n"
        "blue = (0x1d, 0x70, 0xb8)\n"
        "print(img.size, 'matplotlib' in sys.modules,\n"
        "      img.getpixel(((300 + span - 2) * s, row(0))) == blue,\n"
        "      img.getpixel(((300 + span // 4 - 2) * s, row(1))) == blue,\n"
        "      img.getpixel(((300 + span // 4 + 40) * s, row(1))) == blue)\n"
        "hm = {'title': 'Keep it Local', 'columns': [{'id': 'P1', 'title': 'a'}, {'id': 'P2', 'title': 'b'}],\n"
        "      'rows': [{'theme_id': 'T01', 'title': 'Buses', 'scores': [0.5, 0.0]}]}\n"
        "print(Image.open(io.BytesIO(charts.heatmap_png(hm))).size, charts.heatmap_png(None))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == f"({720 * 2}, {(30 + 44 + 26) * 2}) False True True False"
    assert out[1] == f"({(300 + 54 * 2 + 10) * 2}, {(58 + 24 + 10) * 2}) None"

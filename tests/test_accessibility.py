"""Reports and pages a council can publish (WCAG 2.2 AA, which UK public bodies must meet).

axe-core (from npm, ``node_modules/axe-core/axe.min.js``; .ci/run and ``make test`` install it) is
injected into every page of the web app, served by the real app over a copy of the sample run's
project, and into the sample run's ``report.html``, in one Debian chromium session; no WCAG 2.0/2.1/2.2
A or AA rule may fail. The sample run's Word report is read with python-docx: every chart has
alternative text that states its figures, every table's first row is a marked header row.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.web_helpers import PASSWORDS, ServerThread, chromium, make_users, notes_csv

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(os.environ.get("KILVOICE_AXE_JS") or REPO / "node_modules" / "axe-core" / "axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return {version: axe.version, violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))};
}"""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(sample_runs, tmp_path_factory):
    """The second sample run's report as HTML, Word and JSON, compared with the first (every table)."""
    from kilvoice.report import write_report

    out = tmp_path_factory.mktemp("published")
    write_report(sample_runs["store"], out, run_id=sample_runs["second"].run_id, formats=["html", "docx", "json"],
                 compare=sample_runs["first"].run_id)
    return out


# -- the Word report ------------------------------------------------------------------------------
def test_word_charts_have_alt_text_with_figures_and_tables_have_header_rows(published):
    from docx import Document

    doc = Document(str(published / "report.docx"))
    ctx = json.loads((published / "report.json").read_text(encoding="utf-8"))
    pictures = doc.inline_shapes
    assert len(pictures) >= 3
    alts = {}
    for shape in pictures:
        pr = shape._inline.docPr
        alt = (pr.get("descr") or "").strip()
        assert alt and re.search(r"\d", alt), f"picture {pr.get('name')} has no alt text with figures"
        alts[(pr.get("title") or "").split(".")[0]] = alt
    # the figures in the alt text are the report's own: each area and each theme with its count
    for r in ctx["reach"]["area"]:
        assert re.search(rf"{re.escape(r['value'])}: {r['conversations']} conversations?\b", alts["Figure 2"]), r
    leaves = [t for t in ctx["themes"] if t.get("kind") == "theme"]
    assert leaves
    for t in leaves:
        assert re.search(rf"{re.escape(t['title'])}: {t['n_conversations']} conversations?\b", alts["Figure 1"]), t["id"]
    if "Figure 4" in alts:
        assert re.search(r"\b\d\.\d\d\b", alts["Figure 4"])  # link scores

    assert len(doc.tables) >= 8
    for i, table in enumerate(doc.tables):
        first = table.rows[0]._tr
        flag = first.find(f"{W}trPr/{W}tblHeader")
        assert flag is not None and flag.get(f"{W}val", "true") in ("true", "1", "on"), f"table {i}: no header row"
        look = table._tbl.tblPr.find(f"{W}tblLook")
        assert look is not None and look.get(f"{W}firstRow") == "1", f"table {i}: header row not on in the look"
        assert all(r._tr.find(f"{W}trPr/{W}tblHeader") is None for r in table.rows[1:]), f"table {i}"
    assert len([p for p in doc.paragraphs if p.style.name.startswith("Heading")]) >= 10


# -- axe-core in chromium -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    yield from chromium(str(CHROMIUM))


def _axe(page, where: str) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(AXE_RUN, WCAG_TAGS)
    assert result["version"].startswith("4."), result["version"]
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}" for v in result["violations"]]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium "
                                                  "(apt-get install chromium; .ci/run does this)")
@pytest.mark.skipif(not AXE.exists(), reason=f"axe-core not found at {AXE}: run `npm install --no-save "
                                             "--no-package-lock --prefix . axe-core@4.14` (.ci/run and make test do)")
def test_axe_finds_no_wcag_aa_violations_on_pages_and_report(browser, sample_runs, published, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(sample_runs["store"], project)
    make_users(project)
    upload = tmp_path / "notes.csv"
    upload.write_bytes(notes_csv(6))
    from kilvoice.web import Settings, create_app

    problems: list[str] = []
    seen: list[str] = []
    with ServerThread(create_app(project, Settings())) as server:
        base = server.url
        context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)

        def check(path: str) -> None:
            if path:
                page.goto(base + path)
            seen.append(page.url)
            problems.extend(_axe(page, path or page.url))

        check("/login")
        page.fill("#name", "adm")
        page.fill("#password", PASSWORDS["adm"])
        page.click("button:has-text('Log in')")
        page.wait_for_load_state()
        check("/upload")
        page.select_option("#setting", "community")
        page.select_option("#consent_to_quote", "yes")
        page.set_input_files("#files", [str(upload)])
        page.check("input[name=personal_data_ack]")
        page.click("button:has-text('Upload')")
        page.wait_for_selector("div.ok")
        check("")  # the upload page with its receipt
        uploads = page.request.get(f"{base}/uploads.json").json()["uploads"]
        theme = next(t["id"] for t in page.request.get(f"{base}/themes.json").json()["themes"]
                     if t["id"].startswith("T"))
        for path in ("/uploads", f"/uploads/{uploads[0]['id']}", "/runs", "/themes", f"/themes/{theme}",
                     "/frameworks", "/decisions", "/review/redactions", "/review/redactions?show=all",
                     "/report", "/admin/users", "/themes/T999"):
            check(path)
        page.goto((published / "report.html").as_uri())
        check("")
        context.close()
    assert len(seen) == 16
    assert not problems, "\n".join(problems)

"""End to end in a real headless Chromium (Debian chromium driven by Playwright) against uvicorn on
loopback, with the real pipeline on a small part of corpora/samples:

a conversationalist uploads a .docx and a .csv; an officer runs the analysis, renames a theme, merges
two, moves a statement and rejects a principle link; re-runs and sees the edits kept; downloads the
report and finds the new theme name in it. Screenshots go to tests/artifacts/screenshots/.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from kilvoice.store import open_store
from kilvoice.web import Settings, create_app
from tests.web_helpers import PASSWORDS, ServerThread, chromium, make_users, notes_docx

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "corpora" / "samples"
FIXTURES = REPO / "tests" / "fixtures" / "web"
NEW_TITLE = "Evening buses for teenagers"

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium "
                                                               "(apt-get install chromium; .ci/run does this)")]


def corpus(tmp: Path) -> tuple[Path, Path]:
    """A .docx and a .csv of notes: from corpora/samples when present, else tests/fixtures/web."""
    csv_src = SAMPLES / "spreadsheets" / "community-events.csv"
    docx_src = SAMPLES / "docx" / "BC-0131-northgate-sewing-group.docx"
    if not csv_src.exists():
        csv_src, docx_src = FIXTURES / "notes.csv", None
    lines = csv_src.read_text(encoding="utf-8").splitlines()
    csv_path = tmp / "community-events.csv"
    csv_path.write_text("\n".join(lines[:41]) + "\n", encoding="utf-8")  # header + 40 notes: keeps it fast
    docx_path = tmp / "sewing-group.docx"
    if docx_src is not None:
        docx_path.write_bytes(docx_src.read_bytes())
    else:
        docx_path.write_bytes(notes_docx(["The sewing group gave me friends and the library runs a class.",
                                          "Lighting on the cut-through is broken so it is not safe after dark."]))
    return docx_path, csv_path


@pytest.fixture(scope="module")
def browser():
    yield from chromium(str(CHROMIUM))


def shot(page, artifacts: Path, name: str) -> None:
    folder = artifacts / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def log_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button:has-text('Log in')")
    page.wait_for_load_state()


def log_out(page) -> None:
    page.click("button:has-text('Log out')")
    page.wait_for_url(re.compile(r".*/login$"))


def run_analysis(page, base: str, timeout_s: float = 400) -> dict:
    page.goto(f"{base}/runs")
    page.click("button:has-text('Run the analysis')")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = page.request.get(f"{base}/runs.json").json()["jobs"][0]
        if job["status"] in ("done", "failed"):
            break
        time.sleep(1)
    assert job["status"] == "done", job
    page.goto(f"{base}/runs")
    assert page.locator("tr.job-done").count() >= 1
    return job


def themes(page, base: str) -> list[dict]:
    return page.request.get(f"{base}/themes.json").json()["themes"]


def primary_theme_of(page, base: str, statement_id: str) -> str:
    for t in themes(page, base):
        ids = [s["id"] for s in page.request.get(f"{base}/themes/{t['id']}.json").json()["statements"]]
        if statement_id in ids:
            return t["id"]
    return ""


def test_upload_review_rerun_report(browser, tmp_path, artifacts):
    project = tmp_path / "project"
    make_users(project)
    docx_path, csv_path = corpus(tmp_path)
    app = create_app(project, Settings(max_upload_mb=20))
    with ServerThread(app) as server:
        base = server.url
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)

        # -- a conversationalist hands in notes --------------------------------------------------
        page.goto(f"{base}/login")
        shot(page, artifacts, "01-login")
        log_in(page, base, "vol")
        assert page.url.endswith("/upload")
        assert "Personal data" in page.inner_text(".warning")
        page.select_option("#setting", "community")
        page.select_option("#consent_to_quote", "yes")
        page.set_input_files("#files", [str(docx_path), str(csv_path)])
        page.check("input[name=personal_data_ack]")
        shot(page, artifacts, "02-upload-form")
        page.click("button:has-text('Upload')")
        received = page.inner_text("div.ok")
        assert "sewing-group.docx: 1 note(s) stored" in received
        stored = re.search(r"community-events\.csv: (\d+) note\(s\) stored", received)
        assert stored and int(stored.group(1)) >= 30  # 40 rows; blank or duplicate rows are not notes
        shot(page, artifacts, "03-upload-received")
        page.goto(f"{base}/uploads")
        assert page.locator("table tr").count() == 3
        shot(page, artifacts, "04-my-uploads")
        log_out(page)

        # -- an officer runs the analysis and edits -----------------------------------------------
        log_in(page, base, "off")
        run_analysis(page, base)
        shot(page, artifacts, "05-runs")
        leaves = [t for t in themes(page, base) if t["id"] != "other" and t["id"].startswith("T")]
        assert len(leaves) >= 3
        a, b, c = leaves[0]["id"], leaves[1]["id"], leaves[2]["id"]

        page.goto(f"{base}/themes")
        shot(page, artifacts, "06-themes")
        page.goto(f"{base}/themes/{a}")
        shot(page, artifacts, "07-theme")
        page.fill("#title", NEW_TITLE)
        page.fill("#rename-form input[name=reason]", "clearer for committee")
        page.click("#rename-form button:has-text('Rename')")
        assert page.inner_text("h1").startswith(NEW_TITLE)

        page.goto(f"{base}/themes")
        page.select_option("#merge-from", b)
        page.select_option("#merge-into", a)
        page.click("#merge-form button:has-text('Merge')")
        ids = [t["id"] for t in themes(page, base)]
        assert b not in ids and a in ids

        page.goto(f"{base}/themes/{a}")
        moved = page.request.get(f"{base}/themes/{a}.json").json()["statements"][0]["id"]
        move = page.locator(f"#move-{moved}")
        move.locator("select[name=to]").select_option(c)
        move.locator("button:has-text('Move')").click()
        assert primary_theme_of(page, base, moved) == c

        linked = next(t for t in themes(page, base)
                      if any(l["framework_id"] == "keep-it-local" for l in t["links"]))
        link = next(l for l in linked["links"] if l["framework_id"] == "keep-it-local")
        page.goto(f"{base}/themes/{linked['id']}")
        page.click(f"button[aria-label='Reject link keep-it-local {link['item_id']}']")
        after = next(t for t in themes(page, base) if t["id"] == linked["id"])
        assert (link["framework_id"], link["item_id"]) not in {(l["framework_id"], l["item_id"]) for l in after["links"]}
        page.goto(f"{base}/frameworks")
        shot(page, artifacts, "08-frameworks")
        page.goto(f"{base}/decisions")
        assert page.locator("table tr").count() == 5
        shot(page, artifacts, "09-decisions")
        page.goto(f"{base}/review/redactions")
        shot(page, artifacts, "10-redactions")

        # -- re-run: the edits are kept ------------------------------------------------------------
        job = run_analysis(page, base)
        now_themes = themes(page, base)
        titles = {t["title"]: t for t in now_themes}
        assert NEW_TITLE in titles
        renamed = titles[NEW_TITLE]["id"]
        assert b not in [t["id"] for t in now_themes] or b == renamed
        assert primary_theme_of(page, base, moved) not in ("", renamed)
        again = next(t for t in now_themes if t["id"] == linked["id"] or
                     (linked["id"] == b and t["id"] == renamed))
        assert (link["framework_id"], link["item_id"]) not in {(l["framework_id"], l["item_id"]) for l in again["links"]}
        with open_store(project) as store:
            manifest = json.loads(store.db.execute("SELECT manifest FROM runs WHERE id=?",
                                                   (job["run_id"],)).fetchone()[0])
        assert len(manifest["review"]["applied"]) == 4 and manifest["review"]["skipped"] == []
        page.goto(f"{base}/themes")
        assert NEW_TITLE in page.inner_text("table.themes")
        shot(page, artifacts, "11-themes-after-rerun")

        # -- the report carries the new name -------------------------------------------------------
        page.goto(f"{base}/report")
        shot(page, artifacts, "12-report")
        with page.expect_download() as info:
            page.click("a:has-text('report.html')")
        text = Path(info.value.path()).read_text(encoding="utf-8")
        assert NEW_TITLE in text
        context.close()

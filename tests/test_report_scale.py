"""The report at national scale (issue 17), on stores of synthetic statements written straight into
SQLite (no pipeline, no models: 200,000 statements take seconds to build).

Checks that nothing in report.html or report.json grows with the number of statements (per-statement
rows go to statements.csv and statements.parquet, written from the store in chunks), that the report
step's work (Python calls, SQLite steps) grows linearly, and that Chromium opens the large report.html quickly.
"""
from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from tests.web_helpers import chromium

CHROMIUM = Path("/usr/bin/chromium")
SMALL, LARGE = 20_000, 200_000
FORMATS = ["html", "csv", "json", "parquet"]
WORDS = ("bus library park youth club housing rent doctor surgery school road pothole litter bin street light "
         "shop market job training volunteer care home carer garden allotment swimming pool bench toilet cafe "
         "community centre church mosque football pitch cycle lane parking train station night safe police "
         "neighbour lonely older young family children nursery broadband phone money food bank heating").split()
AREAS = ("Northgate", "Ryecroft", "Castlebeck", "Mill Lane", "Eastfield", "Hollins", "Kirkby", "Thornes")
SETTINGS = ("community", "school", "health", "online")
AGES = ("16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
ITEMS = ("kil-1", "kil-2", "kil-3", "kil-4", "kil-5", "kil-6")


def synthetic_store(project: Path, n_statements: int, n_themes: int = 40, per_conversation: int = 5, seed: int = 7):
    """A finished run ``r1`` over ``n_statements`` statements in ``n_statements / per_conversation``
    conversations, each statement primary in one of ``n_themes`` themes (sizes skewed like a real
    run's), with theme links, a statement link for every third statement and the run's coverage."""
    from kilvoice.store import open_store

    rng = random.Random(seed)
    store = open_store(project)
    db = store.db
    db.execute("BEGIN")
    db.execute("INSERT INTO runs (id, pipeline, started_at, finished_at, status)"
               " VALUES ('r1', 'scale.toml', '2026-12-01T10:00:00', '2026-12-01T10:10:00', 'done')")
    n_conv = n_statements // per_conversation
    db.execute("INSERT INTO files (id, path, sha256, size, status, n_notes, ingested_at)"
               " VALUES (1, 'notes.csv', ?, 1, 'ok', ?, '2026-12-01')", ("0" * 64, n_conv))
    db.executemany(
        "INSERT INTO conversations (id, file_id, content_hash, conversationalist_id, organisation, setting, area,"
        " postcode_district, date, age_band, consent_to_quote, status, created_at)"
        " VALUES (?, 1, ?, ?, 'Kelvale Voluntary Action', ?, ?, ?, ?, ?, ?, 'ok', '2026-12-01')",
        [(f"c{i:07d}", f"h{i}", f"CV-{i % 300}", SETTINGS[i % 4], AREAS[i % len(AREAS)], f"KV{i % 30}",
          f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", AGES[i % len(AGES)], int(i % 3 != 0)) for i in range(n_conv)])
    themes = [f"T{k + 1:02d}" for k in range(n_themes)]
    weights = [1 / (k + 2) for k in range(n_themes)]
    members: dict[str, list[tuple[float, str]]] = {t: [] for t in themes}
    statements, assignments = [], []
    for n in range(n_statements):
        cid = f"c{n // per_conversation:07d}"
        sid = f"{cid}-u{n % per_conversation}-s0"
        words = rng.choices(WORDS, k=rng.randint(4, 24))
        if n % 17 == 0:
            words.insert(1, "[PERSON_1]")
        theme = rng.choices(themes, weights)[0]
        score = round(rng.random(), 4)
        statements.append((sid, cid, n % per_conversation, 0, "strong" if n % 2 else "future",
                           " ".join(words).capitalize() + ".", f"th{n}"))
        assignments.append(("r1", sid, theme, score, 1))
        members[theme].append((score, sid))
    db.executemany("INSERT INTO statements (id, conversation_id, utterance_idx, idx, question, text, text_hash)"
                   " VALUES (?,?,?,?,?,?,?)", statements)
    db.executemany("INSERT INTO assignments (run_id, statement_id, theme_id, score, is_primary) VALUES (?,?,?,?,?)",
                   assignments)
    links, coverage_items = [], {i: [] for i in ITEMS}
    for k, t in enumerate(themes):
        ranked = [sid for _, sid in sorted(members[t], reverse=True)]
        members[t] = ranked
        keywords = [WORDS[(3 * k + j) % len(WORDS)] for j in range(6)]
        db.execute("INSERT INTO themes (run_id, id, title, description, keywords, size, n_conversations, parent,"
                   " stance, representative) VALUES ('r1', ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                   (t, f"{keywords[0].capitalize()} and {keywords[1]}", f"About {keywords[0]}.", json.dumps(keywords),
                    len(ranked), len({s.split("-")[0] for s in ranked}),
                    json.dumps({"strength": len(ranked) // 2, "problem": len(ranked) // 3}), json.dumps(ranked)))
        for item in (ITEMS[k % 6], ITEMS[(k + 1) % 6]):
            links.append(("r1", "theme", t, "keep-it-local", item, 0.5 + k / 100, json.dumps(ranked[:10]), "similar"))
            coverage_items[item].append(t)
    for n, (sid, *_rest) in enumerate(statements[::3]):
        links.append(("r1", "statement", sid, "keep-it-local", ITEMS[n % 6], 0.4, json.dumps([sid]), "near"))
    db.executemany("INSERT INTO links (run_id, source_kind, source_id, framework_id, item_id, score, evidence,"
                   " rationale) VALUES (?,?,?,?,?,?,?,?)", links)
    coverage = {"frameworks": {"keep-it-local": {"title": "Keep it Local principles", "items": [
        {"id": i, "title": f"Principle {i}", "linked_themes": coverage_items[i], "n_conversations": n_conv // 6,
         "areas": {a: n_conv // 48 for a in AREAS}, "settings": {s: n_conv // 24 for s in SETTINGS}, "gap": False}
        for i in ITEMS]}}, "unmapped_themes": []}
    manifest = {"run_id": "r1", "config": {"project": {"title": "National listening"},
                                           "map": {"frameworks": ["keep-it-local"]}}, "coverage": coverage}
    db.execute("UPDATE runs SET manifest=? WHERE id='r1'", (json.dumps(manifest),))
    db.execute("COMMIT")
    return store


def _report(project: Path, out: Path) -> dict:
    """The work the report step (context and every writer) does on ``project``'s run, counted rather
    than timed so that a loaded machine cannot change it: Python function calls (cProfile) and
    SQLite virtual-machine steps (a progress handler called every 1,000 instructions)."""
    import cProfile
    import pstats

    from kilvoice.report import StandardReport
    from kilvoice.store import open_store

    store = open_store(project)
    steps = [0]

    def tick():
        steps[0] += 1
        return 0

    store.db.set_progress_handler(tick, 1000)
    profile = cProfile.Profile()
    try:
        start = time.perf_counter()
        profile.enable()
        StandardReport(formats=FORMATS).run(store, "r1", out)
        profile.disable()
        return {"seconds": time.perf_counter() - start, "python_calls": pstats.Stats(profile).total_calls,
                "sqlite_steps": steps[0] * 1000}
    finally:
        store.db.set_progress_handler(None, 0)
        store.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The report of a 20,000- and a 200,000-statement run: {size: (output folder, work counts)}."""
    import kilvoice.topics.stability  # noqa: F401  (imported by the pipeline before its report step)

    base = tmp_path_factory.mktemp("scale")
    out = {}
    for n in (SMALL, LARGE):
        synthetic_store(base / f"p{n}", n).close()
        if n == SMALL:
            _report(base / f"p{n}", base / f"warm{n}")  # the first report imports and caches: not timed
        out[n] = (base / f"out{n}", _report(base / f"p{n}", base / f"out{n}"))
    return out


@pytest.mark.slow
def test_committee_documents_do_not_grow_with_statements(reports):
    small, large = reports[SMALL][0], reports[LARGE][0]
    for name in ("report.html", "report.json"):
        a, b = (small / name).stat().st_size, (large / name).stat().st_size
        assert b < 5_000_000, f"{name} is {b} bytes at {LARGE} statements"
        assert b < 1.2 * a, f"{name} grew from {a} to {b} bytes with 10x the statements"
    data = json.loads((large / "report.json").read_text(encoding="utf-8"))
    assert data["summary"]["statements"] == LARGE and "statements" not in data
    assert len(data["links"]) == 80 and data["summary"]["statement_links"] == len(range(0, LARGE, 3))
    assert all(len(t["quotes"]) == 3 for t in data["themes"])


@pytest.mark.slow
def test_per_statement_rows_are_all_in_the_csv_and_parquet(reports):
    import pyarrow.parquet as pq

    out = reports[LARGE][0]
    table = pq.read_table(out / "statements.parquet", columns=["statement_id", "primary_theme_id", "link_ids"])
    assert table.num_rows == LARGE
    ids = table.column("statement_id").to_pylist()
    assert ids == sorted(ids) and len(set(ids)) == LARGE
    assert sum(1 for links in table.column("link_ids").to_pylist() if links) >= LARGE // 3
    with (out / "statements.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == LARGE + 1
    with (out / "mapping.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 1 + 80 + len(range(0, LARGE, 3))


@pytest.mark.slow
def test_report_step_work_grows_linearly(reports):
    small, large = reports[SMALL][1], reports[LARGE][1]
    # 10x the statements: linear work is about 10x (less, with fixed costs); quadratic work 100x.
    # Counted, not timed (wall time on a shared CI machine varied 11x-18x for the same code).
    for kind in ("python_calls", "sqlite_steps"):
        assert large[kind] < 12 * small[kind], (
            f"{kind}: {small[kind]:,} at {SMALL:,} statements, {large[kind]:,} at {LARGE:,}")


@pytest.fixture(scope="module")
def browser():
    yield from chromium(str(CHROMIUM))


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium "
                                                  "(apt-get install chromium; .ci/run does this)")
def test_large_report_opens_in_chromium_in_seconds(browser, reports):
    page = browser.new_page()
    try:
        start = time.perf_counter()
        page.goto((reports[LARGE][0] / "report.html").as_uri(), wait_until="load", timeout=30_000)
        page.evaluate("document.body.getBoundingClientRect().height")  # layout done
        took = time.perf_counter() - start
        assert page.locator("section.theme").count() == 40
    finally:
        page.close()
    assert took < 10, f"report.html of {LARGE} statements took {took:.1f} s to open"


def test_web_app_reads_a_themes_statements_and_the_statement_links_a_page_at_a_time(tmp_path):
    from kilvoice.web.context import link_rows, theme_statement_count, theme_statements, web_context

    store = synthetic_store(tmp_path / "p", 3_000)
    try:
        ctx = web_context(store, "r1")
        theme = ctx["themes"][0]
        total = theme_statement_count(store, ctx, theme["id"])
        assert total == theme["size"] > 100
        pages = [theme_statements(store, ctx, theme["id"], page, per_page=100) for page in range(1, total // 100 + 2)]
        assert [len(p) for p in pages[:-1]] == [100] * (len(pages) - 1) and 0 < len(pages[-1]) <= 100
        rows = [r for p in pages for r in p]
        assert len({r["id"] for r in rows}) == total  # every statement once, no page overlaps
        assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
        first, second = link_rows(store, ctx, 1, per_page=50), link_rows(store, ctx, 2, per_page=50)
        assert sum(r["source_kind"] == "theme" for r in first) == 80 and len(first) == 80 + 50
        assert len(second) == 50 and {r["source_kind"] for r in second} == {"statement"}
        assert not {r["source_id"] for r in first} & {r["source_id"] for r in second}
    finally:
        store.close()


def test_workbook_sheets_stop_at_their_row_limit_and_say_where_the_rest_are(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from kilvoice.report import tabular

    synthetic_store(tmp_path / "p", 1_000).close()
    monkeypatch.setattr(tabular, "XLSX_ROWS", 300)
    from kilvoice.report import write_report

    write_report(tmp_path / "p", tmp_path / "out", formats=["xlsx"])
    ws = load_workbook(tmp_path / "out" / "report.xlsx")["Statements"]
    assert ws.max_row == 1 + 300 + 1
    assert ws.cell(row=302, column=1).value == "700 more rows: see statements.csv or statements.parquet"


def test_link_sources_say_what_links_says(tmp_path):
    """The report context reads only where statement links point (``link_sources``): the same
    links in the same order as ``links``, with theme links whole and numbered as ``links`` numbers them."""
    from kilvoice.report.rows import RunRows

    store = synthetic_store(tmp_path / "p", 3_000)
    try:
        sids = [r[0] for r in store.db.execute("SELECT id FROM statements")]
        rows = RunRows(store, "r1", set(), set(), set(), {})
        left_out = set(sids[::7])  # some evidence is not analysed
        rows.conversation_of = {s: c for s, c in rows.conversation_of.items() if s not in left_out}
        full, light = list(rows.links()), list(rows.link_sources())
        assert len(full) == len(light) > 1_000
        assert [(l["source_kind"], l["framework_id"], l["item_id"], l["source_id"]) for l in full] == \
            [s[:4] for s in light]
        themed = [(l, s[4]) for l, s in zip(full, light) if l["source_kind"] == "theme"]
        assert themed and all(a == b and list(a) == list(b) for a, b in themed)
        assert all(s[4] is None for s in light if s[0] != "theme")
    finally:
        store.close()

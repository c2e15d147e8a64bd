"""The analyst exports (statements.csv, report.xlsx, statements.parquet and the other tables) written
together in one pass over the store's rows (``kilvoice.report.tabular.write_tables``): the same
files as writing each format on its own, the three per-statement outputs agreeing row for row, the
workbook's row cap, and the workbook's fast row path (``append_row``) against xlsxwriter's own cell
writer on hostile text."""
from __future__ import annotations

import csv
import math
import re

import pytest

from tests.report_helpers import HOSTILE
from tests.test_report_scale import synthetic_store

ODD = HOSTILE + ["<r><t>rich</t></r>", "_x0041_ stays", "a & b < c > d", " leading", "trailing ", "tab\there",
                 "line\r\nbreak\n", "caf\u00e9 \u2014 \u00a0nbsp\u00a0", "emoji \U0001F600", "bell\x07gone", "", "-5",
                 "x" * 20_000]

_EXCEL_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


@pytest.fixture(scope="module")
def store_with_hostile_text(tmp_path_factory):
    project = tmp_path_factory.mktemp("tables") / "p"
    store = synthetic_store(project, 1_000)
    ids = [r[0] for r in store.db.execute("SELECT id FROM statements ORDER BY id LIMIT ?", (len(ODD),))]
    with store.transaction() as db:
        db.executemany("UPDATE statements SET text=? WHERE id=?", list(zip(ODD, ids)))
    store.close()
    return project


def _sheet(path, title):
    """A sheet's values as Excel shows them: a carriage return is stored as ``_x000D_`` and text like
    ``_x0041_`` as ``_x005F_x0041_`` (else Excel would show "A"); openpyxl does not undo these."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return [tuple("" if c.value is None else _EXCEL_ESCAPE.sub(lambda m: chr(int(m[1], 16)), c.value)
                  if isinstance(c.value, str) else c.value for c in row) for row in wb[title].iter_rows()]


def _csv(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_one_pass_writes_the_same_files_as_one_format_at_a_time(store_with_hostile_text, tmp_path):
    from kilvoice.report import write_report

    together = tmp_path / "together"
    write_report(store_with_hostile_text, together, formats=["csv", "xlsx", "parquet"])
    for fmt in ("csv", "xlsx", "parquet"):
        alone = tmp_path / fmt
        write_report(store_with_hostile_text, alone, formats=[fmt])
        for path in alone.iterdir():
            if path.suffix == ".xlsx":
                for title in ("Themes", "Statements", "Links", "Key issues", "Decision log"):
                    assert _sheet(path, title) == _sheet(together / path.name, title), title
            else:
                assert path.read_bytes() == (together / path.name).read_bytes(), path.name
    assert not list(together.glob("*.tmp"))


def test_the_three_statement_outputs_agree_row_for_row(store_with_hostile_text, tmp_path):
    import pyarrow.parquet as pq

    from kilvoice.report import write_report
    from kilvoice.report.render import safe_cell

    write_report(store_with_hostile_text, tmp_path, formats=["parquet", "xlsx", "csv"])
    rows = _csv(tmp_path / "statements.csv")
    sheet = _sheet(tmp_path / "report.xlsx", "Statements")
    table = pq.read_table(tmp_path / "statements.parquet").to_pylist()
    assert len(rows) == len(sheet) == len(table) + 1 == 1_001
    assert rows[0] == list(sheet[0]) == ["statement_id", "conversation_id", "question", "text", "theme_ids",
                                         "scores", "link_ids", "publishable"]
    long_text = 0
    for line, cells, record in zip(rows[1:], sheet[1:], table):
        assert line[0] == cells[0] == record["statement_id"]
        assert line[4] == cells[4] == ";".join(record["theme_ids"])
        assert line[6] == cells[6] == ";".join(record["link_ids"])
        assert line[3] == safe_cell(record["text"])  # the CSV and the sheet neutralise formulas; Parquet is typed
        if len(line[3]) > 16_000:
            long_text += 1
            assert cells[3] == line[3][:32_767]  # Excel's cell limit: the whole text is in the CSV
        else:
            assert cells[3] == line[3], record["statement_id"]
    assert long_text == 1
    texts = {r["text"] for r in table}
    assert "<r><t>rich</t></r>" in texts and any(t.startswith("'=HYPERLINK") for t in (r[3] for r in rows))


def test_a_full_sheet_stops_but_the_csv_goes_on(store_with_hostile_text, tmp_path, monkeypatch):
    from kilvoice.report import tabular, write_report

    monkeypatch.setattr(tabular, "XLSX_ROWS", 250)
    write_report(store_with_hostile_text, tmp_path, formats=["xlsx", "csv"])
    statements = _sheet(tmp_path / "report.xlsx", "Statements")
    assert len(statements) == 1 + 250 + 1
    assert statements[-1][0] == "750 more rows: see statements.csv or statements.parquet"
    assert [r[0] for r in statements[1:-1]] == [r[0] for r in _csv(tmp_path / "statements.csv")[1:251]]
    links = _sheet(tmp_path / "report.xlsx", "Links")
    n_links = len(_csv(tmp_path / "mapping.csv")) - 1
    assert n_links > 250 and len(links) == 252
    assert links[-1][0] == f"{n_links - 250} more rows: see mapping.csv"
    assert len(_csv(tmp_path / "statements.csv")) == 1_001


def test_report_v2_stops_workbook_sheets_at_its_row_cap_and_v1_does_not(store_with_hostile_text, tmp_path):
    """kilvoice.report.standard.v2 (``xlsx_rows``): the sheets stop at the cap with a row counting the
    rest; the CSV files, Parquet and the sheets' first rows are v1's."""
    import pyarrow.parquet as pq

    from kilvoice import registry
    from kilvoice.errors import KilvoiceError
    from kilvoice.report import choose_run
    from kilvoice.store import open_store

    store = open_store(store_with_hostile_text)
    run = choose_run(store)["id"]
    out = {}
    for name, settings in (("v1", {}), ("v2", {"xlsx_rows": 300})):
        out[name] = tmp_path / name
        registry.create(f"kilvoice.report.standard.{name}", formats=["xlsx", "csv", "parquet"], **settings).run(
            store, run, out[name])
    store.close()
    v1, v2 = (_sheet(out[n] / "report.xlsx", "Statements") for n in ("v1", "v2"))
    assert len(v1) == 1 + 1_000 and len(v2) == 1 + 300 + 1
    assert v2[:301] == v1[:301] and v2[-1][0] == "700 more rows: see statements.csv or statements.parquet"
    for f in ("statements.csv", "mapping.csv", "themes.csv"):
        assert (out["v1"] / f).read_bytes() == (out["v2"] / f).read_bytes()
    assert pq.read_table(out["v1"] / "statements.parquet").equals(pq.read_table(out["v2"] / "statements.parquet"))
    assert registry.create("kilvoice.report.standard.v2").xlsx_rows == 25_000
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.report.standard.v2", xlsx_rows=0)
    assert err.value.code == "K975"


def test_fast_rows_read_back_like_xlsxwriters_own_cells(tmp_path):
    """append_row writes the XML of a row in one string; read back it must equal the cells xlsxwriter
    writes one by one (its escaping of control characters, _xHHHH_ text, whitespace, long text)."""
    import xlsxwriter

    from kilvoice.report.render import safe_cell
    from kilvoice.report.tabular import _sheet_class

    rows = [[text, 3, -0.25, 1e-7, True, None] for text in ODD] + [[math.nan, "after nan", 2 ** 40, 0.1 + 0.2, "", 1]]
    for name, fast in (("fast", True), ("slow", False)):
        wb = xlsxwriter.Workbook(str(tmp_path / f"{name}.xlsx"), {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "nan_inf_to_errors": True})
        ws = wb.add_worksheet("S", worksheet_class=_sheet_class())
        ws.write_string(0, 0, "header", wb.add_format({"bold": True}))
        for r, row in enumerate(rows, 1):
            safe = [safe_cell(v) for v in row]
            if fast:
                ws.append_row(r, row, safe)
            else:
                ws._append_slowly(r, row, safe)
        wb.close()
    fast, slow = _sheet(tmp_path / "fast.xlsx", "S"), _sheet(tmp_path / "slow.xlsx", "S")
    assert fast == slow
    assert fast[ODD.index("<r><t>rich</t></r>") + 1][0] == "<r><t>rich</t></r>"  # text, not rich-text markup
    assert fast[ODD.index("_x0041_ stays") + 1][0] == "_x0041_ stays"
    assert fast[1][1:5] == (3, -0.25, 1e-7, "True")


def test_every_sheet_keeps_its_bold_frozen_header_and_wide_text_columns(store_with_hostile_text, tmp_path):
    from openpyxl import load_workbook

    from kilvoice.report import write_report

    write_report(store_with_hostile_text, tmp_path, formats=["xlsx"])
    wb = load_workbook(tmp_path / "report.xlsx")
    assert wb.sheetnames == ["Themes", "Statements", "Links", "Key issues", "Decision log"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.b for c in ws[1]) and not any(c.font.b for c in ws[2] if c.value is not None), ws.title
    text = wb["Statements"].column_dimensions["D"].width  # "text"
    assert text >= 60 > 20 >= wb["Statements"].column_dimensions["A"].width >= 16

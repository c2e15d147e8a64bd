"""Exports for analysts: CSV files, one XLSX workbook with a sheet per table, statements.parquet and
report.json (the committee findings of the run, schema in docs/REPORT_SCHEMA.md). Per-statement
rows are streamed from the store (:mod:`kilvoice.report.rows`), never held in memory. Every text cell goes through
:func:`~kilvoice.report.render.safe_cell` (formula injection and control characters).
"""
from __future__ import annotations

import csv
import json
from math import isfinite
from pathlib import Path

from kilvoice.errors import KilvoiceError
from kilvoice.records import UNSTATED
from kilvoice.report.render import clean_text, lookups, safe_cell


def _tables(ctx: dict) -> dict[str, tuple[list[str], object]]:
    """Every exported table: name -> (header, iterable of (row, source)). Values are plain str / int /
    float; ``source`` is the statement record a statements row came from (for statements.parquet),
    else None. Per-statement tables are generators over the store: written a chunk at a time."""
    look = lookups(ctx)
    out: dict[str, tuple[list[str], object]] = {}
    out["themes"] = (
        ["theme_id", "title", "description", "keywords", "statements", "conversations", "prevalence",
         "strengths", "problems", "aspirations", "parent", "kind", "signed_off", "areas", "quote_statement_ids",
         "unstated"],  # unstated: statements saying no clear stance (cues.v2; 0 in runs read as cues.v1)
        [([t["id"], t["title"], t["description"], "; ".join(t["keywords"]), t["size"], t["n_conversations"],
           t["band"], t["stance"].get("strength", 0), t["stance"].get("problem", 0),
           t["stance"].get("aspiration", 0), t["parent"] or "", t.get("kind", ""),
           "yes" if t.get("signed_off") else "no",
           "; ".join(f"{a} ({n})" for a, n in t["areas"].items()),
           ";".join(q["statement_id"] for q in t["quotes"]), t["stance"].get(UNSTATED, 0)], None)
         for t in ctx["themes"]])
    rows = ctx["_rows"]
    out["statements"] = (
        ["statement_id", "conversation_id", "question", "text", "theme_ids", "scores", "link_ids", "publishable"],
        (([st["id"], st["conversation_id"], st["question"] or "", st["text"], ";".join(st["theme_ids"]),
           ";".join(f"{a['score']:.3f}" for a in st["themes"]), ";".join(st["link_ids"]),
           "yes" if st["publishable"] else "no"], st) for st in rows.statement_rows()))
    out["mapping"] = (
        ["link_id", "source_kind", "source_id", "source_title", "framework_id", "item_id", "item_title", "score",
         "evidence", "rationale", "status"],
        (([link["id"], link["source_kind"], link["source_id"],
           look["theme_titles"].get(link["source_id"], "") if link["source_kind"] == "theme" else "",
           link["framework_id"], link["item_id"], look["item_titles"].get((link["framework_id"], link["item_id"]), ""),
           round(float(link["score"]), 4), ";".join(link["evidence"]), link["rationale"], link.get("status") or "link"],
          None) for link in rows.links()))
    out["key_issues"] = (
        ["issue_id", "theme_id", "theme", "group", "prevalence", "conversations", "statements",
         "linked_objectives", "suggested_owner", "status"],
        [([k["id"], k["theme_id"], k["theme"], k["group"], k["band"], k["conversations"], k["statements"],
           "; ".join(f"{o['framework_id']}:{o['item_id']} {o['title']}" for o in k["objectives"]),
           k["owner"], k["status"]], None) for k in ctx["key_issues"]])
    out["decisions"] = (
        ["decision_id", "created_at", "user", "kind", "run_id", "decision", "reason"],
        [([d["id"], d["created_at"], d["user"], d["kind"], d["run_id"] or "", d["decision"], d["reason"]], None)
         for d in ctx["decisions"]])
    if ctx.get("_not_in_english"):  # segment v5: what was left out as another language, for translation
        out["not_in_english"] = (
            ["statement_id", "conversation_id", "code", "language", "text"],
            [([r["id"], r["conversation_id"], r["code"], r["language"], r["text"]], None)
             for r in ctx["_not_in_english"]])
    if ctx.get("comparison"):
        out["comparison"] = (
            ["status", "theme_id", "title", "earlier_theme_id", "earlier_title", "conversations", "earlier_conversations",
             "share", "earlier_share", "similarity", "matched_by"],
            [([c["status"], c.get("theme_id") or "", c.get("title") or "", c.get("earlier_theme_id") or "",
               c.get("earlier_title") or "", c.get("conversations", 0), c.get("earlier_conversations", 0),
               c.get("share", 0.0), c.get("earlier_share", 0.0), c.get("similarity", 0.0), c.get("matched_by", "")],
              None) for c in ctx["comparison"]["themes"]])
    return out


def tables(ctx: dict) -> dict[str, tuple[list[str], object]]:
    """Every exported table: name -> (header, rows). Values are plain str / int / float."""
    return {name: (header, (row for row, _ in items)) for name, (header, items) in _tables(ctx).items()}


TABULAR = ("csv", "xlsx", "parquet")  # written together by write_tables: one pass over the store's rows
SHEET_TITLES = {"themes": "Themes", "statements": "Statements", "mapping": "Links", "key_issues": "Key issues",
                "decisions": "Decision log", "comparison": "Comparison",
                "not_in_english": "Not in English"}
WIDE = ("text", "description", "linked_objectives", "rationale", "reason")  # 60 characters wide in the workbook
XLSX_ROWS = 100_000  # rows a sheet holds (Excel's limit is 1,048,575); the rest are counted, not written
PARQUET_BATCH = 20_000


def write_tables(ctx: dict, out: Path, formats, xlsx_rows: int | None = None) -> list[Path]:
    """The analyst exports among ``formats`` (csv, xlsx, parquet) in one pass over every table: each
    row is read from the store once and made safe (:func:`safe_cell`) once, then goes to its CSV
    file, its workbook sheet and (a statement) statements.parquet. Files appear only when complete.
    ``xlsx_rows``: rows a workbook sheet holds (default ``XLSX_ROWS``)."""
    out = Path(out)
    sinks: list = [_Csv(out)] if "csv" in formats else []
    xlsx = _Xlsx(out, xlsx_rows) if "xlsx" in formats else None
    sinks += [xlsx] if xlsx else []
    parquet = _Parquet(out) if "parquet" in formats else None
    try:
        for name, (header, items) in _tables(ctx).items():
            if not sinks:
                if name == "statements" and parquet:
                    for _, st in items:
                        parquet.add(st)
                continue
            for sink in sinks:
                sink.begin(name, header)
            live = list(sinks)
            for row, source in items:
                if live:
                    safe = [safe_cell(v) for v in row]
                    for sink in live:
                        sink.row(row, safe)
                if xlsx is not None and xlsx.full:  # the sheet is full: the rest are counted, not written
                    if xlsx in live:
                        live.remove(xlsx)
                    else:
                        xlsx.more += 1
                if source is not None and parquet:
                    parquet.add(source)
            for sink in sinks:
                sink.end()
        return [path for sink in sinks + ([parquet] if parquet else []) for path in sink.close()]
    except BaseException:
        for sink in sinks + ([parquet] if parquet else []):
            sink.abort()
        raise


class _Csv:
    """A CSV file per table (``<name>.csv``), written to ``.csv.tmp`` and renamed when complete."""

    def __init__(self, out: Path):
        self.out, self.fh, self.done = out, None, []

    def begin(self, name: str, header: list[str]) -> None:
        self.path = self.out / f"{name}.csv"
        self.tmp = self.path.with_suffix(".csv.tmp")
        self.fh = self.tmp.open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.fh)
        self.writer.writerow(header)

    def row(self, row: list, safe: list[str]) -> None:
        self.writer.writerow(safe)

    def end(self) -> None:
        self.fh.close()
        self.fh = None
        self.tmp.replace(self.path)
        self.done.append(self.path)

    def close(self) -> list[Path]:
        return self.done

    def abort(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.tmp.unlink(missing_ok=True)


class _Xlsx:
    """report.xlsx: a sheet per table, bold header row, frozen under the header, text columns wide.
    Written by xlsxwriter in its constant-memory mode (each row goes to disk once the next starts).
    Text cells are strings after safe_cell, never formulas, numbers or links. A table longer than
    ``XLSX_ROWS`` (the statements and links of a national run) stops there with a row saying how
    many more are in its CSV."""

    def __init__(self, out: Path, rows: int | None = None):
        self.rows = rows
        try:
            import xlsxwriter
        except ImportError:
            raise KilvoiceError("K901", fmt="xlsx", package="xlsxwriter") from None
        self.path = out / "report.xlsx"
        self.tmp = out / "report.xlsx.tmp"
        self.wb = xlsxwriter.Workbook(str(self.tmp), {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False, "nan_inf_to_errors": True})
        self.bold = self.wb.add_format({"bold": True})
        self.full = False

    def begin(self, name: str, header: list[str]) -> None:
        self.name = name
        self.ws = self.wb.add_worksheet(SHEET_TITLES.get(name, name), worksheet_class=_sheet_class())
        self.ws.freeze_panes(1, 0)
        for c, head in enumerate(header):
            self.ws.set_column(c, c, 60 if head in WIDE else 16)
            self.ws.write_string(0, c, safe_cell(head), self.bold)
        self.r, self.more, self.full, self.cap = 1, 0, False, XLSX_ROWS if self.rows is None else self.rows

    def row(self, row: list, safe: list[str]) -> None:
        self.ws.append_row(self.r, row, safe)
        self.r += 1
        self.full = self.r > self.cap

    def end(self) -> None:
        if self.more:
            self.ws.write_string(self.r, 0, safe_cell(f"{self.more} more rows: see {self.name}.csv" + (
                " or statements.parquet" if self.name == "statements" else "")))

    def close(self) -> list[Path]:
        self.wb.close()
        self.tmp.replace(self.path)
        return [self.path]

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


_SHEET = None


def _sheet_class():
    """xlsxwriter's worksheet (constant-memory mode) with ``append_row``: a whole row of text and
    numbers written as the XML xlsxwriter would write for it, cell by cell, in one string (the
    per-cell bookkeeping was most of the report's time). A string shaped like rich text
    (``<r>...</r>``) is escaped like any other (xlsxwriter would write it into the XML as it is)."""
    global _SHEET
    if _SHEET is None:
        from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
        from xlsxwriter.worksheet import Worksheet

        columns = [xl_col_to_name(c) for c in range(64)]

        class Sheet(Worksheet):
            def _xml_rich_inline_string(self, string, attributes=[]):  # noqa: B006 - xlsxwriter's signature
                self._xml_inline_string(string, _preserve_whitespace(string), attributes)

            def append_row(self, r: int, row: list, safe: list[str]) -> None:
                """Row ``r`` (0-based, after any written with write_*): numbers as numbers, the rest
                as the inline strings ``safe``; empty strings leave the cell empty."""
                if len(row) > len(columns) or max(map(len, safe)) > 16_000:
                    return self._append_slowly(r, row, safe)  # xlsxwriter's own path truncates long text
                n = str(r + 1)
                out = ['<row r="', n, '">']
                for c, value in enumerate(row):
                    if value.__class__ is not str and isinstance(value, (int, float)) \
                            and not isinstance(value, bool):
                        if not isfinite(value):
                            return self._append_slowly(r, row, safe)  # xlsxwriter's error cell
                        out.append(f'<c r="{columns[c]}{n}"><v>{value:.16G}</v></c>')
                        continue
                    text = safe[c]
                    if not text:
                        continue
                    if "_x" in text or not text.isprintable():
                        text = self._escape_control_characters(text)
                    if "&" in text or "<" in text or ">" in text:
                        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
                    out.append(f'<c r="{columns[c]}{n}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
                self._write_single_row(r)  # whatever is pending (the header row) goes first
                self._check_dimensions(r, len(row) - 1)
                self._check_dimensions(r, 0)
                out.append("</row>")
                self.fh.write("".join(out))

            def _append_slowly(self, r: int, row: list, safe: list[str]) -> None:
                for c, value in enumerate(row):
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        self.write_number(r, c, value)
                    elif safe[c]:
                        self.write_string(r, c, safe[c])

        _SHEET = Sheet
    return _SHEET


class _Parquet:
    """``statements.parquet``: one row per analysed statement (the columns of statements.csv, with
    ``theme_ids``, ``scores`` and ``link_ids`` as lists and ``primary_theme_id``), written in batches.
    Text is stored as it is (no spreadsheet escaping: Parquet cells are typed)."""

    def __init__(self, out: Path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        self.schema = pa.schema([
            ("statement_id", pa.string()), ("conversation_id", pa.string()), ("utterance_idx", pa.int32()),
            ("idx", pa.int32()), ("question", pa.string()), ("text", pa.string()), ("text_hash", pa.string()),
            ("primary_theme_id", pa.string()), ("theme_ids", pa.list_(pa.string())),
            ("scores", pa.list_(pa.float32())), ("link_ids", pa.list_(pa.string())), ("publishable", pa.bool_())])
        self.path = out / "statements.parquet"
        self.tmp = self.path.with_suffix(".parquet.tmp")
        self.cols: dict[str, list] = {name: [] for name in self.schema.names}
        self.writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")

    def add(self, st: dict) -> None:
        cols = self.cols
        for name, value in (("statement_id", st["id"]), ("conversation_id", st["conversation_id"]),
                            ("utterance_idx", st["utterance_idx"]), ("idx", st["idx"]),
                            ("question", st["question"]), ("text", st["text"]), ("text_hash", st["text_hash"]),
                            ("primary_theme_id", st["theme_ids"][0] if st["theme_ids"] else None),
                            ("theme_ids", st["theme_ids"]), ("scores", [a["score"] for a in st["themes"]]),
                            ("link_ids", st["link_ids"]), ("publishable", st["publishable"])):
            cols[name].append(value)
        if len(cols["statement_id"]) >= PARQUET_BATCH:
            self._flush()

    def _flush(self) -> None:
        self.writer.write_table(self.pa.Table.from_pydict(self.cols, schema=self.schema))
        for v in self.cols.values():
            v.clear()

    def close(self) -> list[Path]:
        self._flush()
        self.writer.close()
        self.tmp.replace(self.path)
        return [self.path]

    def abort(self) -> None:
        self.writer.close()
        self.tmp.unlink(missing_ok=True)


def write_csvs(ctx: dict, out: Path) -> list[Path]:
    return write_tables(ctx, out, ["csv"])


def write_xlsx(ctx: dict, out: Path) -> list[Path]:
    return write_tables(ctx, out, ["xlsx"])


def write_parquet(ctx: dict, out: Path) -> list[Path]:
    return write_tables(ctx, out, ["parquet"])


def model(ctx: dict) -> dict:
    """The committee findings of the run as JSON-ready data (documented in docs/REPORT_SCHEMA.md):
    nothing in it grows with the number of statements; per-statement rows are in ``ctx["files"]``."""
    data = {k: v for k, v in ctx.items() if not k.startswith("_") and k != "links"}
    data["links"] = [{k: v for k, v in link.items() if k != "run_id"} for link in ctx["links"]]
    return data


def write_json(ctx: dict, out: Path) -> list[Path]:
    path = Path(out) / "report.json"
    text = clean_text(json.dumps(model(ctx), indent=2, default=str, ensure_ascii=False))
    # <, > and & as JSON escapes: the same data, and inert if the file is ever pasted into a page
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    path.write_text(text, encoding="utf-8")
    return [path]

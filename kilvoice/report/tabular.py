"""Exports for analysts: CSV files, one XLSX workbook with a sheet per table, statements.parquet and
report.json (the committee findings of the run, schema in docs/REPORT_SCHEMA.md). Per-statement
rows are streamed from the store (:mod:`kilvoice.report.rows`), never held in memory. Every text cell goes through
:func:`~kilvoice.report.render.safe_cell` (formula injection and control characters).
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from kilvoice.report.render import clean_text, lookups, safe_cell


def tables(ctx: dict) -> dict[str, tuple[list[str], list[list]]]:
    """Every exported table: name -> (header, rows). Values are plain str / int / float."""
    look = lookups(ctx)
    out: dict[str, tuple[list[str], list[list]]] = {}
    out["themes"] = (
        ["theme_id", "title", "description", "keywords", "statements", "conversations", "prevalence",
         "strengths", "problems", "aspirations", "parent", "kind", "signed_off", "areas", "quote_statement_ids"],
        [[t["id"], t["title"], t["description"], "; ".join(t["keywords"]), t["size"], t["n_conversations"],
          t["band"], t["stance"].get("strength", 0), t["stance"].get("problem", 0),
          t["stance"].get("aspiration", 0), t["parent"] or "", t.get("kind", ""),
          "yes" if t.get("signed_off") else "no",
          "; ".join(f"{a} ({n})" for a, n in t["areas"].items()),
          ";".join(q["statement_id"] for q in t["quotes"])] for t in ctx["themes"]])
    rows = ctx["_rows"]
    # per-statement tables are generators over the store: written a chunk at a time, never held
    out["statements"] = (
        ["statement_id", "conversation_id", "question", "text", "theme_ids", "scores", "link_ids", "publishable"],
        ([st["id"], st["conversation_id"], st["question"] or "", st["text"], ";".join(st["theme_ids"]),
          ";".join(f"{a['score']:.3f}" for a in st["themes"]), ";".join(st["link_ids"]),
          "yes" if st["publishable"] else "no"] for st in rows.statement_rows()))
    out["mapping"] = (
        ["link_id", "source_kind", "source_id", "source_title", "framework_id", "item_id", "item_title", "score",
         "evidence", "rationale", "status"],
        ([link["id"], link["source_kind"], link["source_id"],
          look["theme_titles"].get(link["source_id"], "") if link["source_kind"] == "theme" else "",
          link["framework_id"], link["item_id"], look["item_titles"].get((link["framework_id"], link["item_id"]), ""),
          round(float(link["score"]), 4), ";".join(link["evidence"]), link["rationale"], link.get("status") or "link"]
         for link in rows.links()))
    out["key_issues"] = (
        ["issue_id", "theme_id", "theme", "group", "prevalence", "conversations", "statements",
         "linked_objectives", "suggested_owner", "status"],
        [[k["id"], k["theme_id"], k["theme"], k["group"], k["band"], k["conversations"], k["statements"],
          "; ".join(f"{o['framework_id']}:{o['item_id']} {o['title']}" for o in k["objectives"]),
          k["owner"], k["status"]] for k in ctx["key_issues"]])
    out["decisions"] = (
        ["decision_id", "created_at", "user", "kind", "run_id", "decision", "reason"],
        [[d["id"], d["created_at"], d["user"], d["kind"], d["run_id"] or "", d["decision"], d["reason"]]
         for d in ctx["decisions"]])
    if ctx.get("comparison"):
        out["comparison"] = (
            ["status", "theme_id", "title", "earlier_theme_id", "earlier_title", "conversations", "earlier_conversations",
             "share", "earlier_share", "similarity", "matched_by"],
            [[c["status"], c.get("theme_id") or "", c.get("title") or "", c.get("earlier_theme_id") or "",
              c.get("earlier_title") or "", c.get("conversations", 0), c.get("earlier_conversations", 0),
              c.get("share", 0.0), c.get("earlier_share", 0.0), c.get("similarity", 0.0), c.get("matched_by", "")]
             for c in ctx["comparison"]["themes"]])
    return out


def _write_csv(path: Path, header: list[str], rows) -> Path:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow([safe_cell(v) for v in row])
    tmp.replace(path)
    return path


def write_csvs(ctx: dict, out: Path) -> list[Path]:
    return [_write_csv(Path(out) / f"{name}.csv", header, rows) for name, (header, rows) in tables(ctx).items()]


SHEET_TITLES = {"themes": "Themes", "statements": "Statements", "mapping": "Links", "key_issues": "Key issues",
                "decisions": "Decision log", "comparison": "Comparison"}


XLSX_ROWS = 100_000  # rows a sheet holds (Excel's limit is 1,048,575; openpyxl holds every cell in memory)


def write_xlsx(ctx: dict, out: Path) -> list[Path]:
    """One workbook, a sheet per table, streamed (openpyxl's write-only mode: rows go to disk as they
    come). Text cells are forced to the string type after safe_cell. A table longer than
    ``XLSX_ROWS`` (the statements and links of a national run) stops there with a row saying how
    many more are in its CSV."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, (header, rows) in tables(ctx).items():
        ws = wb.create_sheet(SHEET_TITLES.get(name, name))
        ws.freeze_panes = "A2"
        for c, head in enumerate(header, 1):
            ws.column_dimensions[get_column_letter(c)].width = \
                60 if head in ("text", "description", "linked_objectives", "rationale", "reason") else 16

        def cell(value, font=None):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out = WriteOnlyCell(ws, value=value)
            else:
                out = WriteOnlyCell(ws, value=safe_cell(value))
                out.data_type = "s"
            if font:
                out.font = font
            return out

        ws.append([cell(h, bold) for h in header])
        for r, row in enumerate(rows, 2):
            if r > XLSX_ROWS + 1:  # the rest are in the CSV (and statements.parquet); count them, hold none
                more = 1 + sum(1 for _ in rows)
                ws.append([cell(f"{more} more rows: see {name}.csv" + (
                    " or statements.parquet" if name == "statements" else ""))])
                break
            ws.append([cell(v) for v in row])
    path = Path(out) / "report.xlsx"
    tmp = path.with_suffix(".xlsx.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return [path]


def model(ctx: dict) -> dict:
    """The committee findings of the run as JSON-ready data (documented in docs/REPORT_SCHEMA.md):
    nothing in it grows with the number of statements; per-statement rows are in ``ctx["files"]``."""
    data = {k: v for k, v in ctx.items() if not k.startswith("_") and k != "links"}
    data["links"] = [{k: v for k, v in link.items() if k != "run_id"} for link in ctx["links"]]
    return data


PARQUET_BATCH = 20_000


def write_parquet(ctx: dict, out: Path) -> list[Path]:
    """``statements.parquet``: one row per analysed statement (the columns of statements.csv, with
    ``theme_ids``, ``scores`` and ``link_ids`` as lists and ``primary_theme_id``), written in batches
    from the store. Text is stored as it is (no spreadsheet escaping: Parquet cells are typed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("statement_id", pa.string()), ("conversation_id", pa.string()),
                        ("utterance_idx", pa.int32()), ("idx", pa.int32()), ("question", pa.string()),
                        ("text", pa.string()), ("text_hash", pa.string()), ("primary_theme_id", pa.string()),
                        ("theme_ids", pa.list_(pa.string())), ("scores", pa.list_(pa.float32())),
                        ("link_ids", pa.list_(pa.string())), ("publishable", pa.bool_())])
    path = Path(out) / "statements.parquet"
    tmp = path.with_suffix(".parquet.tmp")
    cols: dict[str, list] = {name: [] for name in schema.names}

    def flush(writer):
        writer.write_table(pa.Table.from_pydict(cols, schema=schema))
        for v in cols.values():
            v.clear()

    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for st in ctx["_rows"].statement_rows():
            for name, value in (("statement_id", st["id"]), ("conversation_id", st["conversation_id"]),
                                ("utterance_idx", st["utterance_idx"]), ("idx", st["idx"]),
                                ("question", st["question"]), ("text", st["text"]),
                                ("text_hash", st["text_hash"]),
                                ("primary_theme_id", st["theme_ids"][0] if st["theme_ids"] else None),
                                ("theme_ids", st["theme_ids"]), ("scores", [a["score"] for a in st["themes"]]),
                                ("link_ids", st["link_ids"]), ("publishable", st["publishable"])):
                cols[name].append(value)
            if len(cols["statement_id"]) >= PARQUET_BATCH:
                flush(writer)
        flush(writer)
    tmp.replace(path)
    return [path]


def write_json(ctx: dict, out: Path) -> list[Path]:
    path = Path(out) / "report.json"
    text = clean_text(json.dumps(model(ctx), indent=2, default=str, ensure_ascii=False))
    # <, > and & as JSON escapes: the same data, and inert if the file is ever pasted into a page
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    path.write_text(text, encoding="utf-8")
    return [path]

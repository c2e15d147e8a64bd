"""Exports for analysts: CSV files, one XLSX workbook with a sheet per table, and report.json
(the full model of the run, schema in docs/REPORT_SCHEMA.md). Every text cell goes through
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
    out["statements"] = (
        ["statement_id", "conversation_id", "question", "text", "theme_ids", "scores", "link_ids", "publishable"],
        [[sid, st["conversation_id"], st["question"] or "", st["text"],
          ";".join(a["theme_id"] for a in ctx["assignments"].get(sid, [])),
          ";".join(f"{a['score']:.3f}" for a in ctx["assignments"].get(sid, [])),
          ";".join(st.get("link_ids", [])), "yes" if st.get("publishable") else "no"]
         for sid, st in sorted(ctx["statements"].items())])
    out["mapping"] = (
        ["link_id", "source_kind", "source_id", "source_title", "framework_id", "item_id", "item_title", "score",
         "evidence", "rationale", "status"],
        [[l["id"], l["source_kind"], l["source_id"],
          look["theme_titles"].get(l["source_id"], "") if l["source_kind"] == "theme" else "",
          l["framework_id"], l["item_id"], look["item_titles"].get((l["framework_id"], l["item_id"]), ""),
          round(float(l["score"]), 4), ";".join(l["evidence"]), l["rationale"], l.get("status") or "link"]
         for l in sorted(ctx["links"], key=lambda l: (l["source_kind"], l["source_id"], l["framework_id"],
                                                       l["item_id"]))])
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


def write_xlsx(ctx: dict, out: Path) -> list[Path]:
    """One workbook, a sheet per table. Text cells are forced to the string type after safe_cell."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, (header, rows) in tables(ctx).items():
        ws = wb.create_sheet(SHEET_TITLES.get(name, name))
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r, row in enumerate(rows, 2):
            for c, value in enumerate(row, 1):
                cell = ws.cell(row=r, column=c)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell.value = value
                else:
                    cell.value = safe_cell(value)
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for c, head in enumerate(header, 1):
            ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = \
                60 if head in ("text", "description", "linked_objectives", "rationale", "reason") else 16
    path = Path(out) / "report.xlsx"
    tmp = path.with_suffix(".xlsx.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return [path]


def model(ctx: dict) -> dict:
    """The full model of the run as JSON-ready data (documented in docs/REPORT_SCHEMA.md)."""
    data = {k: v for k, v in ctx.items() if k not in ("statements", "assignments", "links")}
    data["statements"] = [
        {**st, "themes": [{"theme_id": a["theme_id"], "score": round(float(a["score"]), 4),
                           "primary": bool(a["is_primary"])} for a in ctx["assignments"].get(sid, [])]}
        for sid, st in sorted(ctx["statements"].items())
    ]
    data["links"] = [{k: v for k, v in l.items() if k != "run_id"} for l in ctx["links"]]
    return data


def write_json(ctx: dict, out: Path) -> list[Path]:
    path = Path(out) / "report.json"
    text = clean_text(json.dumps(model(ctx), indent=2, default=str, ensure_ascii=False))
    # <, > and & as JSON escapes: the same data, and inert if the file is ever pasted into a page
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    path.write_text(text, encoding="utf-8")
    return [path]

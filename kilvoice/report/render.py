"""Renderers. Each takes the report context and an output folder and returns the files written."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """Neutralise spreadsheet formula injection: a leading ' on cells that would be formulas."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


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
    themes = _write_csv(out / "themes.csv",
                        ["theme_id", "title", "description", "keywords", "statements", "conversations",
                         "prevalence", "strengths", "problems", "aspirations", "parent"],
                        ([t["id"], t["title"], t["description"], "; ".join(t["keywords"]), t["size"],
                          t["n_conversations"], t["band"], t["stance"].get("strength", 0),
                          t["stance"].get("problem", 0), t["stance"].get("aspiration", 0), t["parent"] or ""]
                         for t in ctx["themes"]))
    statements = _write_csv(out / "statements.csv",
                            ["statement_id", "conversation_id", "question", "text", "theme_ids", "scores"],
                            ([sid, st["conversation_id"], st["question"] or "", st["text"],
                              ";".join(a["theme_id"] for a in ctx["assignments"].get(sid, [])),
                              ";".join(f"{a['score']:.3f}" for a in ctx["assignments"].get(sid, []))]
                             for sid, st in sorted(ctx["statements"].items())))
    mapping = _write_csv(out / "mapping.csv",
                         ["source_kind", "source_id", "framework_id", "item_id", "score", "evidence", "rationale"],
                         ([l["source_kind"], l["source_id"], l["framework_id"], l["item_id"], f"{l['score']:.4f}",
                           ";".join(json.loads(l["evidence"])), l["rationale"]]
                          for l in sorted(ctx["links"], key=lambda l: (l["source_kind"], l["source_id"],
                                                                        l["framework_id"], l["item_id"]))))
    return [themes, statements, mapping]


def write_json(ctx: dict, out: Path) -> list[Path]:
    data = {k: v for k, v in ctx.items() if k not in ("statements", "assignments", "links")}
    data["statements"] = [
        {**st, "themes": [a["theme_id"] for a in ctx["assignments"].get(sid, [])]}
        for sid, st in sorted(ctx["statements"].items())
    ]
    data["links"] = [{**l, "evidence": json.loads(l["evidence"])} for l in ctx["links"]]
    path = out / "report.json"
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return [path]


def _env() -> Environment:
    env = Environment(loader=PackageLoader("kilvoice.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.globals["bar_chart"] = bar_chart
    return env


def bar_chart(rows: list[tuple[str, int]], width: int = 640, bar_height: int = 22, label_width: int = 260) -> str:
    """A horizontal bar chart as inline SVG (no scripts, no network). Labels are escaped."""
    from markupsafe import escape

    if not rows:
        return ""
    top = max(n for _, n in rows) or 1
    h = bar_height * len(rows) + 10
    parts = [f'<svg class="chart" role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for i, (label, n) in enumerate(rows):
        y = 5 + i * bar_height
        w = int((width - label_width - 50) * n / top)
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
                     f'{escape(str(label))[:48]}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{max(w, 1)}" height="{bar_height - 6}" '
                     f'fill="#1d70b8"/>')
        parts.append(f'<text x="{label_width + w + 4}" y="{y + 15}" font-size="12">{n}</text>')
    parts.append("</svg>")
    from markupsafe import Markup

    return Markup("".join(parts))


def html_extras(ctx: dict) -> dict:
    """Lookups and derived figures the HTML template uses."""
    areas = ctx["reach"]["area"]
    mean = sum(r["conversations"] for r in areas) / len(areas) if areas else 0
    return {
        "theme_bars": [(t["title"], t["n_conversations"]) for t in ctx["themes"] if t["id"] != "other"],
        "theme_titles": {t["id"]: t["title"] for t in ctx["themes"]},
        "framework_titles": {f["id"]: f["title"] for f in ctx["frameworks"]},
        "item_titles": {(f["id"], i["id"]): i["title"] for f in ctx["frameworks"] for i in f["items"]},
        "barely_heard": [r["value"] for r in areas if r["conversations"] < mean / 3],
    }


def write_html(ctx: dict, out: Path) -> list[Path]:
    html = _env().get_template("report.html.j2").render(**ctx, **html_extras(ctx))
    path = out / "report.html"
    path.write_text(html, encoding="utf-8")
    return [path]

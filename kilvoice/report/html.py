"""The HTML report: one self-contained file (inline CSS and SVG charts; no scripts, fonts, images
or links to anything outside the file). Jinja2 autoescapes every value. The web app renders the
same template with the same context (``render_html(ctx)``).
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from kilvoice.report import charts
from kilvoice.report.render import (clean_text, counts_text, holds_text, lookups, possible_text, sections,
                                    stance_cell, stance_header, stance_text, summary_rows, theme_groups)


def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescaping on)."""
    env = Environment(loader=PackageLoader("kilvoice.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(bar_chart=charts.bar_svg, heatmap_chart=charts.heatmap_svg, counts_text=counts_text,
                       stance_text=stance_text, stance_cell=stance_cell, stance_header=stance_header,
                       holds_text=holds_text, possible_text=possible_text)
    env.filters["clean"] = clean_text
    return env


def html_extras(ctx: dict) -> dict:
    """Lookups, groupings and chart rows the HTML template uses."""
    return {
        **lookups(ctx),
        "sections": sections(ctx),
        "summary_rows": summary_rows(ctx["summary"]),
        "groups": theme_groups(ctx),
        "theme_bars": charts.theme_rows(ctx),
        "area_bars": charts.reach_rows(ctx, "area"),
        "setting_bars": charts.reach_rows(ctx, "setting"),
    }


def render_html(ctx: dict) -> str:
    return environment().get_template("report.html.j2").render(**ctx, **html_extras(ctx))


def write_html(ctx: dict, out: Path) -> list[Path]:
    path = Path(out) / "report.html"
    path.write_text(clean_text(render_html(ctx)), encoding="utf-8")
    return [path]

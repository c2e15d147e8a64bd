"""Reports from one context object: HTML, CSV, JSON. Registered as ``kilvoice.report.standard.v1``."""
from __future__ import annotations

from pathlib import Path

from kilvoice.registry import register
from kilvoice.report.context import build_context
from kilvoice.report.render import write_csvs, write_html, write_json

WRITERS = {"html": write_html, "csv": write_csvs, "json": write_json}


class StandardReport:
    def __init__(self, formats: list[str] | None = None, quotes_per_theme: int = 3):
        self.formats = list(formats or ["html", "csv", "json"])
        self.quotes_per_theme = quotes_per_theme

    def run(self, store, run_id: str, out_dir: str | Path, manifest: dict | None = None,
            map_info: dict | None = None) -> list[Path]:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        ctx = build_context(store, run_id, manifest=manifest, map_info=map_info,
                            quotes_per_theme=self.quotes_per_theme)
        written: list[Path] = []
        for fmt in self.formats:
            written += WRITERS[fmt](ctx, out_dir)
        return written


@register("kilvoice.report.standard.v1")
def make_report(formats: list[str] | None = None, quotes_per_theme: int = 3) -> StandardReport:
    return StandardReport(formats=formats, quotes_per_theme=quotes_per_theme)

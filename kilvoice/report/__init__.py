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


def write_report(project, out_dir, run_id: str | None = None, formats: list[str] | None = None) -> list[Path]:
    """Render the report of ``run_id`` (default: the latest finished run) of a project."""
    import json

    from kilvoice.errors import KilvoiceError
    from kilvoice.store import open_store

    store = open_store(project)
    try:
        runs = [r for r in store.runs() if r["status"] == "done"]
        chosen = next((r for r in runs if r["id"] == run_id), None) if run_id else (runs[-1] if runs else None)
        if chosen is None:
            raise KilvoiceError("K303", run=run_id or "latest", path=store.path,
                                available=", ".join(r["id"] for r in runs) or "none")
        manifest = json.loads(chosen["manifest"] or "{}")
        bad = [f for f in (formats or []) if f not in WRITERS]
        if bad:
            raise KilvoiceError("K304", formats=", ".join(bad), available=", ".join(WRITERS))
        return StandardReport(formats=formats).run(store, chosen["id"], out_dir, manifest=manifest)
    finally:
        store.close()


@register("kilvoice.report.standard.v1")
def make_report(formats: list[str] | None = None, quotes_per_theme: int = 3) -> StandardReport:
    return StandardReport(formats=formats, quotes_per_theme=quotes_per_theme)

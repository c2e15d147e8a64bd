"""Reports from one context object: HTML, Markdown, Word, CSV, XLSX, JSON and Parquet.
Registered as ``kilvoice.report.standard.v1``; ``kilvoice.report.standard.v2`` is v1 whose workbook
sheets hold at most ``xlsx_rows`` = 25,000 rows (v1: 100,000), the rest counted and left to the CSV
and Parquet files (docs/PERFORMANCE.md, "speed17d").

From Python::

    from kilvoice.report import write_report
    write_report("my-project", "out", formats=["html", "docx"], compare="r2026...")   # earlier run id

or build the context yourself (``kilvoice.report.context.build_context``) and call a writer.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from kilvoice.errors import KilvoiceError
from kilvoice.registry import register
from kilvoice.report.context import build_context

# format -> (module, function, python package it needs)
WRITERS = {
    "html": ("kilvoice.report.html", "write_html", "jinja2"),
    "md": ("kilvoice.report.markdown", "write_markdown", None),
    "docx": ("kilvoice.report.docx", "write_docx", "python-docx"),
    "csv": ("kilvoice.report.tabular", "write_csvs", None),
    "xlsx": ("kilvoice.report.tabular", "write_xlsx", "xlsxwriter"),
    "json": ("kilvoice.report.tabular", "write_json", None),
    "parquet": ("kilvoice.report.tabular", "write_parquet", "pyarrow"),
}
DEFAULT_FORMATS = ["html", "csv", "json", "parquet"]


def writer(fmt: str):
    """The writer function of a format; K304 for an unknown format, K901 when its package is missing."""
    if fmt not in WRITERS:
        raise KilvoiceError("K304", formats=fmt, available=", ".join(WRITERS))
    module, name, package = WRITERS[fmt]
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as exc:
        raise KilvoiceError("K901", fmt=fmt, package=package or exc.name) from None


def check_formats(formats: list[str]) -> list[str]:
    bad = [f for f in formats if f not in WRITERS]
    if bad:
        raise KilvoiceError("K304", formats=", ".join(bad), available=", ".join(WRITERS))
    return formats


def render_formats(ctx: dict, out_dir: str | Path, formats: list[str], xlsx_rows: int | None = None) -> list[Path]:
    """Write ``formats`` of the context ``ctx`` into ``out_dir``; returns the files written.
    ``xlsx_rows``: rows a workbook sheet holds (default: ``tabular.XLSX_ROWS``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    from kilvoice.report.tabular import TABULAR, write_tables

    written: list[Path] = []
    formats = check_formats(list(formats))
    together = [f for f in formats if f in TABULAR]  # one pass over the store's rows feeds all of them
    for fmt in formats:
        if fmt not in TABULAR:
            written += writer(fmt)(ctx, out_dir)
        elif fmt == together[0]:
            written += write_tables(ctx, out_dir, together, xlsx_rows)
    return written


class StandardReport:
    def __init__(self, formats: list[str] | None = None, quotes_per_theme: int = 3, xlsx_rows: int | None = None):
        self.formats = check_formats(list(formats or DEFAULT_FORMATS))
        self.quotes_per_theme = quotes_per_theme
        if xlsx_rows is not None and not (isinstance(xlsx_rows, int) and not isinstance(xlsx_rows, bool)
                                          and xlsx_rows >= 1):
            raise KilvoiceError("K975", value=xlsx_rows)
        self.xlsx_rows = xlsx_rows

    def run(self, store, run_id: str, out_dir: str | Path, manifest: dict | None = None,
            map_info: dict | None = None, compare: str | None = None) -> list[Path]:
        ctx = build_context(store, run_id, manifest=manifest, map_info=map_info,
                            quotes_per_theme=self.quotes_per_theme)
        if compare:
            from kilvoice.report.compare import compare_runs

            ctx["comparison"] = compare_runs(store, compare, run_id)
        return render_formats(ctx, out_dir, self.formats, self.xlsx_rows)


def choose_run(store, run_id: str | None = None) -> dict:
    """The finished run ``run_id`` (default: the latest); K303 when there is none."""
    runs = [r for r in store.runs() if r["status"] == "done"]
    chosen = next((r for r in runs if r["id"] == run_id), None) if run_id else (runs[-1] if runs else None)
    if chosen is None:
        raise KilvoiceError("K303", run=run_id or "latest", path=store.path,
                            available=", ".join(r["id"] for r in runs) or "none")
    return chosen


def write_report(project, out_dir, run_id: str | None = None, formats: list[str] | None = None,
                 compare: str | None = None) -> list[Path]:
    """Render the report of ``run_id`` (default: the latest finished run) of a project.

    ``compare`` names an earlier run: the report then says which themes are new, persisting,
    growing, shrinking or faded since it.
    """
    import json

    from kilvoice.store import open_store

    check_formats(list(formats or DEFAULT_FORMATS))
    store = open_store(project)
    try:
        chosen = choose_run(store, run_id)
        if compare:
            choose_run(store, compare)
        manifest = json.loads(chosen["manifest"] or "{}")
        return StandardReport(formats=formats).run(store, chosen["id"], out_dir, manifest=manifest, compare=compare)
    finally:
        store.close()


@register("kilvoice.report.standard.v1")
def make_report(formats: list[str] | None = None, quotes_per_theme: int = 3) -> StandardReport:
    return StandardReport(formats=formats, quotes_per_theme=quotes_per_theme)


V2_XLSX_ROWS = 25_000  # a district's statements and links whole; a national run's in its CSV and Parquet files


@register("kilvoice.report.standard.v2")
def make_report_v2(formats: list[str] | None = None, quotes_per_theme: int = 3,
                   xlsx_rows: int = V2_XLSX_ROWS) -> StandardReport:
    """v1 whose workbook sheets stop at ``xlsx_rows`` rows (then a row saying how many more are in
    the CSV): at 100k statements the workbook is most of the report step's time."""
    return StandardReport(formats=formats, quotes_per_theme=quotes_per_theme, xlsx_rows=xlsx_rows)

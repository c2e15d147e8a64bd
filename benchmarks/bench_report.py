"""Time the report: context building and each format, on a project store that has a finished run.

Usage: .venv/bin/python benchmarks/bench_report.py PROJECT_DIR [OUT_DIR]
"""
from __future__ import annotations

import sys
import tempfile
import time

from kilvoice.report import WRITERS, choose_run, writer
from kilvoice.report.context import build_context
from kilvoice.store import open_store


def main(project: str, out: str | None = None) -> None:
    out = out or tempfile.mkdtemp(prefix="kv-report-")
    store = open_store(project)
    run = choose_run(store)
    t = time.perf_counter()
    ctx = build_context(store, run["id"])
    print(f"context: {time.perf_counter() - t:.2f} s ({ctx['summary']['statements']} statements, "
          f"{len(ctx['links'])} theme links, {ctx['summary']['statement_links']} statement links)")
    for fmt in WRITERS:
        t = time.perf_counter()
        files = writer(fmt)(ctx, out)
        size = sum(p.stat().st_size for p in files) / 1024
        print(f"{fmt}: {time.perf_counter() - t:.2f} s, {len(files)} file(s), {size:.0f} KiB")
    store.close()


if __name__ == "__main__":
    main(*sys.argv[1:])

"""`kilvoice ingest`: a thin shell over :func:`kilvoice.ingest.ingest`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kilvoice.cli import EXIT_PARTIAL, project_option


def summary_lines(result) -> list[str]:
    """The human summary printed after an ingest."""
    flagged = ", ".join(f"{k} {v}" for k, v in sorted(result.flagged.items())) or "none"
    return [
        f"files: {result.files_ok} ok, {result.files_unchanged} unchanged, {result.files_rejected} rejected",
        f"notes added: {result.notes_added} (flagged and kept out of analysis: {flagged})",
    ]


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@project_option
@click.option("--map", "mapping", default=None, metavar="KEY=COLUMN,...",
              help="Column mapping for CSV/XLSX/JSONL, e.g. text=Notes;Extra,area=Ward. "
                   "speaker=COLUMN reads the table as a transcript (rows grouped by id=COLUMN).")
@click.option("--max-mb", type=float, default=50, show_default=True, help="Reject files larger than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
def ingest_cmd(paths, project, mapping, max_mb, as_json, progress):
    """Read note files and folders into the project store.

    Formats: .txt .md .docx .pdf .csv .tsv .xlsx .jsonl .vtt .srt and Pol.is comments.csv;
    folders are read recursively. Each bad file is reported on stderr as
    `rejected: PATH: Kxxx reason` and the rest go on; the exit code is 3 when any
    file was rejected.
    """
    from kilvoice.ingest import ingest, parse_mapping
    from kilvoice.store import open_store

    spec = parse_mapping(mapping)
    with open_store(project) as store:
        result = ingest(list(paths), store, mapping=spec, progress=bool(progress), root=Path.cwd(),
                        max_mb=max_mb)
    for r in result.rejects:
        click.echo(f"rejected: {r.item}: {r.code} {r.reason}", err=True)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        for line in summary_lines(result):
            click.echo(line)
    if result.files_rejected:
        sys.exit(EXIT_PARTIAL)

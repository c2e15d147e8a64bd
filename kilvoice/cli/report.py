"""`kilvoice report`: re-render the report of a run from the project store."""
from __future__ import annotations

import click

from kilvoice.cli import project_option

FORMATS = "html,md,docx,csv,xlsx,json,parquet"


@click.command("report")
@project_option
@click.option("--run", "run_id", default=None, help="Run id (default: the latest finished run).")
@click.option("--format", "formats", default="html,csv,json,parquet", show_default=True,
              help=f"Comma-separated formats, any of {FORMATS}.")
@click.option("--compare", "compare", default=None, metavar="RUN_ID",
              help="An earlier run or wave to compare with: adds new, persisting, growing and faded themes.")
@click.option("--output", type=click.Path(file_okay=False), required=True, help="Folder to write into.")
def report_cmd(project, run_id, formats, compare, output):
    """Write the report of a finished run (HTML, Markdown, Word, CSV, XLSX, JSON) from the project store.

    Every format is drawn from the same context; quotes are anonymised and only from residents who
    agreed to be quoted. Example: kilvoice report --format html,docx --output reports/wave2
    """
    from kilvoice.report import write_report

    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    written = write_report(project, output, run_id=run_id, formats=wanted, compare=compare)
    for path in written:
        click.echo(str(path))

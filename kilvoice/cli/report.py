"""`kilvoice report`: re-render the report of a run from the project store."""
from __future__ import annotations

import click

from kilvoice.cli import project_option


@click.command("report")
@project_option
@click.option("--run", "run_id", default=None, help="Run id (default: the latest finished run).")
@click.option("--format", "formats", default="html,csv,json", show_default=True,
              help="Comma-separated formats.")
@click.option("--output", type=click.Path(file_okay=False), required=True, help="Folder to write into.")
def report_cmd(project, run_id, formats, output):
    """Write the report of a finished run (HTML, CSV, JSON) from the project store."""
    from kilvoice.report import write_report

    written = write_report(project, output, run_id=run_id, formats=[f.strip() for f in formats.split(",") if f.strip()])
    for path in written:
        click.echo(str(path))

"""`kilvoice run PIPELINE.toml`"""
from __future__ import annotations

import logging
import sys

import click

from kilvoice.cli import EXIT_PARTIAL


@click.command("run")
@click.argument("pipeline", type=click.Path(dir_okay=False))
@click.option("--output", type=click.Path(file_okay=False), default=None,
              help="Write the report here instead of the pipeline's [project] output folder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or stage summaries.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for the per-note stages (redact, segment). Default: the pipeline's "
                   "[executor] section, else every core for large runs. 1 runs everything in this process.")
@click.option("--cluster", metavar="ADDRESS", default=None,
              help="Run the per-note stages on the Dask scheduler at ADDRESS (tcp://host:8786), or 'local' "
                   "to start a cluster on this machine. Needs kilvoice[cluster].")
def run_cmd(pipeline, output, quiet, jobs, cluster):
    """Run every stage of PIPELINE (a .toml file) and write the report.

    Ingests the pipeline's inputs into its project store, redacts personal data,
    finds themes, maps them to the named frameworks and writes report.html,
    themes.csv, statements.csv, mapping.csv and manifest.json.

    The results are the same however the work is spread (--jobs 1, --jobs N, --cluster).

    Exit codes: 0 done; 3 done, but some input files could not be read (each is named, with the
    fix, in the report's last section); 1 an error. A run stopped part-way (an error, Ctrl-C,
    a killed process) resumes when the same command is run again.
    """
    from kilvoice.pipeline import run_pipeline

    if not quiet:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    result = run_pipeline(pipeline, progress=not quiet, output=output, jobs=jobs, cluster=cluster)
    counts = result.manifest["counts"]
    click.echo(f"run {result.run_id}: {counts['themes']} themes from {counts['statements']} statements; "
               f"report in {result.output}")
    if counts.get("files_rejected"):
        click.echo(f"{counts['files_rejected']} file(s) could not be read; see the report's last section.", err=True)
        sys.exit(EXIT_PARTIAL)  # partly done: the rest was analysed and reported

"""`kilvoice export qdpx` and `kilvoice import qdpx`: REFI-QDA projects for NVivo, ATLAS.ti, MAXQDA, QualCoder."""
from __future__ import annotations

import click

from kilvoice.cli import project_option


@click.group("export")
def export_group():
    """Export a run for other tools (REFI-QDA projects for NVivo, ATLAS.ti, MAXQDA, QualCoder)."""


@export_group.command("qdpx")
@project_option
@click.option("--run", "run_id", default=None, help="Run id (default: the latest finished run).")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="File to write (.qdpx, or .qdc).")
@click.option("--codebook-only", is_flag=True, help="Write only the codebook (themes and framework items) as .qdc.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def export_qdpx_cmd(project, run_id, output, codebook_only, force):
    """Write a run as a REFI-QDA project: redacted conversations, themes and framework items as codes,
    one coded selection per statement, case variables, decisions as notes.

    Example: kilvoice export qdpx --project .kilvoice/big-conversation --output kelvale.qdpx
    """
    from kilvoice.interop import export_qdpx
    from kilvoice.store import open_store

    with open_store(project) as store:
        info = export_qdpx(store, output, run_id=run_id, codebook_only=codebook_only, force=force)
    if codebook_only:
        click.echo(f"{info['path']}: codebook of run {info['run_id']}, {info['codes']} codes")
    else:
        click.echo(f"{info['path']}: run {info['run_id']}, {info['sources']} conversations, "
                   f"{info['selections']} coded statements, {info['codes']} codes")


@click.group("import")
def import_group():
    """Bring back work done in other tools (REFI-QDA projects recoded by an analyst)."""


@import_group.command("qdpx")
@click.argument("file", type=click.Path(dir_okay=False))
@project_option
@click.option("--analyst", default=None, metavar="NAME",
              help="Who recoded the project (default: the user the file names as its last editor).")
@click.option("--tool", default=None, help="The tool it was recoded in (default: the file's origin, e.g. 'NVivo 14').")
@click.option("--run", "run_id", default=None, help="The run it was exported from (default: the one the file names).")
@click.option("--dry-run", is_flag=True, help="List the decisions without recording them.")
def import_qdpx_cmd(file, project, analyst, tool, run_id, dry_run):
    """Turn an analyst's recoding (renamed, merged and new codes, moved selections) into review decisions.

    The decisions are attributed to the analyst and the tool, re-applied at once, and kept on
    re-runs. Example: kilvoice import qdpx kelvale-recoded.qdpx --analyst "J Smith"
    """
    from kilvoice.interop import import_qdpx
    from kilvoice.store import open_store

    with open_store(project) as store:
        info = import_qdpx(store, file, analyst=analyst, tool=tool, run_id=run_id, dry_run=dry_run)
    verb = "would record" if dry_run else "recorded"
    click.echo(f"{verb} {len(info['decisions'])} decision(s) by {info['analyst']} via {info['tool']} "
               f"on run {info['run_id']}")
    for d in info["decisions"]:
        click.echo(f"  {d['id'] or '-':>5} {d['decision']}")
    if info["skipped"]:
        click.echo(f"{len(info['skipped'])} decision(s) did not apply to this run: "
                   + "; ".join(f"{s['id']} {s['reason']}" for s in info["skipped"]))
    if info["unmatched_selections"]:
        click.echo(f"{info['unmatched_selections']} selection(s) matched no statement and were ignored")
    if info["themes_gone_unresolved"]:
        click.echo("codes removed without recoding their statements (no decision made): "
                   + ", ".join(info["themes_gone_unresolved"]))

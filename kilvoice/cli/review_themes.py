"""`kilvoice review themes|decide|export|apply`: theme review from the command line.

Registered onto ``review_group`` (kilvoice/cli/review.py) by a two-line import at its bottom.
"""
from __future__ import annotations

import json

import click

from kilvoice.cli import project_option


@click.command("themes")
@project_option
def review_themes_cmd(project):
    """List the latest run's themes (after review decisions): id, conversations, statements, title."""
    from kilvoice.review import latest_run_id, load_results
    from kilvoice.errors import KilvoiceError
    from kilvoice.store import open_store

    with open_store(project) as store:
        run_id = latest_run_id(store)
        if run_id is None:
            raise KilvoiceError("K804", path=store.path)
        themes, _, _ = load_results(store, run_id)
    for t in themes:
        click.echo(f"{t.id}\t{t.n_conversations}\t{t.size}\t{t.title}")


@click.command("decide")
@click.argument("kind")
@click.argument("fields", nargs=-1)
@project_option
@click.option("--by", "by", required=True, metavar="NAME", help="Your name, recorded with the decision.")
@click.option("--reason", default="", help="Why (recorded in the log).")
def review_decide_cmd(kind, fields, project, by, reason):
    """Record one decision and re-apply the log to the latest run.

    KIND is rename, merge, split, delete, move, link, quote or signoff; FIELDS are key=value, e.g.

      kilvoice review decide rename theme_id=T03 title="Bus routes" --by olive
      kilvoice review decide merge theme_id=T04 into=T03 --by olive
      kilvoice review decide link source_kind=theme source_id=T03 framework_id=keep-it-local item_id=P2 accepted=no --by olive
    """
    from kilvoice.review import reapply, record_decision
    from kilvoice.store import open_store

    payload = {}
    for field in fields:
        if "=" not in field:
            raise click.UsageError(f"'{field}' is not key=value")
        key, value = field.split("=", 1)
        payload[key.strip()] = value
    with open_store(project) as store:
        decision_id = record_decision(store, kind, by, payload, reason=reason)
        report = reapply(store)
    click.echo(f"decision {decision_id} recorded; {len(report['applied'])} applied, {len(report['skipped'])} skipped")


@click.command("export")
@project_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
def review_export_cmd(project, fmt, output):
    """Export the decision log (who, when, what, why) as CSV or JSON."""
    from kilvoice.review import export_decisions
    from kilvoice.store import open_store

    with open_store(project) as store:
        text = export_decisions(store, fmt)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        click.echo(text, nl=False)


@click.command("apply")
@project_option
def review_apply_cmd(project):
    """Re-apply the whole decision log to the latest run and print what was applied or skipped."""
    from kilvoice.review import reapply
    from kilvoice.store import open_store

    with open_store(project) as store:
        report = reapply(store)
    click.echo(json.dumps({k: report[k] for k in ("applied", "skipped", "retargeted", "signed_off")}, indent=2))


def register(group: click.Group) -> None:
    for cmd in (review_themes_cmd, review_decide_cmd, review_export_cmd, review_apply_cmd):
        group.add_command(cmd)

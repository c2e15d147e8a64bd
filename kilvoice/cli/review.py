"""`kilvoice review ...`: officer review. `review redactions` works on the redaction queue."""
from __future__ import annotations

import click

from kilvoice.cli import project_option


@click.group("review")
def review_group():
    """Review what kilvoice suggested: redactions (and, later, themes)."""


@review_group.command("redactions")
@project_option
@click.option("--list", "list_", is_flag=True, help="List pending low-confidence redactions (the default).")
@click.option("--all", "all_", is_flag=True, help="With --list: include decided items.")
@click.option("--accept", "accept", type=int, metavar="ID", help="Accept item ID: keep it redacted.")
@click.option("--reject", "reject", type=int, metavar="ID", help="Reject item ID: not personal data; shown next run.")
@click.option("--by", "by", metavar="NAME", help="Your name, recorded with the decision.")
@click.option("--force", is_flag=True, help="Change an earlier decision.")
def review_redactions_cmd(project, list_, all_, accept, reject, by, force):
    """List, accept or reject low-confidence redactions.

    Items show the span with some context read from the raw store: run this only where
    the raw notes may be seen. Rejected spans are left unredacted when the pipeline next runs.
    """
    from kilvoice.redact.review import decide, review_items, show_item
    from kilvoice.store import open_store

    with open_store(project) as store:
        if accept is not None or reject is not None:
            item_id, status = (accept, "accepted") if accept is not None else (reject, "rejected")
            item = decide(store, item_id, status, by or "", force=force)
            click.echo(f"{item['id']} {item['label']} {status} by {item['decided_by']}")
            return
        items = review_items(store, None if all_ else "pending")
        if not items:
            click.echo("No redactions waiting for review.")
            return
        for item in items:
            click.echo(f"{item['id']:>5}  {item['label']:<13} {item['score']:.2f} {item['source']:<9} "
                       f"{item['conversation_id']}#{item['utterance_idx']} {item['status']}")
            click.echo(f"       {show_item(store, item)}")

from kilvoice.cli.review_themes import register as _register_theme_review  # noqa: E402  (theme review commands)
_register_theme_review(review_group)

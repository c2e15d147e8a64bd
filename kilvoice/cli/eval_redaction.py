"""`kilvoice eval redaction GOLD.jsonl`: precision, recall and F1 per label against gold spans."""
from __future__ import annotations

import json

import click


@click.command("redaction")
@click.argument("gold", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--stage", default="kilvoice.redact.spacy_uk.v1", show_default=True, help="Registered redactor.")
def eval_redaction_cmd(gold, as_json, stage):
    """Score the redactor on GOLD.jsonl lines {"text", "spans": [{"start", "end", "label"}]}.

    A predicted span counts as found if it overlaps a gold span of the same label.
    """
    from kilvoice import registry
    from kilvoice.redact.evaluate import evaluate_redactor, read_gold, table

    rows = read_gold(gold)
    result = evaluate_redactor(registry.create(stage), rows, progress=not as_json)
    click.echo(json.dumps(result) if as_json else table(result))

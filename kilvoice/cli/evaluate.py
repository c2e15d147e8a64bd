"""`kilvoice eval ...`: measure a stage against labelled data. Each subcommand lives in its own module."""
from __future__ import annotations

import importlib

import click

SUBCOMMANDS = {
    "redaction": "kilvoice.cli.eval_redaction:eval_redaction_cmd",
    "topics": "kilvoice.cli.eval_topics:eval_topics_cmd",
    "mapping": "kilvoice.cli.eval_mapping:eval_mapping_cmd",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(n for n in SUBCOMMANDS if self.get_command(ctx, n) is not None)

    def get_command(self, ctx, name):
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                return None
            raise


@click.group("eval", cls=_LazyGroup)
def eval_group():
    """Measure a stage against labelled data and print JSON."""

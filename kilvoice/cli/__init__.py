"""The command line: a thin Click shell over the library.

This module is the one place where library errors become messages and exit codes:
exit 0 success, 1 a KilvoiceError (message ``Error: K123 ...`` on stderr),
2 usage error (Click), 3 partial success (some inputs rejected; the rest processed).
"""
from __future__ import annotations

import importlib
import os
import sys

import click

from kilvoice import __version__
from kilvoice.errors import KilvoiceError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EXIT_PARTIAL = 3

# command name -> "module:attribute"; loaded lazily so --help is fast.
COMMANDS = {
    "run": "kilvoice.cli.run:run_cmd",
    "ingest": "kilvoice.cli.ingest:ingest_cmd",
    "eval": "kilvoice.cli.evaluate:eval_group",
    "frameworks": "kilvoice.cli.frameworks:frameworks_group",
    "review": "kilvoice.cli.review:review_group",
    "report": "kilvoice.cli.report:report_cmd",
    "serve": "kilvoice.cli.serve:serve_cmd",
    "users": "kilvoice.cli.serve:users_group",
    "export": "kilvoice.cli.interop:export_group",
    "import": "kilvoice.cli.interop:import_group",
}


class KilvoiceGroup(click.Group):
    """Loads commands lazily and turns KilvoiceError into one clear line."""

    def list_commands(self, ctx):
        return sorted(name for name in COMMANDS if self._load(name) is not None)

    def get_command(self, ctx, name):
        return self._load(name)

    @staticmethod
    def _load(name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            if getattr(exc, "name", "") and not str(getattr(exc, "name", "")).startswith("kilvoice.cli"):
                raise
            return None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KilvoiceError as exc:
            click.echo(f"Error: {exc.code} {exc.message}", err=True)
            sys.exit(1)


@click.group(cls=KilvoiceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kilvoice")
def main():
    """kilvoice: turn what residents said into evidence a council can act on.

    Typical use: `kilvoice run pipelines/big-conversation.toml`.
    """


def project_option(f):
    return click.option(
        "--project", "project", type=click.Path(file_okay=False), default=".kilvoice/default",
        show_default=True, help="Project folder holding the SQLite store.",
    )(f)

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
        """The CLI's error boundary: an expected error is one line with its code; an unexpected one
        is one line too (K950, the traceback goes to a log file without resident text); Ctrl-C is
        K951. ``--debug`` (or KILVOICE_DEBUG=1) also prints the traceback."""
        try:
            return super().invoke(ctx)
        except KilvoiceError as exc:
            click.echo(f"Error: {exc.code} {exc.message}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt as exc:
            from kilvoice.crashlog import stage_of

            click.echo(f"Error: K951 {KilvoiceError('K951', stage=stage_of(exc)).message}", err=True)
            sys.exit(130)
        except Exception as exc:
            from kilvoice.crashlog import internal_error

            err = internal_error(exc, _log_folder(ctx, exc), name=getattr(exc, "kilvoice_run", None),
                                 command=" ".join([ctx.info_name or "kilvoice", *sys.argv[1:2]]))
            if ctx.meta.get("kilvoice.debug") or os.environ.get("KILVOICE_DEBUG") == "1":
                import traceback

                traceback.print_exception(exc)
            click.echo(f"Error: {err.code} {err.message}", err=True)
            sys.exit(1)


def _log_folder(ctx, exc) -> str:
    """Where an unexpected error's log goes: the project the failing command used, else ~/.kilvoice."""
    from pathlib import Path

    return (getattr(exc, "kilvoice_project", None) or ctx.meta.get("kilvoice.project")
            or str(Path.home() / ".kilvoice"))


def _remember(key):
    def callback(ctx, param, value):
        ctx.meta[key] = value
        return value
    return callback


@click.group(cls=KilvoiceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kilvoice")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_remember("kilvoice.debug"),
              help="On an unexpected error, also print the traceback (it may quote resident text).")
def main():
    """kilvoice: turn what residents said into evidence a council can act on.

    Typical use: `kilvoice run pipelines/big-conversation.toml`.
    """


def project_option(f):
    return click.option(
        "--project", "project", type=click.Path(file_okay=False), default=".kilvoice/default",
        show_default=True, help="Project folder holding the SQLite store.", callback=_remember("kilvoice.project"),
    )(f)

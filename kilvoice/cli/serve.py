"""`kilvoice serve` (the web app) and `kilvoice users add` (accounts, e.g. the first admin)."""
from __future__ import annotations

import sys

import click

from kilvoice.cli import project_option


@click.command("serve")
@project_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--max-upload-mb", default=20.0, show_default=True, type=float, help="Largest upload accepted.")
@click.option("--secure-cookies/--no-secure-cookies", default=None,
              help="Force the Secure cookie flag (default: on when the request arrives over https).")
@click.option("--pipeline", type=click.Path(dir_okay=False), default=None,
              help="Pipeline file the Runs page runs (default: PROJECT/pipeline.toml, made on first run).")
def serve_cmd(project, host, port, max_upload_mb, secure_cookies, pipeline):
    """Serve the web app: conversationalists upload notes, officers review themes.

    Create the first account with `kilvoice users add NAME --role admin --project DIR`.
    Put it behind an https reverse proxy before exposing it beyond this machine.
    """
    import uvicorn

    from kilvoice.web import Settings, create_app

    app = create_app(project, Settings(max_upload_mb=max_upload_mb, secure_cookies=secure_cookies, pipeline=pipeline))
    click.echo(f"kilvoice web app on http://{host}:{port} (project {project}); Ctrl+C to stop", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True)


@click.group("users")
def users_group():
    """Manage web app accounts (admin, officer, conversationalist)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "officer", "conversationalist"]), required=True,
              help="What the user may do.")
@project_option
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def users_add_cmd(name, role, project, password_stdin):
    """Create the account NAME with a role (password from a prompt, or --password-stdin)."""
    from kilvoice.store import open_store
    from kilvoice.web.auth import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with open_store(project) as store:
        add_user(store, name, role, password)
    click.echo(f"added {role} {name}")


@users_group.command("list")
@project_option
def users_list_cmd(project):
    """List accounts (names and roles only)."""
    from kilvoice.store import open_store
    from kilvoice.web.auth import users

    with open_store(project) as store:
        for u in users(store):
            click.echo(f"{u['name']}\t{u['role']}\t{'active' if u['active'] else 'inactive'}")

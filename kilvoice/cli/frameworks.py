"""`kilvoice frameworks list|show|validate`: a thin shell over :mod:`kilvoice.frameworks`."""
from __future__ import annotations

import json

import click

from kilvoice.errors import KilvoiceError


@click.group("frameworks")
def frameworks_group():
    """List, show and validate framework files (principles, strategy objectives)."""


@frameworks_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(as_json: bool):
    """List the bundled frameworks (use their id anywhere a framework is asked for)."""
    from kilvoice.frameworks import bundled_frameworks, load_framework

    rows = []
    for fid in bundled_frameworks():
        fw = load_framework(fid)
        rows.append({"id": fw.id, "title": fw.title, "items": len(fw.items), "path": fw.path})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        click.echo(f"{r['id']:<30} {r['items']:>3} items  {r['title']}")


@frameworks_group.command("show")
@click.argument("ref", metavar="ID_OR_PATH")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed framework as JSON.")
def show_cmd(ref: str, as_json: bool):
    """Show a framework's items as a tree: a bundled id or a path to a .yaml file."""
    from kilvoice.frameworks import load_framework

    fw = load_framework(ref)
    for w in fw.warnings:
        click.echo(f"Warning: {w}", err=True)
    if as_json:
        click.echo(json.dumps(fw.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{fw.title} ({fw.id}, {len(fw.items)} items)")
    if fw.description:
        click.echo(fw.description)

    def show(item, depth):
        extra = f"  [{len(item.examples)} examples, {len(item.keywords)} keywords]"
        click.echo(f"{'  ' * depth}- {item.id}: {item.title}{extra}")
        for child in fw.children(item.id):
            show(child, depth + 1)

    for item in fw.items:
        if item.parent is None:
            show(item, 1)


@frameworks_group.command("validate")
@click.argument("paths", nargs=-1, metavar="PATH...")
def validate_cmd(paths: tuple[str, ...]):
    """Check framework files; exit 1 with the first error of each invalid file.

    Unknown keys are warnings (printed, exit 0): they are ignored by kilvoice.
    """
    from kilvoice.frameworks import load_framework

    if not paths:
        raise KilvoiceError("K117")
    failed: list[KilvoiceError] = []
    for path in paths:
        try:
            fw = load_framework(path)
        except KilvoiceError as exc:
            failed.append(exc)
            continue
        for w in fw.warnings:
            click.echo(f"Warning: {w}", err=True)
        click.echo(f"OK {path}: {fw.id}, {len(fw.items)} items")
    if failed:
        for exc in failed[:-1]:
            click.echo(f"Error: {exc.code} {exc.message}", err=True)
        raise failed[-1]

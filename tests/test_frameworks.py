"""Framework files: bundled frameworks, validation errors (exact text), the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kilvoice.cli import main
from kilvoice.errors import KilvoiceError
from kilvoice.frameworks import bundled_frameworks, load_framework, validate_framework

BUNDLED = ["keep-it-local", "kelvale-corporate-plan", "kelvale-economic-wellbeing"]
AVAILABLE = ", ".join(BUNDLED)


def write(tmp_path: Path, text: str, name: str = "fw.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_text(ref) -> str:
    with pytest.raises(KilvoiceError) as info:
        load_framework(ref)
    return str(info.value)


def test_bundled_frameworks_load_and_are_well_formed():
    assert list(bundled_frameworks()) == BUNDLED
    kil = load_framework("keep-it-local")
    assert [it.id for it in kil.items] == [f"kil-{n}" for n in range(1, 7)]
    assert kil.items[2].title == "Increase local spend to invest in the local economy"
    for it in kil.items:
        assert 6 <= len(it.examples) <= 10 and it.keywords and it.description
    plan = load_framework("kelvale-corporate-plan")
    parents = [it for it in plan.items if it.parent is None]
    assert 6 <= len(parents) <= 8
    assert all(len(plan.children(p.id)) >= 2 for p in parents)
    for fid in BUNDLED:
        assert load_framework(fid).warnings == []


def test_load_by_path(tmp_path):
    path = write(tmp_path, "id: x\ntitle: X\nitems:\n  - {id: a, title: A, parent: b}\n  - {id: b, title: B}\n")
    fw = load_framework(path)
    assert fw.item_ids == ["a", "b"] and fw.item("a").parent == "b" and fw.path == str(path)


@pytest.mark.parametrize("body, message", [
    ("items: [{id: a, title: A}]\ntitle: X\n", "K112 framework file {p}: missing 'id'"),
    ("id: x\nitems: [{id: a, title: A}]\n", "K112 framework file {p}: missing 'title'"),
    ("id: x\ntitle: X\nitems: []\n", "K112 framework file {p}: 'items' is empty; list at least one item"),
    ("id: x\ntitle: X\n", "K112 framework file {p}: missing 'items'"),
    ("id: x\ntitle: X\nitems: {a: 1}\n", "K112 framework file {p}: 'items' must be a list, not dict"),
    ("- a\n- b\n", "K112 framework file {p}: the file is a list; it must be a mapping with 'id', 'title' and 'items'"),
    ("", "K112 framework file {p}: the file is empty; it must be a mapping with 'id', 'title' and 'items'"),
    ("id: x\ntitle: X\nitems:\n  - {id: kil-1, title: A}\n  - {id: kil-1, title: B}\n",
     "K113 framework file {p}, item 'kil-1': duplicate item id"),
    ("id: x\ntitle: X\nitems:\n  - {id: kil-3, title: A, parent: kil-9}\n",
     "K113 framework file {p}, item 'kil-3': 'parent' names unknown item 'kil-9'"),
    ("id: x\ntitle: X\nitems:\n  - {id: a, title: A, parent: b}\n  - {id: b, title: B, parent: a}\n",
     "K113 framework file {p}, item 'a': 'parent' links form a cycle: a -> b -> a"),
    ("id: x\ntitle: X\nitems:\n  - {id: a, title: A, parent: a}\n",
     "K113 framework file {p}, item 'a': 'parent' links form a cycle: a -> a"),
    ("id: x\ntitle: X\nitems:\n  - {id: a}\n", "K113 framework file {p}, item 'a': missing 'title'"),
    ("id: x\ntitle: X\nitems:\n  - {title: A}\n", "K113 framework file {p}, item '#1': missing 'id'"),
    ("id: x\ntitle: X\nitems:\n  - just text\n",
     "K113 framework file {p}, item '#1': must be a mapping with 'id' and 'title', not str"),
    ("id: x\ntitle: X\nitems:\n  - {id: a, title: A, examples: one example}\n",
     "K113 framework file {p}, item 'a': 'examples' must be a list, not str"),
    ("id: x\ntitle: X\nitems:\n  - {id: a, title: A, keywords: [ok, [nested]]}\n",
     "K113 framework file {p}, item 'a': 'keywords' entry 2 must be text, not list"),
    ("id: x\ntitle: [X]\nitems:\n  - {id: a, title: A}\n", "K112 framework file {p}: 'title' must be text, not list"),
    ("id: x\ntitle: X\nitems: [\n", None),
])
def test_validation_errors_exact_text(tmp_path, body, message):
    path = write(tmp_path, body)
    text = error_text(path)
    if message is None:
        assert text.startswith(f"K111 framework file {path} is not valid YAML: ") and "line" in text
    else:
        assert text == message.format(p=path)


def test_unknown_keys_are_warnings(tmp_path):
    path = write(tmp_path, "id: x\ntitle: X\nlead: someone\nitems:\n  - {id: a, title: A, exmaples: [x]}\n")
    assert validate_framework(path) == [
        f"framework file {path}: unknown key 'lead' ignored; allowed: id, title, description, owner, version, items",
        f"framework file {path}, item 'a': unknown key 'exmaples' ignored; "
        "allowed: id, title, description, examples, keywords, parent",
    ]


def test_missing_and_unknown_references(tmp_path):
    assert error_text(tmp_path / "nope.yaml") == (
        f"K110 framework file {tmp_path / 'nope.yaml'} not found. Give a path to a .yaml file or one of the "
        f"bundled ids: {AVAILABLE}")
    assert error_text("nope") == f"K114 unknown framework 'nope'; available: {AVAILABLE}"


# -- CLI ---------------------------------------------------------------------------------------

def test_cli_list_and_show():
    runner = CliRunner()
    out = runner.invoke(main, ["frameworks", "list", "--json"])
    assert out.exit_code == 0, out.output
    assert [r["id"] for r in json.loads(out.output)] == BUNDLED
    out = runner.invoke(main, ["frameworks", "show", "kelvale-corporate-plan"])
    assert out.exit_code == 0
    assert "  - cp-1: Thriving town centres" in out.output
    assert "    - cp-1a: Bring empty shops and buildings back into use" in out.output
    out = runner.invoke(main, ["frameworks", "show", "keep-it-local", "--json"])
    assert json.loads(out.output)["items"][0]["id"] == "kil-1"


def test_cli_errors_exit_1(tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["frameworks", "show", "nope"])
    assert out.exit_code == 1
    assert out.stderr == f"Error: K114 unknown framework 'nope'; available: {AVAILABLE}\n"
    good = write(tmp_path, "id: x\ntitle: X\nitems: [{id: a, title: A}]\n", "good.yaml")
    bad = write(tmp_path, "id: x\ntitle: X\nitems: [{id: a, title: A, parent: z}]\n", "bad.yaml")
    out = runner.invoke(main, ["frameworks", "validate", str(good), str(bad)])
    assert out.exit_code == 1
    assert out.stdout == f"OK {good}: x, 1 items\n"
    assert out.stderr == f"Error: K113 framework file {bad}, item 'a': 'parent' names unknown item 'z'\n"
    out = runner.invoke(main, ["frameworks", "validate", str(good)])
    assert out.exit_code == 0
    out = runner.invoke(main, ["frameworks", "validate"])
    assert out.exit_code == 1 and out.stderr.startswith("Error: K117 no framework file given.")


def test_cli_help():
    runner = CliRunner()
    for args in (["frameworks", "--help"], ["frameworks", "list", "--help"], ["frameworks", "show", "--help"],
                 ["frameworks", "validate", "--help"], ["eval", "mapping", "--help"]):
        out = runner.invoke(main, args)
        assert out.exit_code == 0 and "Usage:" in out.output

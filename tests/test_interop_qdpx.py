"""REFI-QDA export and import on the real sample run (the session's ``sample_runs`` fixture).

The export is read back by code that is not kilvoice's: pyrefiqda (Pydantic models generated from
the standard's schema), lxml against the REFI-QDA Project 1.0 XSD (tests/fixtures/refiqda), and a
plain XML walk here. The round trip edits the XML as an analyst's tool would, imports it, re-runs
the pipeline and reads the report.
"""
from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO, SAMPLES, write_pipeline

pytestmark = pytest.mark.slow
NS = "{urn:QDA-XML:project:1.0}"
XSD = REPO / "tests" / "fixtures" / "refiqda" / "Project-mrt2019.xsd"
SQUEEZE = re.compile(r"[\s*_]")


def _copy_store(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    a, b = sqlite3.connect(src / "kilvoice.sqlite"), sqlite3.connect(dst / "kilvoice.sqlite")
    a.backup(b)
    a.close()
    b.close()
    return dst


def _db(project: Path):
    db = sqlite3.connect(project / "kilvoice.sqlite")
    db.row_factory = sqlite3.Row
    return db


@pytest.fixture(scope="module")
def exported(sample_runs, tmp_path_factory):
    from kilvoice.interop import export_qdpx
    from kilvoice.store import open_store

    out = tmp_path_factory.mktemp("qdpx") / "kelvale.qdpx"
    with open_store(sample_runs["store"]) as store:
        info = export_qdpx(store, out, run_id=sample_runs["second"].run_id)
    return out, info


def _run_rows(sample_runs):
    db = _db(sample_runs["store"])
    run = sample_runs["second"].run_id
    themes = {r["id"]: dict(r) for r in db.execute("SELECT * FROM themes WHERE run_id=?", (run,))}
    assigned: dict[str, set[str]] = {}
    for r in db.execute("SELECT statement_id, theme_id FROM assignments WHERE run_id=?", (run,)):
        assigned.setdefault(r[0], set()).add(r[1])
    statements = {r["id"]: dict(r) for r in db.execute("SELECT * FROM statements")}
    return db, themes, assigned, statements


def test_export_loads_in_pyrefiqda_with_a_code_per_theme_and_a_selection_per_statement(
        exported, sample_runs, tmp_path):
    from pyrefiqda import RefiProject

    path, info = exported
    project = RefiProject.load(path, extract_dir=str(tmp_path / "x"))
    _, themes, assigned, statements = _run_rows(sample_runs)

    codes = {}

    def walk(cs):
        for c in cs:
            codes[c.guid] = c.name
            walk(c.code)
    walk(project.code_book.codes.code)
    for t in themes.values():  # at least one code per theme, named as the theme
        assert t["title"] in codes.values(), t["id"]

    seen: dict[str, set[str]] = {}
    for src in project.sources.text_source:
        text = (RefiProject.resolve_source_path(src.plain_text_path, tmp_path / "x")).read_text(encoding="utf-8")
        for sel in src.plain_text_selection:
            assert 0 <= sel.start_position < sel.end_position <= len(text)
            sid = sel.name
            assert sid in statements, sid
            # the offsets select the statement's own words (segmenting tidies spaces and emphasis marks)
            assert SQUEEZE.sub("", text[sel.start_position:sel.end_position]) == SQUEEZE.sub("", statements[sid]["text"])
            seen[sid] = {codes[c.code_ref.target_guid] for c in sel.coding}
    assert set(seen) == set(assigned), "every statement of the run, and only those, has a selection"
    for sid, theme_ids in assigned.items():
        assert {themes[t]["title"] for t in theme_ids} <= seen[sid], sid
    assert info["selections"] == len(assigned) and info["sources"] == len(project.sources.text_source)


def test_export_is_valid_against_the_refi_qda_schema_and_self_consistent(exported):
    path, _ = exported
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        root = etree.fromstring(z.read("project.qde"))
        schema.assertValid(root)
        assert root.tag == f"{NS}Project"
        guids = [e.get("guid") for e in root.iter() if e.get("guid")]
        assert len(guids) == len(set(guids)), "GUIDs are unique"
        code_guids = {c.get("guid") for c in root.iter(f"{NS}Code")}
        refs = {r.get("targetGUID") for r in root.iter(f"{NS}CodeRef")}
        assert refs and refs <= code_guids, "every coding points at a code in the codebook"
        user_guids = {u.get("guid") for u in root.iter(f"{NS}User")}
        users = {u.get("name") for u in root.iter(f"{NS}User")}
        assert all(re.fullmatch(r"kilvoice|cv-[0-9a-f]{6}", n) for n in users), users  # pseudonymous
        for src in root.iter(f"{NS}TextSource"):
            assert src.get("creatingUser") in user_guids
            inner = "sources/" + src.get("plainTextPath").removeprefix("internal://")
            assert inner in names
            length = len(z.read(inner).decode("utf-8"))
            for sel in src.iter(f"{NS}PlainTextSelection"):
                assert 0 <= int(sel.get("startPosition")) < int(sel.get("endPosition")) <= length
        variables = {v.get("name") for v in root.iter(f"{NS}Variable")}
        assert {"Area", "Setting", "Age band", "Date"} <= variables
        assert len(list(root.iter(f"{NS}Case"))) == len(list(root.iter(f"{NS}TextSource")))
        frameworks = [c for c in root.iter(f"{NS}Code") if c.get("name") == "Frameworks"]
        assert frameworks and len(list(frameworks[0].iter(f"{NS}Code"))) > 10


def test_no_seeded_personal_data_raw_text_or_safeguarded_content_in_the_zip(exported, sample_runs):
    path, _ = exported
    data = json.loads((SAMPLES / "seeded_pii.json").read_text(encoding="utf-8"))
    values = sorted({v["value"] for v in data["values"] if len(v["value"].strip()) >= 3})
    assert len(values) > 20
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in values) + r")(?!\w)")
    from kilvoice.redact.safeguarding import safeguarding_categories

    db = _db(sample_runs["store"])
    flagged = {r[0] for r in db.execute("SELECT conversation_id FROM flags WHERE kind='safeguarding'")}
    assert flagged, "the samples include safeguarding notes"
    withheld = {r[0] for r in db.execute("SELECT item FROM rejects WHERE code IN ('K680', 'K681')")}
    assert withheld
    with zipfile.ZipFile(path) as z:
        texts = {n: z.read(n).decode("utf-8") for n in z.namelist()}
    for name, text in texts.items():
        assert pattern.findall(text) == [], name
        assert not any(sid in text for sid in withheld), name
    flat = " ".join(texts.values())
    fragments = []  # the flagged sentences of flagged notes: withheld, so never exported
    for cid in flagged:
        for (text,) in db.execute("SELECT text FROM utterances WHERE conversation_id=?", (cid,)):
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                if safeguarding_categories(sentence):
                    words = sentence.split()
                    fragments += [" ".join(words[i:i + 6]) for i in range(0, max(len(words) - 5, 1), 3)]
    assert fragments and [f for f in fragments if f in flat] == []


def test_a_safeguarded_conversation_exports_only_the_statements_the_run_kept(sample_runs, tmp_path):
    """The lead's change withholds single statements: a flagged conversation with statements in the
    run is exported as those statements only, never its other text."""
    from kilvoice.interop import export_qdpx
    from kilvoice.store import open_store

    project = _copy_store(sample_runs["store"], tmp_path / "p")
    run = sample_runs["second"].run_id
    db = _db(project)
    cid, n = db.execute("SELECT s.conversation_id, COUNT(*) FROM statements s JOIN assignments a ON a.statement_id=s.id"
                        " AND a.run_id=? GROUP BY 1 HAVING COUNT(*) >= 3 ORDER BY 1 LIMIT 1", (run,)).fetchone()
    sids = [r[0] for r in db.execute("SELECT id FROM statements WHERE conversation_id=? AND id IN"
                                     " (SELECT statement_id FROM assignments WHERE run_id=?)"
                                     " ORDER BY utterance_idx, idx", (cid, run))]  # the order they were said in
    withheld, kept = sids[0], sids[1:]
    db.execute("DELETE FROM assignments WHERE run_id=? AND statement_id=?", (run, withheld))
    db.execute("INSERT INTO flags (conversation_id, kind, reason, created_at) VALUES (?, 'safeguarding', 'test', 'now')",
               (cid,))
    db.commit()
    text_of = {r[0]: r[1] for r in db.execute("SELECT id, text FROM statements WHERE conversation_id=?", (cid,))}
    with open_store(project) as store:
        export_qdpx(store, tmp_path / "p.qdpx", run_id=run)
    with zipfile.ZipFile(tmp_path / "p.qdpx") as z:
        root = etree.fromstring(z.read("project.qde"))
        src = next(s for s in root.iter(f"{NS}TextSource") if cid in s.get("name"))
        body = z.read("sources/" + src.get("plainTextPath").removeprefix("internal://")).decode("utf-8")
    assert text_of[withheld] not in body
    assert body == "\n\n".join(text_of[s] for s in kept)
    assert sorted(sel.get("name") for sel in src.iter(f"{NS}PlainTextSelection")) == sorted(kept)


def test_codebook_only_writes_a_qdc(sample_runs, tmp_path):
    from kilvoice.interop import export_qdpx
    from kilvoice.store import open_store

    with open_store(sample_runs["store"]) as store:
        export_qdpx(store, tmp_path / "c.qdc", codebook_only=True)
    root = etree.parse(str(tmp_path / "c.qdc")).getroot()
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    names = [c.get("name") for c in root.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert "Themes" in names and "Frameworks" in names
    assert not list(root.iter("{urn:QDA-XML:codebook:1.0}PlainTextSelection"))
    from pyrefiqda import RefiCodebook

    book = RefiCodebook.load(tmp_path / "c.qdc")
    top = [c.name for c in book.codes.code]
    assert top == ["Themes", "Frameworks"]


def _recode_as_an_analyst(exported_path: Path, out: Path, run: str, themes: list[str]) -> dict:
    """What an analyst does in NVivo: rename one code, merge a second into a third, move one selection
    to a fourth code, make a new code from three selections of a fifth. Returns what was done."""
    from kilvoice.interop.layout import guid

    rename, merge_from, merge_into, move_from, move_to, split_from = themes
    g = {t: guid(run, "theme", t) for t in themes}
    with zipfile.ZipFile(exported_path) as z:
        root = etree.fromstring(z.read("project.qde"))
        files = {n: z.read(n) for n in z.namelist() if n != "project.qde"}
    codes = {c.get("guid"): c for c in root.iter(f"{NS}Code")}
    codes[g[rename]].set("name", "Parks, paths and green space (analyst)")
    gone = codes[g[merge_from]]
    gone.getparent().remove(gone)

    def selections_of(theme):
        return [s for s in root.iter(f"{NS}PlainTextSelection")
                if any(c.find(f"{NS}CodeRef").get("targetGUID") == g[theme] for c in s.findall(f"{NS}Coding"))]

    def recode(sel, old, new):
        for c in sel.findall(f"{NS}Coding"):
            if c.find(f"{NS}CodeRef").get("targetGUID") == old:
                c.find(f"{NS}CodeRef").set("targetGUID", new)

    # a statement coded with the merged theme and another keeps the other as its primary theme
    merged = [s.get("name") for s in selections_of(merge_from) if len(s.findall(f"{NS}Coding")) == 1]
    shared = [s.get("name") for s in selections_of(merge_from) if len(s.findall(f"{NS}Coding")) > 1]
    for sel in selections_of(merge_from):
        recode(sel, g[merge_from], g[merge_into])
    def only(theme):  # selections coded with this theme alone (a statement can carry several themes)
        return [s for s in selections_of(theme) if len(s.findall(f"{NS}Coding")) == 1]

    moved = only(move_from)[0]
    recode(moved, g[move_from], g[move_to])
    new_guid = "0d6c1c7e-3a55-4d8e-9a3e-2f1d5b7c9e01"
    etree.SubElement(codes[g[split_from]].getparent(), f"{NS}Code", guid=new_guid, name="Analyst: dog fouling",
                     isCodable="true")
    split = only(split_from)[:3]
    for sel in split:
        recode(sel, g[split_from], new_guid)
    analyst = "5b2f8c1e-7d3a-4e6b-8f9c-1a2b3c4d5e6f"
    etree.SubElement(root.find(f"{NS}Users"), f"{NS}User", guid=analyst, name="Dr R Analyst (Kelvale University)")
    root.set("origin", "NVivo 14")
    root.set("modifyingUserGUID", analyst)
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("project.qde", etree.tostring(root, xml_declaration=True, encoding="utf-8"))
        for name, data in files.items():
            z.writestr(name, data)
    return {"merged": merged, "merged_shared": shared, "moved": moved.get("name"),
            "split": [s.get("name") for s in split]}


def test_round_trip_rename_merge_move_split_then_rerun_shows_them_attributed(sample_runs, tmp_path):
    from kilvoice.interop import export_qdpx, import_qdpx
    from kilvoice.pipeline import run_pipeline
    from kilvoice.store import open_store

    project = _copy_store(sample_runs["store"], tmp_path / "project")
    run = sample_runs["second"].run_id
    db = _db(project)
    sizes = {r[0]: r[1] for r in db.execute("SELECT theme_id, COUNT(*) FROM assignments WHERE run_id=? AND"
                                            " is_primary=1 AND theme_id!='other' GROUP BY 1 ORDER BY 2 DESC", (run,))}
    themes = [t for t in sizes if sizes[t] >= 5][:6]
    assert len(themes) == 6
    with open_store(project) as store:
        export_qdpx(store, tmp_path / "out.qdpx", run_id=run)
        done = _recode_as_an_analyst(tmp_path / "out.qdpx", tmp_path / "recoded.qdpx", run, themes)
        result = import_qdpx(store, tmp_path / "recoded.qdpx")
        again = import_qdpx(store, tmp_path / "recoded.qdpx")
    kinds = sorted(d["kind"] for d in result["decisions"])
    assert kinds == ["merge", "move", "rename", "split"], result["decisions"]
    assert result["analyst"] == "Dr R Analyst (Kelvale University)" and result["tool"] == "NVivo 14"
    assert result["skipped"] == [] and result["unmatched_selections"] == 0
    assert again["decisions"] == [], "importing the same file twice records nothing new"
    logged = db.execute("SELECT user_name, payload, reason FROM decisions ORDER BY id").fetchall()
    assert {r[0] for r in logged} == {"Dr R Analyst (Kelvale University)"}
    assert all(json.loads(r[1])["via"] == "NVivo 14" and "NVivo 14" in r[2] for r in logged)

    pipeline = write_pipeline(tmp_path / "pipeline.toml", project, tmp_path / "report", [SAMPLES])
    rerun = run_pipeline(pipeline)
    new = rerun.run_id
    theme_of = {r[0]: r[1] for r in db.execute(
        "SELECT statement_id, theme_id FROM assignments WHERE run_id=? AND is_primary=1", (new,))}
    titles = {r[0]: r[1] for r in db.execute("SELECT id, title FROM themes WHERE run_id=?", (new,))}
    before = _primary(db, run)

    def successor(theme: str) -> str:  # the new run's theme holding most of the old theme's statements
        votes: dict[str, int] = {}
        for sid, tid in before.items():
            if tid == theme and sid in theme_of:
                votes[theme_of[sid]] = votes.get(theme_of[sid], 0) + 1
        return max(votes, key=votes.get)

    rename, merge_from, merge_into, move_from, move_to, split_from = themes
    assert titles[successor(rename)] == "Parks, paths and green space (analyst)"
    assert done["merged"] and {theme_of[s] for s in done["merged"]} == {successor(merge_into)}, \
        "merged into the other theme"
    every = {}
    for sid, tid in db.execute("SELECT statement_id, theme_id FROM assignments WHERE run_id=?", (new,)):
        every.setdefault(sid, set()).add(tid)
    assert all(successor(merge_into) in every[s] for s in done["merged_shared"]), "the merged theme goes on as the other"
    assert theme_of[done["moved"]] == successor(move_to)
    assert {titles[theme_of[s]] for s in done["split"]} == {"Analyst: dog fouling"}
    data = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    logged = data["decisions"]
    assert len(logged) == 4 and {d["user"] for d in logged} == {"Dr R Analyst (Kelvale University)"}
    assert all(d["reason"].startswith("recoded in NVivo 14") for d in logged)
    assert any("Parks, paths and green space (analyst)" in d["decision"] for d in logged)
    report = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    appendix = report[report.index("decision log"):]
    assert appendix.count("recoded in NVivo 14") == 4 and appendix.count("Kelvale University") == 4


def _primary(db, run: str) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute(
        "SELECT statement_id, theme_id FROM assignments WHERE run_id=? AND is_primary=1", (run,))}


def test_import_refuses_doctype_and_files_that_are_not_projects(sample_runs, tmp_path):
    from kilvoice.errors import KilvoiceError
    from kilvoice.interop import import_qdpx
    from kilvoice.store import open_store

    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w") as z:
        z.writestr("project.qde", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                  '<Project xmlns="urn:QDA-XML:project:1.0" name="x">&a;</Project>')
    other = tmp_path / "other.qdpx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "not a project")
    with open_store(sample_runs["store"]) as store:
        with pytest.raises(KilvoiceError) as e1:
            import_qdpx(store, bomb, analyst="x")
        with pytest.raises(KilvoiceError) as e2:
            import_qdpx(store, other, analyst="x")
    assert e1.value.code == "K852" and e2.value.code == "K850"


def test_cli_export_and_import_help_and_errors(sample_runs, tmp_path):
    from click.testing import CliRunner

    from kilvoice.cli import main

    runner = CliRunner()
    for args, words in ((["export", "qdpx", "--help"], "REFI-QDA project"), (["import", "qdpx", "--help"], "--analyst")):
        res = runner.invoke(main, args)
        assert res.exit_code == 0 and words in res.output, res.output
    out = tmp_path / "x.qdpx"
    res = runner.invoke(main, ["export", "qdpx", "--project", str(sample_runs["store"]), "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "coded statements" in res.output
    res = runner.invoke(main, ["export", "qdpx", "--project", str(sample_runs["store"]), "--output", str(out)])
    assert res.exit_code == 1 and "K855" in res.output
    res = runner.invoke(main, ["import", "qdpx", str(out), "--project", str(sample_runs["store"])])
    assert res.exit_code == 1 and "K856" in res.output and "--analyst" in res.output


def test_a_tool_that_writes_new_guids_and_crlf_text_still_matches(sample_runs, tmp_path):
    """Some tools re-export with GUIDs of their own and Windows line endings (offsets counted in
    that text). Codes match by name and statements, selections by their words: renaming one code
    is the only difference found."""
    import uuid

    from kilvoice.interop import export_qdpx, import_qdpx
    from kilvoice.interop.layout import build_layout
    from kilvoice.store import open_store

    run = sample_runs["second"].run_id
    with open_store(sample_runs["store"]) as store:
        export_qdpx(store, tmp_path / "out.qdpx", run_id=run)
    with zipfile.ZipFile(tmp_path / "out.qdpx") as z:
        root = etree.fromstring(z.read("project.qde"))
        texts = {n: z.read(n).decode("utf-8") for n in z.namelist() if n != "project.qde"}
    new = {}
    for el in root.iter():
        for attr in ("guid", "targetGUID", "creatingUser", "creatingUserGUID"):
            if el.get(attr):
                el.set(attr, new.setdefault(el.get(attr), str(uuid.uuid4()).upper()))
    files = {}
    for src in root.iter(f"{NS}TextSource"):
        text = texts["sources/" + src.get("plainTextPath").removeprefix("internal://")]
        crlf = text.replace("\n", "\r\n")

        def shift(i: int, text=text) -> int:
            return i + text.count("\n", 0, i)
        for sel in src.iter(f"{NS}PlainTextSelection"):
            sel.set("startPosition", str(shift(int(sel.get("startPosition")))))
            sel.set("endPosition", str(shift(int(sel.get("endPosition")))))
            sel.attrib.pop("name")
        name = str(uuid.uuid4())
        src.set("plainTextPath", f"internal://{name}.txt")
        src.set("name", src.get("name").split(" (")[0])  # the tool keeps only the note's id
        files[f"sources/{name}.txt"] = crlf
    # rename the theme with the largest share of secondary members: the file codes those too, so
    # matching it by its primary members alone finds too small an overlap
    with open_store(sample_runs["store"]) as store:
        layout = build_layout(store, run)
    coded_with: dict[str, list[bool]] = {}
    for pairs in layout.assignments.values():
        for tid, primary in pairs:
            coded_with.setdefault(tid, []).append(primary)
    tid = min((t for t in coded_with if t != "other"), key=lambda t: (sum(coded_with[t]) / len(coded_with[t]), t))
    renamed = next(c for c in root.iter(f"{NS}Code") if c.get("guid") == new[layout.theme_guid(tid)])
    old_title = renamed.get("name")
    renamed.set("name", "Renamed in another tool")
    root.set("origin", "QualCoder 3.6")
    with zipfile.ZipFile(tmp_path / "other.qdpx", "w") as z:
        z.writestr("project.qde", etree.tostring(root, xml_declaration=True, encoding="utf-8"))
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8"))
    with open_store(sample_runs["store"]) as store:
        result = import_qdpx(store, tmp_path / "other.qdpx", analyst="QC user", run_id=run, dry_run=True)
    assert result["unmatched_selections"] == 0 and result["tool"] == "QualCoder 3.6"
    assert [d["kind"] for d in result["decisions"]] == ["rename"], result["decisions"]
    assert "Renamed in another tool" in result["decisions"][0]["decision"] and old_title

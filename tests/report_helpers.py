"""Helpers for the report tests: a small hand-built store and readers for every output format."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from kilvoice.records import Assignment, Link, Note, Reject, Statement, Theme, Utterance

HOSTILE = ['=HYPERLINK("http://x","y")', '<script>alert(1)</script>', "+cmd", "@SUM(1)",
           "[click](javascript:alert(1))", "-2+3", "\tTAB", "bell\x07char"]
NO_CONSENT = "Nobody asked me before they shut the swimming baths on Mill Road"
SAFEGUARD = "Something frightening keeps happening at home and nobody knows about it"
FORMATS = ["html", "md", "docx", "csv", "xlsx", "json", "parquet"]


def _note(cid: str, text: str, **meta) -> Note:
    base = {"id": cid, "area": "Northgate", "postcode_district": "KV2", "setting": "community",
            "age_band": "65-74", "consent_to_quote": True, "organisation": "Kelvale Foodbank"}
    base.update(meta)
    return Note(id=cid, source=f"{cid}.txt", utterances=[Utterance(0, text)], meta=base)


def build_store(project: Path, hostile: bool = True):
    """A store with four conversations (quotable, hostile, no consent, safeguarding-flagged), two runs."""
    from kilvoice.store import open_store

    store = open_store(project)
    hostile_text = " ".join(HOSTILE) + " is what I typed into the form"
    convs = {
        "c1": _note("c1", "The library on the high street is the heart of Northgate and should stay open"),
        "c2": _note("c2", hostile_text if hostile else "Buses are too dear for young people to get to college",
                    area="=HYPERLINK(\"http://x\",\"area\")" if hostile else "Ryecroft",
                    organisation="<b>Org</b>" if hostile else "Age UK Kelvale"),
        "c3": _note("c3", NO_CONSENT, consent_to_quote=False, area="Ryecroft"),
        "c4": _note("c4", SAFEGUARD, area="Ryecroft"),
    }
    ids = list(convs)
    store.add_file("notes.txt", "0" * 64, 100, list(convs.values()), conversation_ids=ids,
                   content_hashes=[f"h{c}" for c in ids], statuses=[("ok", None, None)] * len(ids),
                   pseudonyms=["CV-1"] * len(ids))
    statements = {}
    for cid, note in convs.items():
        flags = [("safeguarding", "abuse")] if cid == "c4" else []
        store.put_redacted(cid, note.utterances, [[]], "test", flags)
        st = Statement(id=f"{cid}-u0-s0", conversation_id=cid, utterance_index=0, index=0, text=note.text)
        store.replace_statements(cid, [st], [f"t{cid}"])
        statements[cid] = st
    sids = [s.id for s in statements.values()]
    title = '<script>alert("t")</script>' if hostile else "Libraries and buses"
    for run_id, members in (("r1", sids[:2]), ("r2", sids)):
        themes = [Theme(id="T01", title=title, keywords=["=cmd", "library"] if hostile else ["library", "bus"],
                        description=f'{len(members)} statements about library, most typically: "{NO_CONSENT}".',
                        size=len(members), n_conversations=len(members), stance={"strength": 1, "problem": 1},
                        representative=members)]
        if run_id == "r2":
            themes.append(Theme(id="T02", title="Swimming", keywords=["swimming", "baths"], size=1,
                                n_conversations=1, representative=[sids[2]]))
        assigns = [Assignment(s, "T01", 0.9) for s in members]
        links = [Link("theme", "T01", "keep-it-local", "kil-2", 0.71, evidence=members, rationale="+similar"),
                 Link("statement", sids[0], "keep-it-local", "kil-2", 0.66, evidence=[sids[0]], rationale="near")]
        store.start_run(run_id, "test.toml")
        store.save_results(run_id, themes, assigns, links, [Reject("segment", "c1", "S1", "too short")])
        coverage = {"frameworks": {"keep-it-local": {"title": "Keep it Local principles", "items": [
            {"id": "kil-1", "title": "Think about the whole system", "linked_themes": [], "n_conversations": 0,
             "gap": True},
            {"id": "kil-2", "title": "Co-ordinate services at a neighbourhood level", "linked_themes": ["T01"],
             "n_conversations": 2, "areas": {"Northgate": 2}, "settings": {"community": 2}, "gap": False}]}},
            "unmapped_themes": ["T02"] if run_id == "r2" else []}
        manifest = {"run_id": run_id, "config": {"project": {"title": "Test <b>Conversation</b>"},
                                                 "map": {"frameworks": ["keep-it-local"]}},
                    "coverage": coverage, "review": {"signed_off": ["T01"] if run_id == "r2" else []}}
        store.finish_run(run_id, manifest)
    store.db.execute(
        "INSERT INTO decisions (kind, user_name, created_at, run_id, payload, snapshot, reason)"
        " VALUES ('rename', ?, '2026-11-25T10:00:00', 'r2', ?, '{}', ?)",
        ("=officer", json.dumps({"theme_id": "T01", "title": "@SUM(1)"}), "<script>alert(2)</script>"))
    return store


# -- readers ------------------------------------------------------------------------------------
def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def xlsx_cells(path: Path) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(str(path))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def parquet_statements(out: Path) -> list[dict]:
    """statements.parquet as rows, each with ``id`` (its ``statement_id``) like report.json's 1.x statements."""
    import pyarrow.parquet as pq

    return [{**r, "id": r["statement_id"]} for r in pq.read_table(Path(out) / "statements.parquet").to_pylist()]


def all_text(out: Path) -> dict[str, str]:
    """Every output file's text, by file name (docx and xlsx read through their libraries)."""
    texts = {}
    for path in sorted(Path(out).iterdir()):
        if path.suffix == ".docx":
            texts[path.name] = docx_text(path)
        elif path.suffix == ".xlsx":
            texts[path.name] = "\n".join(str(c.value) for c in xlsx_cells(path) if c.value is not None)
        elif path.suffix == ".json":
            texts[path.name] = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)
        elif path.suffix in (".html", ".md", ".csv"):
            texts[path.name] = path.read_text(encoding="utf-8")
        elif path.suffix == ".parquet":
            texts[path.name] = json.dumps(parquet_statements(path.parent), ensure_ascii=False)
    return texts

"""Write a run as a REFI-QDA Project 1.0 file (``.qdpx``) or codebook (``.qdc``).

A ``.qdpx`` is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and
``sources/<guid>.txt``, one UTF-8 text file per conversation. In it:

* codes: "Themes" > theme groups > themes (codable), and "Frameworks" > one code per framework >
  its items (codable), each with its description;
* one TextSource per analysed conversation, holding its redacted text only (see
  :mod:`kilvoice.interop.layout` for what a safeguarding flag leaves out);
* one PlainTextSelection per statement, with character offsets into the source, coded with its
  themes and its own framework links (a theme's links are named in the theme's note);
* theme descriptions and officers' decisions as notes, referenced from the codes;
* conversation metadata (area, setting, age band, date, postcode district) as case variables;
* conversationalists (their pseudonymous codes), officers and kilvoice as users.

From Python: ``export_qdpx(store, "out.qdpx", run_id=None)``.
"""
from __future__ import annotations

import zipfile
from datetime import date as _date
from pathlib import Path
from xml.etree import ElementTree as ET

from kilvoice import __version__
from kilvoice.errors import KilvoiceError
from kilvoice.interop.layout import CASE_VARIABLES, Layout, build_layout, guid
from kilvoice.records import POSSIBLE
from kilvoice.store.sqlite import Store, now

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"kilvoice {__version__}"
KILVOICE_USER = "kilvoice"
THEME_COLOUR, OTHER_COLOUR, FRAMEWORK_COLOUR = "#1F77B4", "#999999", "#2CA02C"


def _el(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    e = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v not in (None, "")})
    if text is not None:
        e.text = text
    return e


def _code(parent, guid_: str, name: str, codable: bool, description: str = "", colour: str | None = None,
          notes: tuple[str, ...] = ()) -> ET.Element:
    code = _el(parent, "Code", guid=guid_, name=name or "(untitled)", isCodable=str(codable).lower(), color=colour)
    if description:
        _el(code, "Description", description)
    for note in notes:
        _el(code, "NoteRef", targetGUID=note)
    return code


def _codebook(parent, layout: Layout, theme_notes: dict[str, list[str]]) -> None:
    """Themes under their groups, then frameworks and their items."""
    codes = _el(_el(parent, "CodeBook"), "Codes")
    themes_root = _code(codes, guid(layout.run_id, "themes"), "Themes", False,
                        f"Themes kilvoice found in run {layout.run_id}, as reviewed by officers")
    ids = {t.id for t in layout.themes}
    children: dict[str | None, list] = {}
    for t in layout.themes:
        children.setdefault(t.parent if t.parent in ids and t.parent != t.id else None, []).append(t)

    def add(parent_el, theme, depth: int = 0) -> None:
        el = _code(parent_el, layout.theme_guid(theme.id), theme.title, True, theme.description,
                   OTHER_COLOUR if theme.id == "other" else THEME_COLOUR, tuple(theme_notes.get(theme.id, ())))
        for child in children.get(theme.id, []) if depth < 20 else []:
            add(el, child, depth + 1)

    for t in children.get(None, []):
        add(themes_root, t)
    if not layout.frameworks:
        return
    fw_root = _code(codes, guid(layout.run_id, "frameworks"), "Frameworks", False,
                    "Framework items kilvoice mapped statements and themes onto")
    for fw in layout.frameworks:
        fw_el = _code(fw_root, guid(layout.run_id, "framework", fw.id), fw.title or fw.id, False, fw.description)
        items = {it.id for it in fw.items}
        kids: dict[str | None, list] = {}
        for it in fw.items:
            kids.setdefault(it.parent if it.parent in items else None, []).append(it)

        def add_item(parent_el, item, depth: int = 0, fw=fw, kids=kids) -> None:
            el = _code(parent_el, layout.item_guid(fw.id, item.id), f"{item.id} {item.title}".strip(), True,
                       item.description, FRAMEWORK_COLOUR)
            for child in kids.get(item.id, []) if depth < 20 else []:
                add_item(el, child, depth + 1)

        for it in kids.get(None, []):
            add_item(fw_el, it)


def _users(layout: Layout, officers: list[str]) -> dict[str, str]:
    """name -> guid: kilvoice, each conversationalist's pseudonymous code, each officer."""
    names = [KILVOICE_USER] + sorted({s.meta.get("conversationalist_id") for s in layout.sources} - {None, ""})
    names += [o for o in officers if o not in names]
    return {n: guid("user", n) for n in names}


def _variables(parent, layout: Layout, date_typed: bool) -> dict[str, str]:
    out = {}
    variables = _el(parent, "Variables")
    for key, label in CASE_VARIABLES:
        out[key] = guid(layout.run_id, "variable", key)
        _el(variables, "Variable", guid=out[key], name=label,
            typeOfVariable="Date" if key == "date" and date_typed else "Text")
    return out


def _cases(parent, layout: Layout, variables: dict[str, str], date_typed: bool) -> None:
    cases = _el(parent, "Cases")
    for src in layout.sources:
        case = _el(cases, "Case", guid=guid(layout.run_id, "case", src.conversation_id), name=src.name)
        for key, _ in CASE_VARIABLES:
            value = src.meta.get(key)
            if value in (None, ""):
                continue
            vv = _el(case, "VariableValue")
            _el(vv, "VariableRef", targetGUID=variables[key])
            _el(vv, "DateValue" if key == "date" and date_typed else "TextValue", str(value))
        _el(case, "SourceRef", targetGUID=layout.source_guid(src.conversation_id))


def _item_links(layout: Layout) -> tuple[dict[str, set], dict[str, set]]:
    """(statement id -> {(framework, item)}, theme id -> {(framework, item)}) of the run's links
    (possible theme links are not links: left out)."""
    by_statement: dict[str, set] = {}
    by_theme: dict[str, set] = {}
    known = {(fw.id, it.id) for fw in layout.frameworks for it in fw.items}
    for link in layout.links:
        key = (link.framework_id, link.item_id)
        if key not in known or link.status == POSSIBLE:
            continue
        (by_statement if link.source_kind == "statement" else by_theme).setdefault(link.source_id, set()).add(key)
    return by_statement, by_theme


def _sources(parent, layout: Layout, users: dict[str, str], created: str) -> None:
    sources = _el(parent, "Sources")
    by_statement, _ = _item_links(layout)
    theme_ids = {t.id for t in layout.themes}
    machine = users[KILVOICE_USER]
    for src in layout.sources:
        sg = layout.source_guid(src.conversation_id)
        author = users.get(src.meta.get("conversationalist_id") or "", machine)
        el = _el(sources, "TextSource", guid=sg, name=src.name, plainTextPath=f"internal://{sg}.txt",
                 creatingUser=author, creationDateTime=created)
        if src.statements_only:
            _el(el, "Description", "Only the statements the analysis kept (safeguarding: the rest is withheld)")
        for sid, (start, end) in sorted(src.spans.items(), key=lambda kv: kv[1]):
            sel = _el(el, "PlainTextSelection", guid=layout.selection_guid(sid), name=sid, startPosition=start,
                      endPosition=end, creatingUser=machine, creationDateTime=created)
            codes = [layout.theme_guid(t) for t, _ in layout.assignments.get(sid, []) if t in theme_ids]
            codes += [layout.item_guid(f, i) for f, i in sorted(by_statement.get(sid, ()))]
            for code in dict.fromkeys(codes):
                coding = _el(sel, "Coding", guid=guid(layout.run_id, "coding", sid, code), creatingUser=machine,
                             creationDateTime=created)
                _el(coding, "CodeRef", targetGUID=code)


def _notes(layout: Layout, decisions: list[dict], users: dict[str, str]) -> tuple[list[tuple], dict[str, list[str]]]:
    """(note rows (guid, name, text, user guid, datetime), theme id -> note guids)."""
    from kilvoice.review.decisions import describe

    rows, by_theme = [], {}
    _, theme_items = _item_links(layout)
    for t in layout.themes:
        mapped = sorted(theme_items.get(t.id, ()))
        text = t.description + (" Mapped to framework items: " + ", ".join(f"{f}:{i}" for f, i in mapped) + "."
                                if mapped else "")
        if text.strip():
            g = guid(layout.run_id, "note", "theme", t.id)
            rows.append((g, f"About the theme: {t.title}", text.strip(), users[KILVOICE_USER], None))
            by_theme.setdefault(t.id, []).append(g)
    theme_ids = {t.id for t in layout.themes}
    for d in decisions:
        g = guid("decision", d["id"])
        try:
            what = describe(d)
        except (KeyError, TypeError):
            what = d["kind"]
        text = f"{d['user']} {what} ({d['created_at']})." + (f" Reason: {d['reason']}" if d.get("reason") else "")
        rows.append((g, f"Decision {d['id']}: {d['kind']}", text, users[d["user"]], d["created_at"]))
        for key in ("theme_id", "into", "to", "source_id"):
            tid = d["payload"].get(key)
            if tid in theme_ids:
                by_theme.setdefault(tid, []).append(g)
    return rows, by_theme


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    return value.replace("+00:00", "Z") if "T" in value else None


def project_xml(layout: Layout, decisions: list[dict], title: str) -> bytes:
    """The ``project.qde`` document of a layout (bytes, UTF-8)."""
    created = _iso(now())
    users = _users(layout, [d["user"] for d in decisions])
    note_rows, theme_notes = _notes(layout, decisions, users)
    root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": title, "origin": ORIGIN,
                                  "creatingUserGUID": users[KILVOICE_USER], "creationDateTime": created})
    users_el = _el(root, "Users")
    for name, g in users.items():
        _el(users_el, "User", guid=g, name=name)
    _codebook(root, layout, theme_notes)
    date_typed = all(_valid_date(s.meta.get("date")) for s in layout.sources if s.meta.get("date"))
    variables = _variables(root, layout, date_typed)
    _cases(root, layout, variables, date_typed)
    _sources(root, layout, users, created)
    if note_rows:
        notes = _el(root, "Notes")
        for g, name, text, user, when in note_rows:
            note = _el(notes, "Note", guid=g, name=name, creatingUser=user, creationDateTime=_iso(when) or created)
            _el(note, "PlainTextContent", text)
    _el(root, "Description", f"kilvoice run {layout.run_id}. Redacted text only: names, addresses and other "
                             "personal data were replaced before export. Counts are not votes.")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _valid_date(value) -> bool:
    try:
        _date.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def codebook_xml(layout: Layout) -> bytes:
    """A REFI-QDA codebook (``.qdc``): the themes and framework items, nothing about residents."""
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN})
    holder = ET.Element("holder")
    _codebook(holder, layout, {})
    root.append(holder.find("CodeBook").find("Codes"))
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _target(output: str | Path, force: bool) -> Path:
    out = Path(output)
    if out.exists() and not force:
        raise KilvoiceError("K855", path=out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def export_qdpx(store: Store, output: str | Path, run_id: str | None = None, codebook_only: bool = False,
                force: bool = False, title: str | None = None) -> dict:
    """Write the run ``run_id`` (default: the latest finished run) to ``output``.

    Returns counts: ``{"path", "run_id", "sources", "selections", "codes", "left_out"}``.
    """
    from kilvoice.review.decisions import latest_run_id, load_decisions

    run_id = run_id or latest_run_id(store)
    if run_id is None:
        raise KilvoiceError("K804", path=store.path)
    runs = [r["id"] for r in store.runs()]
    if run_id not in runs:
        raise KilvoiceError("K303", run=run_id, path=store.path, available=", ".join(runs[-10:]) or "(none)")
    layout = build_layout(store, run_id)
    out = _target(output, force)
    n_codes = len(layout.themes) + sum(len(fw.items) for fw in layout.frameworks)
    if codebook_only:
        out.write_bytes(codebook_xml(layout))
        return {"path": str(out), "run_id": run_id, "sources": 0, "selections": 0, "codes": n_codes, "left_out": 0}
    decisions = [d for d in load_decisions(store) if d["kind"] != "redaction"]
    xml = project_xml(layout, decisions, title or f"kilvoice {store.path.parent.name} {run_id}")
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for src in layout.sources:
            z.writestr(f"sources/{layout.source_guid(src.conversation_id)}.txt", src.text.encode("utf-8"))
    tmp.replace(out)
    return {"path": str(out), "run_id": run_id, "sources": len(layout.sources),
            "selections": sum(len(s.spans) for s in layout.sources), "codes": n_codes, "left_out": layout.left_out}

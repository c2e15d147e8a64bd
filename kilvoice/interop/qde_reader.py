"""Read a REFI-QDA project (``.qdpx`` zip or a bare ``.qde`` XML file) into plain records.

Only what an import needs: users, codes (with their parents), text sources with their text and
coded selections, and the project's ``origin`` (the tool that wrote it). Files with a DOCTYPE or
entity declarations are refused (K852), and so are archives that unpack to more than
``MAX_MB`` (K857): the file comes from outside the council's machine.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from kilvoice.errors import KilvoiceError

NS = "{urn:QDA-XML:project:1.0}"
MAX_MB = 500
UNSAFE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


@dataclass
class QdaCode:
    guid: str
    name: str
    description: str = ""
    parent: str | None = None                 # guid of the parent code
    ancestors: tuple[str, ...] = ()           # guids from the root down to the parent


@dataclass
class QdaSelection:
    guid: str
    name: str
    start: int
    end: int
    codes: list[str] = field(default_factory=list)    # code guids
    users: list[str] = field(default_factory=list)    # guids of the users who coded it


@dataclass
class QdaSource:
    guid: str
    name: str
    text: str | None
    selections: list[QdaSelection] = field(default_factory=list)


@dataclass
class QdaProject:
    name: str
    origin: str
    description: str
    users: dict[str, str]                      # guid -> name
    codes: dict[str, QdaCode]
    sources: list[QdaSource]
    creating_user: str | None = None
    modifying_user: str | None = None


def _norm_guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def _read_bytes(path: Path) -> tuple[bytes, zipfile.ZipFile | None]:
    """(project.qde bytes, the open zip or None for a bare .qde)."""
    if not path.exists():
        raise KilvoiceError("K210", path=path)
    if not zipfile.is_zipfile(path):
        data = path.read_bytes()
        if b"<Project" not in data[:4096]:
            raise KilvoiceError("K850", path=path, problem="neither a .qdpx zip nor a project.qde XML file")
        return data, None
    z = zipfile.ZipFile(path)
    if sum(i.file_size for i in z.infolist()) > MAX_MB * 1024 * 1024:
        z.close()
        raise KilvoiceError("K857", path=path, limit=MAX_MB)
    names = [n for n in z.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    if not names:
        z.close()
        raise KilvoiceError("K850", path=path, problem="the zip holds no project.qde")
    return z.read("project.qde" if "project.qde" in names else names[0]), z


def _source_text(el, z: zipfile.ZipFile | None) -> str | None:
    content = el.find(f"{NS}PlainTextContent")
    if content is not None:
        return content.text or ""
    ref = el.get("plainTextPath") or ""
    if z is None or not ref.startswith("internal://"):
        return None  # an external file: offsets are checked against kilvoice's own text instead
    name = "sources/" + ref[len("internal://"):]
    match = next((n for n in z.namelist() if n.lower() == name.lower()), None)
    if match is None:
        return None
    raw = z.read(match)
    return raw.decode("utf-8-sig", errors="replace")


def _codes(codebook, out: dict[str, QdaCode]) -> None:
    def walk(el, parent: str | None, ancestors: tuple[str, ...]) -> None:
        for code in el.findall(f"{NS}Code"):
            g = _norm_guid(code.get("guid"))
            out[g] = QdaCode(g, (code.get("name") or "").strip(), _text(code.find(f"{NS}Description")),
                             parent, ancestors)
            walk(code, g, ancestors + (g,))

    if codebook is not None:
        codes = codebook.find(f"{NS}Codes")
        if codes is not None:
            walk(codes, None, ())


def read_project(path: str | Path) -> QdaProject:
    """Parse ``path`` (``.qdpx`` or ``.qde``). Raises K850/K851/K852/K857."""
    path = Path(path)
    data, z = _read_bytes(path)
    try:
        if UNSAFE.search(data):
            raise KilvoiceError("K852", path=path)
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            raise KilvoiceError("K851", path=path, problem=f"line {exc.position[0]}") from None
        if root.tag != f"{NS}Project":
            raise KilvoiceError("K850", path=path, problem="its root element is not a urn:QDA-XML:project:1.0 Project")
        users = {_norm_guid(u.get("guid")): (u.get("name") or u.get("id") or "").strip()
                 for u in root.iter(f"{NS}User")}
        codes: dict[str, QdaCode] = {}
        _codes(root.find(f"{NS}CodeBook"), codes)
        sources = []
        holder = root.find(f"{NS}Sources")
        for el in holder.findall(f"{NS}TextSource") if holder is not None else []:
            src = QdaSource(_norm_guid(el.get("guid")), el.get("name") or "", _source_text(el, z))
            for sel in el.findall(f"{NS}PlainTextSelection"):
                try:
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    continue
                codings = sel.findall(f"{NS}Coding")
                src.selections.append(QdaSelection(
                    _norm_guid(sel.get("guid")), sel.get("name") or "", min(start, end), max(start, end),
                    [_norm_guid(c.find(f"{NS}CodeRef").get("targetGUID")) for c in codings
                     if c.find(f"{NS}CodeRef") is not None],
                    [_norm_guid(c.get("creatingUser")) for c in codings if c.get("creatingUser")]
                    + ([_norm_guid(sel.get("modifyingUser"))] if sel.get("modifyingUser") else [])))
            sources.append(src)
        return QdaProject(root.get("name") or "", (root.get("origin") or "").strip(),
                          _text(root.find(f"{NS}Description")), users, codes, sources,
                          _norm_guid(root.get("creatingUserGUID")) or None,
                          _norm_guid(root.get("modifyingUserGUID")) or None)
    finally:
        if z is not None:
            z.close()

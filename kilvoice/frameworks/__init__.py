"""Frameworks as data: YAML files listing the items (principles, priorities, objectives)
that resident themes are mapped onto.

A framework is referenced by a bundled id (``keep-it-local``) or by a path to a ``.yaml``
file. :func:`load_framework` raises :class:`~kilvoice.errors.KilvoiceError` naming the file,
the item and the problem; :func:`validate_framework` also returns warnings (unknown keys are
warnings, not errors, so a council can keep its own notes in the file). The format is
documented in ``docs/FRAMEWORKS.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kilvoice.errors import KilvoiceError

DATA_DIR = Path(__file__).parent / "data"

TOP_KEYS = {"id": str, "title": str, "description": str, "owner": str, "version": (str, int, float), "items": list}
ITEM_KEYS = {"id": (str, int), "title": str, "description": str, "examples": list, "keywords": list,
             "parent": (str, int)}
_TYPE_NAMES = {str: "text", list: "a list", int: "a number", float: "a number"}


@dataclass
class FrameworkItem:
    """One principle, priority or objective of a framework."""

    id: str
    title: str
    description: str = ""
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    parent: str | None = None

    def text(self) -> str:
        """Everything the zero-shot mapper reads about this item, as one string."""
        parts = [self.title, self.description, " ".join(self.keywords)]
        return ". ".join(p for p in parts if p)


@dataclass
class Framework:
    id: str
    title: str
    items: list[FrameworkItem]
    description: str = ""
    owner: str = ""
    version: str = ""
    path: str = ""
    warnings: list[str] = field(default_factory=list)

    def item(self, item_id: str) -> FrameworkItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    @property
    def item_ids(self) -> list[str]:
        return [it.id for it in self.items]

    def children(self, item_id: str) -> list[FrameworkItem]:
        return [it for it in self.items if it.parent == item_id]

    def as_dict(self) -> dict:
        return {
            "id": self.id, "title": self.title, "description": self.description, "owner": self.owner,
            "version": self.version,
            "items": [{k: v for k, v in vars(it).items() if v not in (None, "", [])} for it in self.items],
        }


def bundled_frameworks() -> dict[str, Path]:
    """Bundled framework ids mapped to their files, sorted by id."""
    return {p.stem: p for p in sorted(DATA_DIR.glob("*.yaml"))}


def _type_ok(value: Any, expected) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool):
        return False
    return isinstance(value, types)


def _type_name(expected) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(dict.fromkeys(_TYPE_NAMES.get(t, t.__name__) for t in types))


def resolve_path(ref: str | Path) -> Path:
    """A bundled id or a path to a framework file; K114/K110 when neither exists."""
    bundled = bundled_frameworks()
    ref_s = str(ref)
    if ref_s in bundled:
        return bundled[ref_s]
    path = Path(ref_s)
    if path.suffix.lower() in (".yaml", ".yml") or "/" in ref_s or "\\" in ref_s:
        if not path.is_file():
            raise KilvoiceError("K110", path=path, available=", ".join(bundled))
        return path
    raise KilvoiceError("K114", name=ref_s, available=", ".join(bundled))


def _string_list(path: Path, item_id: str, key: str, value: list) -> list[str]:
    out = []
    for n, entry in enumerate(value, 1):
        if isinstance(entry, bool) or not isinstance(entry, (str, int, float)):
            raise KilvoiceError("K113", path=path, item=item_id,
                                problem=f"'{key}' entry {n} must be text, not {type(entry).__name__}")
        text = str(entry).strip()
        if text:
            out.append(text)
    return out


def parse_framework(data: Any, path: str | Path) -> Framework:
    """Validate parsed YAML ``data`` (from file ``path``) and build a :class:`Framework`.

    Raises K112 (file-level problem) or K113 (item-level problem). Unknown keys become
    warnings on ``Framework.warnings``.
    """
    path = Path(path)
    warnings: list[str] = []
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise KilvoiceError("K112", path=path,
                            problem=f"the file is {kind}; it must be a mapping with 'id', 'title' and 'items'")
    for key in ("id", "title", "items"):
        if key not in data or data[key] in (None, ""):
            raise KilvoiceError("K112", path=path, problem=f"missing '{key}'")
    for key, value in data.items():
        if key not in TOP_KEYS:
            warnings.append(f"framework file {path}: unknown key '{key}' ignored; "
                            f"allowed: {', '.join(TOP_KEYS)}")
        elif value is not None and not _type_ok(value, TOP_KEYS[key]):
            raise KilvoiceError("K112", path=path,
                                problem=f"'{key}' must be {_type_name(TOP_KEYS[key])}, not {type(value).__name__}")
    if not data["items"]:
        raise KilvoiceError("K112", path=path, problem="'items' is empty; list at least one item")
    items: list[FrameworkItem] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["items"], 1):
        label = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") not in (None, "") else f"#{n}"
        if not isinstance(raw, dict):
            raise KilvoiceError("K113", path=path, item=label,
                                problem=f"must be a mapping with 'id' and 'title', not {type(raw).__name__}")
        for key in ("id", "title"):
            if raw.get(key) in (None, ""):
                raise KilvoiceError("K113", path=path, item=label, problem=f"missing '{key}'")
        for key, value in raw.items():
            if key not in ITEM_KEYS:
                warnings.append(f"framework file {path}, item '{label}': unknown key '{key}' ignored; "
                                f"allowed: {', '.join(ITEM_KEYS)}")
            elif value is not None and not _type_ok(value, ITEM_KEYS[key]):
                raise KilvoiceError("K113", path=path, item=label,
                                    problem=f"'{key}' must be {_type_name(ITEM_KEYS[key])}, not {type(value).__name__}")
        item_id = str(raw["id"]).strip()
        if item_id in seen:
            raise KilvoiceError("K113", path=path, item=item_id, problem="duplicate item id")
        seen.add(item_id)
        items.append(FrameworkItem(
            id=item_id,
            title=str(raw["title"]).strip(),
            description=str(raw.get("description") or "").strip(),
            examples=_string_list(path, item_id, "examples", raw.get("examples") or []),
            keywords=_string_list(path, item_id, "keywords", raw.get("keywords") or []),
            parent=str(raw["parent"]).strip() if raw.get("parent") not in (None, "") else None,
        ))
    by_id = {it.id: it for it in items}
    for it in items:
        if it.parent is not None and it.parent not in by_id:
            raise KilvoiceError("K113", path=path, item=it.id, problem=f"'parent' names unknown item '{it.parent}'")
    for it in items:
        chain, cur = [it.id], it.parent
        while cur is not None:
            if cur in chain:
                cycle = " -> ".join(chain[chain.index(cur):] + [cur])
                raise KilvoiceError("K113", path=path, item=it.id, problem=f"'parent' links form a cycle: {cycle}")
            chain.append(cur)
            cur = by_id[cur].parent
    version = data.get("version")
    return Framework(
        id=str(data["id"]).strip(), title=str(data["title"]).strip(), items=items,
        description=str(data.get("description") or "").strip(), owner=str(data.get("owner") or "").strip(),
        version="" if version is None else str(version), path=str(path), warnings=warnings,
    )


def load_framework(ref: str | Path) -> Framework:
    """Load a bundled framework by id or a framework file by path, validated.

    >>> load_framework("keep-it-local").items[0].id
    'kil-1'
    """
    import yaml

    if isinstance(ref, Framework):
        return ref
    path = resolve_path(ref)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KilvoiceError("K111", path=path, problem=f"not UTF-8 text ({exc.reason})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KilvoiceError("K111", path=path, problem=f"{problem}{where}") from None
    return parse_framework(data, path)


def validate_framework(ref: str | Path) -> list[str]:
    """Validate a framework file; return its warnings, raise KilvoiceError on the first error."""
    return load_framework(ref).warnings


def load_frameworks(refs) -> list[Framework]:
    """Load several frameworks; K112 if two share an id."""
    out: list[Framework] = []
    for ref in refs:
        fw = load_framework(ref)
        for other in out:
            if other.id == fw.id:
                raise KilvoiceError("K112", path=fw.path,
                                    problem=f"framework id '{fw.id}' is also used by {other.path}; ids must differ")
        out.append(fw)
    return out

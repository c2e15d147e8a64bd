"""What a REFI-QDA export of a run contains: its sources, statement offsets and codes.

Both the writer (:mod:`kilvoice.interop.qdpx_export`) and the reader of a recoded project
(:mod:`kilvoice.interop.qdpx_import`) build the same :class:`Layout` from the store, so a
selection in a returned file can be traced back to the statement it was written for.

What goes in: the redacted text of each conversation that has a statement in the run's
assignments (the ``utterances`` table, never ``raw_*``). A conversation with a safeguarding
flag contributes only the statements the run kept, one paragraph each, so a statement the
run withheld never reaches the file. GUIDs are derived from the run id and kilvoice's ids
(uuid5), so the same run always exports the same GUIDs.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field

from kilvoice.errors import KilvoiceError
from kilvoice.records import Link, Theme
from kilvoice.store.sqlite import Store

NAMESPACE = uuid.UUID("6f1f6e9e-4c1b-5a0e-9d43-6b696c766f69")  # kilvoice's own uuid5 namespace
SAFEGUARDING = "safeguarding"
CASE_VARIABLES = (("area", "Area"), ("setting", "Setting"), ("age_band", "Age band"), ("date", "Date"),
                  ("postcode_district", "Postcode district"))
PARAGRAPH = "\n\n"


def guid(*parts: str) -> str:
    """A stable GUID for a kilvoice object (``guid(run_id, "theme", theme_id)``)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


@dataclass
class Source:
    """One conversation as exported: its redacted text and where each statement is in it."""

    conversation_id: str
    text: str
    spans: dict[str, tuple[int, int]]          # statement id -> (start, end), characters
    meta: dict
    statements_only: bool = False              # safeguarding: the run's statements, nothing else

    @property
    def name(self) -> str:
        """Shown in the QDA tool: the note's own id (if it had one) and the conversation id."""
        note = self.meta.get("note_id")
        return f"{note} ({self.conversation_id})" if note else self.conversation_id


@dataclass
class Layout:
    run_id: str
    sources: list[Source]
    themes: list[Theme]
    assignments: dict[str, list[tuple[str, bool]]]   # statement id -> [(theme id, primary)]
    links: list[Link]
    frameworks: list = field(default_factory=list)   # kilvoice.frameworks.Framework
    left_out: int = 0                                # assigned statements no longer in the store

    def theme_guid(self, theme_id: str) -> str:
        return guid(self.run_id, "theme", theme_id)

    def item_guid(self, framework_id: str, item_id: str) -> str:
        return guid(self.run_id, "item", framework_id, item_id)

    def source_guid(self, conversation_id: str) -> str:
        return guid(self.run_id, "source", conversation_id)

    def selection_guid(self, statement_id: str) -> str:
        return guid(self.run_id, "selection", statement_id)

    def statement_at(self, conversation_id: str, start: int, end: int) -> str | None:
        """The statement a selection ``[start, end)`` of a source stands for: the one it overlaps
        most, if the overlap is at least half of the statement or of the selection."""
        src = next((s for s in self.sources if s.conversation_id == conversation_id), None)
        if src is None:
            return None
        best, best_overlap = None, 0
        for sid, (a, b) in src.spans.items():
            overlap = min(b, end) - max(a, start)
            if overlap > best_overlap and (overlap * 2 >= b - a or overlap * 2 >= end - start):
                best, best_overlap = sid, overlap
        return best


IGNORED = re.compile(r"[\s*_]")  # whitespace and Markdown emphasis, which segmenting may drop or add


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without whitespace or emphasis marks, and where each kept character was."""
    kept = [(i, ch) for i, ch in enumerate(text) if not IGNORED.match(ch)]
    return "".join(ch for _, ch in kept), [i for i, _ in kept]


def locate(text: str, piece: str, start: int = 0) -> tuple[int, int] | None:
    """Where ``piece`` is in ``text`` from ``start``: exactly, else ignoring whitespace and
    Markdown emphasis (a statement is its sentence with those tidied)."""
    at = text.find(piece, start)
    if at >= 0:
        return at, at + len(piece)
    squeezed, where = _squeeze(text)
    needle, _ = _squeeze(piece)
    if not needle:
        return None
    first = next((k for k, i in enumerate(where) if i >= start), len(where))
    k = squeezed.find(needle, first)
    if k < 0:
        return None
    return where[k], where[k + len(needle) - 1] + 1


def _full_text(utterances, statements) -> tuple[str, dict[str, tuple[int, int]]] | None:
    """The conversation's redacted utterances as paragraphs, and each statement's offsets;
    None when a statement cannot be found in its utterance."""
    text, spans, offset = "", {}, 0
    by_utt: dict[int, list[dict]] = {}
    for st in statements:
        by_utt.setdefault(st["utterance_idx"], []).append(st)
    for u in utterances:
        if text:
            text += PARAGRAPH
        offset = len(text)
        cursor = 0
        for st in sorted(by_utt.pop(u.index, []), key=lambda r: r["idx"]):
            where = locate(u.text, st["text"], cursor)
            if where is None:
                return None
            spans[st["id"]] = (offset + where[0], offset + where[1])
            cursor = where[1]
        text += u.text
    return (text, spans) if not by_utt else None


def _statements_text(statements) -> tuple[str, dict[str, tuple[int, int]]]:
    text, spans = "", {}
    for st in sorted(statements, key=lambda r: (r["utterance_idx"], r["idx"])):
        if text:
            text += PARAGRAPH
        spans[st["id"]] = (len(text), len(text) + len(st["text"]))
        text += st["text"]
    return text, spans


def run_frameworks(store: Store, run_id: str) -> list:
    """The frameworks the run's pipeline mapped onto (empty when none or their files are gone)."""
    from kilvoice.frameworks import load_frameworks

    row = store.db.execute("SELECT manifest FROM runs WHERE id=?", (run_id,)).fetchone()
    manifest = json.loads((row[0] if row else None) or "{}")
    refs = ((manifest.get("config") or {}).get("map") or {}).get("frameworks") or []
    try:
        return load_frameworks(refs) if refs else []
    except KilvoiceError:
        return []


def build_layout(store: Store, run_id: str) -> Layout:
    """The export of ``run_id``'s reviewed results (themes, assignments and links as saved)."""
    from kilvoice.review.results import load_results

    themes, assignment_rows, links = load_results(store, run_id)
    assignments: dict[str, list[tuple[str, bool]]] = {}
    for a in assignment_rows:
        assignments.setdefault(a.statement_id, []).append((a.theme_id, a.primary))
    if not assignments:
        raise KilvoiceError("K854", run=run_id)
    flagged = {f["conversation_id"] for f in store.flags(SAFEGUARDING)}
    by_conv: dict[str, list[dict]] = {}
    left_out = 0
    known = {r["id"]: dict(r) for r in store.db.execute(
        "SELECT id, conversation_id, utterance_idx, idx, text FROM statements")}
    for sid in assignments:
        st = known.get(sid)
        if st is None:
            left_out += 1
            continue
        by_conv.setdefault(st["conversation_id"], []).append(st)
    conversations = {c["id"]: c for c in store.conversations(None)}
    sources = []
    for cid in sorted(by_conv):
        statements = by_conv[cid]
        full = None if cid in flagged else _full_text(store.redacted_utterances(cid), statements)
        text, spans = full if full is not None else _statements_text(statements)
        sources.append(Source(cid, text, spans, conversations.get(cid, {}), statements_only=full is None))
    return Layout(run_id, sources, themes, assignments, links, run_frameworks(store, run_id), left_out)

"""Tables: .csv/.tsv (streamed), .xlsx (openpyxl read-only), Pol.is ``comments.csv`` exports,
and transcripts kept as tables (a ``speaker`` column). One note per row, or per group of
rows for a transcript table.

Column mapping (``--map text=Notes;Extra,area=Ward``): ``text`` names one or more answer
columns (``;``-separated), ``speaker`` marks a transcript table, any schema field names
the column holding it. Without a mapping, known column names are recognised.
"""
from __future__ import annotations

import csv
import io
import itertools
import sys
from pathlib import Path
from typing import Any, Iterator

from kilvoice.errors import KilvoiceError
from kilvoice.ingest.formats import (Context, RowNote, facilitator_names, last_question, make_note, question_of,
                                     transcript_utterances)
from kilvoice.ingest.formats.roles import turn_utterances
from kilvoice.ingest.formats.text import CONTROL, row_note
from kilvoice.ingest.metadata import FIELDS, normalise_key
from kilvoice.records import Note

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

# Default answer columns, in order of preference, with the question each answers.
TEXT_COLUMNS = {
    "whats_good": "strong", "whats_strong": "strong", "what_is_good": "strong", "strengths": "strong",
    "good": "strong", "strong": "strong",
    "make_it_better": "future", "what_would_make_it_better": "future", "next_generation": "future",
    "better": "future", "improve": "future", "improvements": "future",
    "text": None, "notes": None, "note": None, "body": None, "comment": None, "comments": None,
    "response": None, "answer": None, "content": None, "comment_body": None, "feedback": None,
}
GROUP_COLUMNS = ("conversation_id", "meeting_id", "session_id", "conversation", "session", "transcript_id")


def _norm(col: Any) -> str:
    return normalise_key(col).replace("'", "")


def plan_columns(columns: list[str], ctx: Context, sample: list[dict] | None = None
                 ) -> tuple[list[str], dict[str, str], dict[str, str | None], dict]:
    """Decide (text columns, column -> schema field, text column -> question, extras).

    Without a mapping, a survey platform's export (``kilvoice.interop.surveys``) is recognised by
    its columns and planned from them and the ``sample`` rows."""
    normcols = {_norm(c): c for c in columns if c is not None}
    polis = "comment_id" in normcols and "comment_body" in normcols  # a Pol.is export, never a survey
    if not ctx.mapping and not polis:
        from kilvoice.interop.surveys import detect, survey_plan

        platform = detect(columns)
        if platform is not None:
            return survey_plan(platform, columns, sample or [], ctx.display)
    mapping = dict(ctx.mapping or {})
    by_norm: dict[str, str] = {}
    for c in columns:
        if c is not None:
            by_norm.setdefault(str(c).strip().lower(), c)
            by_norm.setdefault(_norm(c), c)
    extras: dict[str, Any] = {}

    def find(name: str, key: str) -> str:
        col = by_norm.get(name.strip().lower()) or by_norm.get(_norm(name))
        if col is None:
            raise KilvoiceError("K214", path=ctx.display, key=key, column=name,
                                columns=", ".join(str(c) for c in columns if c is not None)[:300])
        return col

    if polis and "text" not in mapping:
        mapping.setdefault("text", normcols["comment_body"])
        mapping.setdefault("id", normcols["comment_id"])

    text_cols: list[str] = []
    if "text" in mapping:
        text_cols = [find(n, "text") for n in str(mapping["text"]).split(";") if n.strip()]
    else:
        for name in TEXT_COLUMNS:
            if name in normcols:
                q = TEXT_COLUMNS[name]
                if q is None and text_cols:
                    continue  # generic text columns only when no answer columns were found
                text_cols.append(normcols[name])
                if q is None:
                    break
    if not text_cols:
        raise KilvoiceError("K208", path=ctx.display,
                            columns=", ".join(str(c) for c in columns if c is not None)[:300] or "(none)")
    questions = {c: TEXT_COLUMNS.get(_norm(c), question_of(str(c))) for c in text_cols}

    meta_cols: dict[str, str] = {}
    for key, name in mapping.items():
        if key in ("text", "speaker", "role", "question"):
            continue
        if normalise_key(key) not in FIELDS:
            raise KilvoiceError("K215", path=ctx.display, key=key, fields=", ".join(("text", "speaker") + FIELDS))
        meta_cols[find(name, key)] = normalise_key(key)
    if "speaker" in mapping:
        extras["speaker"] = find(mapping["speaker"], "speaker")
        group = meta_cols and next((c for c, f in meta_cols.items() if f == "id"), None)
        if not group:
            group = next((normcols[g] for g in GROUP_COLUMNS if g in normcols), None)
        extras["group"] = group
        if "role" in mapping:
            extras["role"] = find(mapping["role"], "role")
    return text_cols, meta_cols, questions, extras


class _CountingReader(io.RawIOBase):
    """A binary stream that reports how many bytes were read (for the progress bar)."""

    def __init__(self, raw, callback):
        self.raw, self.callback = raw, callback

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n and self.callback:
            self.callback(n)
        return n or 0


def _rows_csv(path: Path, ctx: Context) -> Iterator[tuple[list[str], dict]]:
    raw = open(path, "rb")
    try:
        stream = io.TextIOWrapper(io.BufferedReader(_CountingReader(raw, ctx.on_bytes)),
                                  encoding=ctx.encoding or "utf-8", newline="")
        head = stream.read(65536)
        if CONTROL.search(head[:4096]) and len(CONTROL.findall(head)) > max(2, 0.01 * len(head)):
            raise KilvoiceError("K202", path=ctx.display)
        first = head.lstrip("\ufeff").split("\n", 1)[0]
        if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first):
            delimiter = "\t"
        elif ";" in first and "," not in first:
            delimiter = ";"
        else:
            delimiter = ","
        text = _Chain(head.lstrip("\ufeff"), stream)
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                raise KilvoiceError("K201", path=ctx.display)
            header = [h.strip() for h in header]
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                record = dict(zip(header, row))
                if len(row) > len(header):  # unquoted commas: keep the overflow, never drop it
                    record["unnamed_columns"] = ",".join(row[len(header):])
                yield header, record
        except csv.Error as exc:
            raise KilvoiceError("K205", path=ctx.display,
                                problem=f"malformed CSV near line {reader.line_num} ({exc}). "
                                        "Check quoting, or re-export it as CSV UTF-8") from None
    finally:
        raw.close()


class _Chain:
    """Iterate lines of an already-read head followed by the rest of a text stream."""

    def __init__(self, head: str, stream):
        self.head, self.stream = head, stream

    def __iter__(self):
        tail = ""
        if self.head:
            lines = self.head.splitlines(keepends=True)
            if lines and not lines[-1].endswith(("\n", "\r")):
                tail = lines.pop()
            yield from lines
        first = True
        for line in self.stream:
            if first and tail:
                line, first = tail + line, False
            first = False
            yield line
        if first and tail:
            yield tail


def _rows_xlsx(path: Path, ctx: Context) -> Iterator[tuple[list[str], dict]]:
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise KilvoiceError("K212", path=ctx.display, problem="it is password-protected or an old .xls file")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except KilvoiceError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise KilvoiceError("K212", path=ctx.display, problem=type(exc).__name__) from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise KilvoiceError("K201", path=ctx.display)
        rows = ws.iter_rows(values_only=True)
        header = None
        for values in rows:
            if header is None:
                if values and any(v not in (None, "") for v in values):
                    header = [str(v).strip() if v is not None else f"column_{i + 1}" for i, v in enumerate(values)]
                continue
            if not values or all(v in (None, "") for v in values):
                continue
            yield header, {h: ("" if v is None else v) for h, v in zip(header, values)}
        if header is None:
            raise KilvoiceError("K201", path=ctx.display)
    finally:
        wb.close()


def _notes_from_rows(rows: Iterator[tuple[list[str], dict]], ctx: Context) -> Iterator[Note]:
    from kilvoice.interop.surveys import SAMPLE_ROWS

    plan = None
    rows = iter(rows)
    head = list(itertools.islice(rows, SAMPLE_ROWS))  # a survey's closed questions are told by their answers
    n = 0
    group_key: Any = object()
    group_rows: list[dict] = []

    def transcript_note(rows_: list[dict]) -> Note:
        text_cols, meta_cols, questions, extras = plan
        first = rows_[0]
        raw = {meta_cols.get(c, c): v for c, v in first.items()
               if c not in text_cols and c != extras["speaker"] and c in meta_cols}
        conv = facilitator_names(raw, ctx.sidecar)
        turns = [(str(r.get(extras["speaker"]) or "").strip() or None,
                  " ".join(str(r.get(c) or "").strip() for c in text_cols).strip()) for r in rows_]
        if extras.get("role"):  # a role column, where given, decides who facilitates
            side = {sp for (sp, _), r in zip(turns, rows_)
                    if str(r.get(extras["role"], "")).strip().lower() == "conversationalist"}
            utts = turn_utterances(turns, side, last_question) if side else transcript_utterances(turns, conv)
        else:
            utts = transcript_utterances(turns, conv)
        return make_note(ctx, n, raw, utts)

    for header, row in itertools.chain(head, rows):
        if plan is None:
            plan = plan_columns(header, ctx, [r for _, r in head])
            row_plan = plan[:3]  # one object for every RowNote (pickled once per chunk)
        text_cols, meta_cols, questions, extras = plan
        if extras.get("drop"):
            row = {k: v for k, v in row.items() if k not in extras["drop"]}
        if "speaker" in extras:
            key = row.get(extras["group"]) if extras.get("group") else None
            if group_rows and key != group_key:
                yield transcript_note(group_rows)
                n += 1
                group_rows = []
            group_key = key
            group_rows.append(row)
            continue
        yield RowNote(n, row, row_plan) if ctx.defer_rows else row_note(ctx, n, row, text_cols, meta_cols, questions)
        n += 1
    if group_rows:
        yield transcript_note(group_rows)
        n += 1
    if plan is None:
        raise KilvoiceError("K213", path=ctx.display)


def iter_csv(path: Path, ctx: Context) -> Iterator[Note]:
    """Notes from a CSV/TSV file, streamed row by row."""
    yield from _notes_from_rows(_rows_csv(path, ctx), ctx)


def iter_xlsx(path: Path, ctx: Context) -> Iterator[Note]:
    """Notes from the first sheet of an .xlsx workbook (header in the first non-empty row)."""
    yield from _notes_from_rows(_rows_xlsx(path, ctx), ctx)

"""Ingest's per-note work off the writer's path: make each note and its store rows, and screen it
as far as the store is not needed, on a chunk of notes wherever the executor runs it.

With a pool (``--jobs``) or a Dask cluster the process that reads a file sends chunks of table rows
(:class:`~kilvoice.ingest.formats.RowNote`: the note not yet made) or notes to the workers, which
return per note ``(note_rows(note), Screener.prepare(note))``: plain values the writer inserts as
they are. The writer then only screens against the store (exact and near duplicates of the notes
stored so far) and inserts, in file order, so the store is what one process would write.
"""
from __future__ import annotations

from typing import Any, Sequence

from kilvoice.ingest.formats import Context, RowNote
from kilvoice.ingest.formats.text import row_note
from kilvoice.ingest.screening import Prepared, preparer
from kilvoice.records import Note
from kilvoice.store.sqlite import note_rows


def made(ctx: Context, item: Note | RowNote) -> Note:
    """The note of a parser's item (a note, or a table row not yet made into one)."""
    return row_note(ctx, item.index, item.row, *item.plan) if isinstance(item, RowNote) else item


def prepare_rows(settings: dict, source: str, sidecar: dict[str, Any], items: Sequence[Note | RowNote]
                 ) -> list[tuple[tuple, Prepared]]:
    """``(note_rows(note), Screener.prepare(note))`` of each item of one file's chunk (no store)."""
    ctx = Context(source=source, display=source, sidecar=sidecar)
    screener = preparer(settings)
    out = []
    for item in items:
        note = made(ctx, item)
        out.append((note_rows(note), screener.prepare(note)))
    return out

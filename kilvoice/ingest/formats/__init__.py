"""File parsers: one module per family of formats, each a pure generator of ``Note``s.

``iter_notes(path, ...)`` picks the parser by suffix, applies a sidecar ``<file>.meta.yaml``
and turns parser failures into ``KilvoiceError`` with a K2xx code. Parsers never print
and never put resident text in an error message.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

from kilvoice.errors import KilvoiceError
from kilvoice.ingest.metadata import validate
from kilvoice.records import Note, Utterance

SUPPORTED = (".txt", ".md", ".docx", ".csv", ".tsv", ".xlsx", ".jsonl", ".pdf", ".vtt", ".srt")
TEXT_SUFFIXES = {".txt", ".md", ".csv", ".tsv", ".jsonl", ".vtt", ".srt"}

STRONG = re.compile(
    r"what(?:'|’)?s\s+(?:good|strong|great|best)|what\s+is\s+(?:good|strong|great|best)|\bstrengths?\b"
    r"|what\s+do\s+you\s+(?:like|love|value)|good\s+about|strong\s+about|\bwhats_?good\b|\bwhats_?strong\b",
    re.I,
)
FUTURE = re.compile(
    r"make\s+it\s+better|making\s+it\s+better|next\s+generation|\bbetter\s+for\b|\bimprove"
    r"|what\s+would\s+you\s+change|needs?\s+to\s+change|\bmake_?it_?better\b|\bfuture\b",
    re.I,
)
INTERVIEWER_LABELS = {"interviewer", "conversationalist", "facilitator", "volunteer", "host", "moderator",
                      "q", "question", "me"}


@dataclass
class Context:
    """What a parser needs besides the path."""

    source: str                        # the path as stored (relative to root where possible)
    display: str                       # the path as shown in messages
    encoding: str | None = None        # decided by the scan of text files
    mapping: dict[str, str] | None = None
    sidecar: dict[str, Any] = field(default_factory=dict)
    on_bytes: Callable[[int], None] | None = None   # progress callback for streamed files
    defer_rows: bool = False           # tables yield RowNote, for a worker to make the note (ingest with a pool)


class RowNote(NamedTuple):
    """A table row not yet made into its note: ``row_note(ctx, index, row, *plan)`` makes it.
    Tables and JSON Lines yield these instead of notes when ``Context.defer_rows`` is set, so the
    note is made (metadata validated) in an ingest worker, not in the process that reads the file."""

    index: int
    row: dict
    plan: tuple  # (text columns, column -> schema field, text column -> question)


def question_of(text: str) -> str | None:
    """'strong' or 'future' when ``text`` names one of the two Big Conversation questions."""
    if FUTURE.search(text):
        return "future"
    if STRONG.search(text):
        return "strong"
    return None


def last_question(text: str) -> str | None:
    """The question asked last in a conversationalist's turn (intros often name both)."""
    best, where = None, -1
    for name, rx in (("strong", STRONG), ("future", FUTURE)):
        for m in rx.finditer(text):
            if m.start() > where:
                best, where = name, m.start()
    return best


def role_of(speaker: str | None, conversationalist: str | None) -> str:
    """A transcript speaker's role from the label alone: the conversationalist (full or first
    name, one of several names separated by ``;``, or a label such as Interviewer) or a
    resident. Whole transcripts use :func:`kilvoice.ingest.formats.roles.facilitators`,
    which also recognises an unnamed chair or questioner from what they say."""
    from kilvoice.ingest.formats.roles import named_facilitators

    if not speaker:
        return "unknown"
    return "conversationalist" if named_facilitators([speaker], conversationalist, INTERVIEWER_LABELS) else "resident"


def facilitator_names(meta: dict[str, Any], sidecar: dict[str, Any]) -> str | None:
    """The conversationalist or facilitator names given in a note's metadata or sidecar
    (any key case), joined with ``;``."""
    names = [str(v) for src in (meta, sidecar) for k, v in src.items()
             if str(k).strip().lower() in ("conversationalist", "facilitator", "interviewer", "chair") and v]
    return "; ".join(dict.fromkeys(names)) or None


def transcript_utterances(turns: list[tuple[str | None, str]], conversationalist: str | None) -> list[Utterance]:
    """Utterances of a transcript's (speaker, text) turns with roles and questions set."""
    from kilvoice.ingest.formats.roles import facilitators, turn_utterances

    side = facilitators(turns, conversationalist, INTERVIEWER_LABELS)
    return turn_utterances(turns, side, last_question)


def make_note(ctx: Context, index: int, raw_meta: dict[str, Any], utterances: list[Utterance],
              warnings: list[str] | None = None) -> Note:
    """Merge sidecar and in-file metadata (in-file wins), validate, number the utterances.
    A transcript whose metadata does not say how many residents took part gets the number of
    its distinct resident speakers."""
    merged = dict(ctx.sidecar)
    merged.update({k: v for k, v in raw_meta.items() if v not in (None, "")})
    meta, extra, warns = validate(merged)
    kept = [u for u in utterances if u.text and u.text.strip()]
    heard = {u.speaker for u in kept if u.speaker and u.role == "resident"}
    if heard and "residents" not in meta:  # reach of a transcript: its distinct resident speakers
        meta["residents"] = len(heard)     # (the labels themselves stay in raw_utterances)
    for i, u in enumerate(kept):
        u.index = i
        u.text = u.text.strip()
    note_id = str(meta.get("id") or f"{ctx.source}#{index}")
    return Note(id=note_id, source=ctx.source, utterances=kept, meta=meta, extra=extra,
                warnings=(warnings or []) + warns)


def iter_notes(path: Path, ctx: Context) -> Iterator[Note]:
    """Parse one file into notes, by suffix. Raises KilvoiceError (K2xx) on bad input."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise KilvoiceError("K203", path=ctx.display, suffix=suffix or "(none)", supported=" ".join(SUPPORTED))
    try:
        if suffix in (".txt", ".md"):
            from kilvoice.ingest.formats.text import iter_text
            yield from iter_text(path, ctx)
        elif suffix == ".jsonl":
            from kilvoice.ingest.formats.text import iter_jsonl
            yield from iter_jsonl(path, ctx)
        elif suffix in (".csv", ".tsv"):
            from kilvoice.ingest.formats.tabular import iter_csv
            yield from iter_csv(path, ctx)
        elif suffix == ".xlsx":
            from kilvoice.ingest.formats.tabular import iter_xlsx
            yield from iter_xlsx(path, ctx)
        elif suffix == ".docx":
            from kilvoice.ingest.formats.docx import iter_docx
            yield from iter_docx(path, ctx)
        elif suffix == ".pdf":
            from kilvoice.ingest.formats.pdf import iter_pdf
            yield from iter_pdf(path, ctx)
        elif suffix == ".vtt":
            from kilvoice.ingest.formats.transcripts import iter_vtt
            yield from iter_vtt(path, ctx)
        elif suffix == ".srt":
            from kilvoice.ingest.formats.transcripts import iter_srt
            yield from iter_srt(path, ctx)
    except KilvoiceError:
        raise
    except UnicodeDecodeError as exc:
        raise KilvoiceError("K204", path=ctx.display, problem=f"{exc.encoding} at byte {exc.start}") from None
    except zipfile.BadZipFile as exc:
        code = {".docx": "K207", ".xlsx": "K212"}.get(suffix, "K205")
        raise KilvoiceError(code, path=ctx.display, problem=f"damaged or truncated file: {exc}") from None
    except MemoryError:
        raise KilvoiceError("K205", path=ctx.display, problem="too large to parse in memory; split it") from None
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
        # Parser libraries raise many types on damaged files; the message names the type only
        # (library messages can quote file content).
        raise KilvoiceError("K205", path=ctx.display,
                            problem=f"the file is damaged or not a valid {suffix} file ({type(exc).__name__})") from None

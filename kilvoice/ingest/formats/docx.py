"""Word documents: leading ``Key: value`` paragraphs (ended by an empty paragraph) are
metadata; body paragraphs and tables follow in document order. A two-column table whose
rows are (question, answer) gives one utterance per answer, with the question detected."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from kilvoice.errors import KilvoiceError
from kilvoice.ingest.formats import Context, make_note, question_of
from kilvoice.ingest.formats.text import body_utterances, split_header
from kilvoice.records import Note, Utterance

OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def _blocks(doc) -> Iterator[tuple[str, object]]:
    """Paragraphs and tables of the body, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield "p", Paragraph(child, doc)
        elif tag == "tbl":
            yield "t", Table(child, doc)


def iter_docx(path: Path, ctx: Context) -> Iterator[Note]:
    """One note per .docx file."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == OLE_MAGIC:
        raise KilvoiceError("K207", path=ctx.display, problem="it is password-protected or an old .doc file")
    if not magic.startswith(b"PK"):
        raise KilvoiceError("K207", path=ctx.display, problem="it is not a Word .docx file")
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = docx.Document(str(path))
    except PackageNotFoundError:
        raise KilvoiceError("K207", path=ctx.display, problem="it is not a Word .docx file") from None
    except KilvoiceError:
        raise
    except Exception as exc:  # damaged zip/XML: lxml, zipfile and KeyError variants
        raise KilvoiceError("K207", path=ctx.display, problem=f"damaged file ({type(exc).__name__})") from None

    lines: list[str] = []
    tables: list[tuple[int, list[Utterance]]] = []  # (position in lines, utterances)
    for kind, block in _blocks(doc):
        if kind == "p":
            lines.extend(block.text.split("\n") if block.text else [""])
            continue
        utts: list[Utterance] = []
        rows = block.rows
        for i, row in enumerate(rows):
            cells = [c.text.strip() for c in row.cells]
            if len(cells) >= 2:
                q_text, answer = cells[0], " ".join(dict.fromkeys(c for c in cells[1:] if c))
                if i == 0 and q_text.lower() in ("question", "q") and answer.lower() in ("answer", "a", "response"):
                    continue
                utts.append(Utterance(index=0, text=answer, question=question_of(q_text)))
            elif cells:
                utts.append(Utterance(index=0, text=cells[0]))
        lines.append("")
        tables.append((len(lines), utts))
        lines.append("")
    meta, body, warnings = split_header("\n".join(lines))
    from kilvoice.ingest.formats.transcripts import timed_note

    transcript = None if tables else timed_note(ctx, meta, body, warnings)  # a Teams transcript
    if transcript is not None:
        yield transcript
        return
    # Rebuild body in order: paragraphs between tables, then each table's answers.
    header_len = _header_length(lines) if meta else 0
    utterances: list[Utterance] = []
    start = header_len
    for pos, utts in tables:
        if pos < start:
            continue
        utterances.extend(body_utterances(lines[start:pos]))
        utterances.extend(utts)
        start = pos
    utterances.extend(body_utterances(lines[start:]))
    if not any(u.text.strip() for u in utterances):
        raise KilvoiceError("K213", path=ctx.display)
    yield make_note(ctx, 0, meta, utterances, warnings)


def _header_length(lines: list[str]) -> int:
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].strip() == "---":
        for j in range(i + 1, len(lines)):
            if lines[j].strip() in ("---", "..."):
                return j + 1
    while i < len(lines) and lines[i].strip():
        i += 1
    return i

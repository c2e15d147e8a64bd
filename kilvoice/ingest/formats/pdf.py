"""PDF with a text layer (pypdf): the extracted text is read like a .txt note."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

from kilvoice.errors import KilvoiceError
from kilvoice.ingest.formats import Context, make_note
from kilvoice.ingest.formats.text import body_utterances, split_header
from kilvoice.records import Note


def iter_pdf(path: Path, ctx: Context) -> Iterator[Note]:
    """One note per PDF file."""
    with open(path, "rb") as fh:
        if not fh.read(1024).lstrip().startswith(b"%PDF"):
            raise KilvoiceError("K211", path=ctx.display, problem="it is not a PDF file")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # missing crypto backend or damaged encryption dictionary
                ok = 0
            if not ok:
                raise KilvoiceError("K211", path=ctx.display, problem="it is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
    except KilvoiceError:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on damaged files
        raise KilvoiceError("K211", path=ctx.display, problem=f"damaged or truncated ({type(exc).__name__})") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise KilvoiceError("K211", path=ctx.display, problem="it has no text layer (a scan?)")
    meta, body, warnings = split_header(text)
    utterances = body_utterances(body)
    if not utterances:
        raise KilvoiceError("K213", path=ctx.display)
    yield make_note(ctx, 0, meta, utterances, warnings)

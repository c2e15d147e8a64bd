"""Read a labelled CSV for the eval commands as robustly as ingest reads notes: any field size,
a BOM, UTF-8 / UTF-16 / cp1252 (``kilvoice.ingest.formats.text.decode``), and a missing column
named with the columns found (K502)."""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Iterator

from kilvoice.errors import KilvoiceError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a long forum post is one field; there is no limit


def read_rows(path: str | Path, needed: list[str | None]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, row)`` for each data row of the CSV at ``path``; every name in ``needed``
    (``None`` entries are ignored) must be a column. Raises K210, K201/K202/K204 (unreadable), K502."""
    from kilvoice.ingest.formats.text import decode

    path = Path(path)
    if not path.is_file():
        raise KilvoiceError("K210", path=path)
    text = decode(path.read_bytes(), str(path))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c for c in (reader.fieldnames or [])]
    for col in needed:
        if col is not None and col not in columns:
            raise KilvoiceError("K502", path=path, column=col, columns=", ".join(columns) or "(none)")
    line = reader.line_num
    for row in reader:
        yield line + 1, {k: (v if isinstance(v, str) else "") for k, v in row.items() if k is not None}
        line = reader.line_num

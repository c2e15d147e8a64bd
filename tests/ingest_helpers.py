"""Small file makers shared by the ingest tests (no fixtures from the network)."""
from __future__ import annotations

from pathlib import Path

NOTE = (
    "ID: {id}\nConversationalist: Ann Example\nSetting: workplace\nArea: Testford\n"
    "Postcode_district: kv{n}\nDate: 12/06/2022\nAge_band: 60s\nResidents: 2\nConsent_to_quote: y\n"
    "Language: English\nFavourite colour: blue\n\n"
    "Good: the park number {n} and the library, people look out for each other here {n}.\n"
    "Better: buses after six in the evening for route {n}, and somewhere for teenagers {n} to go.\n"
)


def note_text(n: int) -> str:
    return NOTE.format(id=f"T-{n:04d}", n=n)


def make_pdf(path: Path, lines: list[str]) -> None:
    """A one-page PDF with a real text layer (Helvetica), written by hand."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = "BT /F1 11 Tf 14 TL 72 760 Td " + " ".join(f"({esc(l)}) Tj T*" for l in lines) + " ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(out)


def make_docx(path: Path, header: list[str], body: list[str], table: list[tuple[str, str]] | None = None) -> None:
    import docx

    doc = docx.Document()
    for line in header:
        doc.add_paragraph(line)
    doc.add_paragraph("")
    for line in body:
        doc.add_paragraph(line)
    if table:
        t = doc.add_table(rows=1, cols=2)
        t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Question", "Answer"
        for q, a in table:
            row = t.add_row()
            row.cells[0].text, row.cells[1].text = q, a
    doc.save(str(path))


def make_xlsx(path: Path, rows: list[list]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(str(path))

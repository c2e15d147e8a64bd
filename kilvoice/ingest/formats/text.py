"""Plain-text notes (.txt with a ``Key: value`` header, .md with YAML front matter), JSON lines,
and the text decoding every text format shares (BOMs, UTF-8, UTF-16, cp1252)."""
from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any, Iterator

import yaml

from kilvoice.errors import KilvoiceError
from kilvoice.ingest.formats import Context, RowNote, make_note, question_of
from kilvoice.ingest.metadata import parse_header_lines
from kilvoice.records import Note, Utterance

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff_encoding(head: bytes) -> str | None:
    """Encoding from a BOM or a UTF-16 NUL pattern; None when there is no such sign."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    sample = head[:512]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def decode(data: bytes, display: str, encoding: str | None = None) -> str:
    """Decode a whole text file: BOM / UTF-16 pattern, then UTF-8, then cp1252.

    Raises K201 for empty files, K202 for binary content and K204 for undecodable bytes.
    """
    if not data.strip(b" \t\r\n\x00") and not data.strip():
        raise KilvoiceError("K201", path=display)
    enc = encoding or sniff_encoding(data[:4096])
    if enc is None and b"\x00" in data:
        raise KilvoiceError("K202", path=display)
    candidates = [enc] if enc else ["utf-8", "cp1252"]
    text = None
    for name in candidates:
        try:
            text = data.decode(name)
            break
        except UnicodeDecodeError as exc:
            problem = f"not valid {name} at byte {exc.start}"
    if text is None:
        raise KilvoiceError("K204", path=display, problem=problem)
    check_text(text, display)
    return text.lstrip("\ufeff")


def check_text(text: str, display: str) -> None:
    """K202 when decoded text is mostly control characters (a binary file), K201 when blank."""
    sample = text[:65536]
    if sample and len(CONTROL.findall(sample)) > max(2, 0.01 * len(sample)):
        raise KilvoiceError("K202", path=display)
    if not text.strip(" \t\r\n\ufeff\x00"):
        raise KilvoiceError("K201", path=display)


def read_text(path: Path, ctx: Context) -> str:
    return decode(path.read_bytes(), ctx.display, ctx.encoding)


LABELS = {
    "good": "strong", "strong": "strong", "strengths": "strong", "strength": "strong", "positives": "strong",
    "good things": "strong", "whats good": "strong", "whats strong": "strong", "the good": "strong",
    "better": "future", "make it better": "future", "improve": "future", "improvements": "future",
    "next gen": "future", "next generation": "future", "future": "future", "to improve": "future",
    "would make it better": "future", "ideas": "future", "wishes": "future",
}
_BULLET = re.compile(r"^([-*+•]|\d+[.)])\s+")
_LABEL = re.compile(r"^(?P<h>[^:?]{2,120}?)\s*(?P<p>[:?])\s*(?P<rest>.*)$")
_DASH_LABEL = re.compile(r"^(?P<h>[^-–—:?]{2,60}?)\s+[-–—]+\s+(?P<rest>\S.*)$")  # "Better - the buses"
_BOLD_LINE = re.compile(r"^(\*\*|__)[^*_]{2,100}(\*\*|__)\s*:?$")  # "**Good**" alone on its line


def _label_key(head: str) -> str:
    key = re.sub(r"[^a-z ]", "", head.lower().replace("'", "").replace("’", "")).strip()
    return re.sub(r"\s+", " ", key)


def heading_question(line: str) -> tuple[str | None, str]:
    """(question, rest of line) when ``line`` is a heading naming a question
    ("Good: ...", "## What would make it better?", "**Better:** ...", a line that is only
    "**Good**", a known label and a dash: "Better - the buses", or a label among others:
    "Worse / better:"), else (None, line)."""
    bold = _BOLD_LINE.match(line.strip()) is not None
    clean = re.sub(r"\*\*|__", "", line).strip()
    hashes = clean.startswith("#") or bold
    clean = clean.lstrip("#").strip()
    dash = _DASH_LABEL.match(clean)
    if dash:
        key = _label_key(dash["h"])
        q = LABELS.get(key) or (question_of(dash["h"]) if key.startswith(("what", "how")) else None)
        if q:
            return q, dash["rest"].strip()
    m = _LABEL.match(clean)
    head, rest = (m["h"], m["rest"]) if m else (clean if hashes else "", "")
    if not head or len(head) > 100:
        return None, line
    key = _label_key(head)
    q = LABELS.get(key)
    if q is None and "/" in head:  # "Worse / better:": one of the parts is a known label
        found = {LABELS.get(_label_key(part)) for part in head.split("/")} - {None}
        q = found.pop() if len(found) == 1 else None
    if q is None and (hashes or len(key.split()) <= 14):
        q = question_of(head) if (hashes or key.startswith(("what", "how", "whats"))) else None
    return (q, rest.strip()) if q else (None, line)


def body_utterances(lines: list[str], question: str | None = None) -> list[Utterance]:
    """Split a note body into utterances: one per paragraph or bullet. A heading line that
    names a Big Conversation question ("Good:", "What's good:", "## What would make it
    better?") sets ``question`` for what follows; text after the colon is an answer."""
    out: list[Utterance] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(Utterance(index=0, text=" ".join(p.strip() for p in para), question=question))
            para.clear()

    for line in lines:
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        bullet = _BULLET.match(stripped)
        content = stripped[bullet.end():] if bullet else stripped
        q, rest = heading_question(content) if len(content) <= 2000 else (None, content)
        if q:
            flush()
            question = q
            if rest:
                para.append(rest)
                if bullet:
                    flush()
            continue
        if stripped.startswith("#"):  # other Markdown headings are structure, not speech
            flush()
            continue
        if bullet:
            flush()
            para.append(content)
            flush()
            continue
        para.append(stripped)
    flush()
    return out


def split_header(text: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """(raw metadata, body lines, warnings) for a .txt/.md/.pdf text: YAML front matter
    between ``---`` lines, or a block of ``Key: value`` lines ended by a blank line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() in ("---", "..."):
                try:
                    data = yaml.safe_load("\n".join(lines[1:end]))
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    where = f" at line {mark.line + 2}" if mark else ""
                    return {}, lines[end + 1:], [f"front matter is not valid YAML{where}; ignored"]
                if data is None:
                    data = {}
                if not isinstance(data, dict):
                    return {}, lines[end + 1:], ["front matter is not a mapping of keys to values; ignored"]
                return data, lines[end + 1:], []
        return {}, lines, ["front matter opened with --- but never closed; read as body"]
    for end in range(len(lines)):
        if lines[end].strip() and heading_question(lines[end].strip())[0] and end > 0:
            header = parse_header_lines(lines[:end])  # no blank line before the answers (e.g. a PDF)
            if header:
                return header, lines[end:], []
            break
        if not lines[end].strip():
            header = parse_header_lines(lines[:end])
            if header and end > 0:
                return header, lines[end + 1:], []
            break
    else:
        header = parse_header_lines(lines)
        if header:  # header only, no body
            return header, [], []
    return {}, lines, []


def iter_text(path: Path, ctx: Context) -> Iterator[Note]:
    """One note per .txt or .md file."""
    text = read_text(path, ctx)
    meta, body, warnings = split_header(text)
    from kilvoice.ingest.formats.transcripts import timed_note

    transcript = timed_note(ctx, meta, body, warnings)  # an Otter export
    if transcript is not None:
        yield transcript
        return
    utterances = body_utterances(body)
    if not utterances:
        raise KilvoiceError("K213", path=ctx.display)
    yield make_note(ctx, 0, meta, utterances, warnings)


def row_note(ctx: Context, index: int, row: dict[str, Any], text_columns: list[str],
             meta_columns: dict[str, str], question_by_column: dict[str, str | None]) -> Note:
    """One note from a row (CSV, XLSX, JSONL): each text column an utterance."""
    utterances = []
    for col in text_columns:
        value = row.get(col)
        if value is None:
            continue
        value = str(value).strip()
        if value:
            utterances.append(Utterance(index=0, text=value, question=question_by_column.get(col)))
    raw: dict[str, Any] = {}
    for col, value in row.items():
        if col in text_columns or col is None:
            continue
        raw[meta_columns.get(col, col)] = value
    return make_note(ctx, index, raw, utterances)


def iter_jsonl(path: Path, ctx: Context) -> Iterator[Note]:
    """One note per JSON object line: ``text`` (or the mapped/known text keys, or an
    ``utterances`` list of {text, speaker, question}) plus metadata keys."""
    from kilvoice.ingest.formats.tabular import plan_columns

    with open(path, encoding=ctx.encoding or "utf-8", newline="") as fh:
        plans: dict[frozenset, tuple] = {}
        n = 0
        for lineno, line in enumerate(fh, 1):
            if ctx.on_bytes:
                ctx.on_bytes(len(line))
            if not line.strip():
                continue
            if lineno == 1 and CONTROL.search(line[:4096] or ""):
                raise KilvoiceError("K202", path=ctx.display)
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KilvoiceError("K205", path=ctx.display,
                                    problem=f"line {lineno} is not valid JSON ({exc.msg}). Fix or remove that line") from None
            if not isinstance(obj, dict):
                raise KilvoiceError("K205", path=ctx.display,
                                    problem=f"line {lineno} is not a JSON object. Each line must be {{\"text\": ...}}")
            if isinstance(obj.get("utterances"), list):
                utts = [Utterance(index=0, text=str(u.get("text", "")), speaker=u.get("speaker"),
                                  role=u.get("role", "resident"), question=u.get("question"))
                        for u in obj.pop("utterances") if isinstance(u, dict)]
                yield make_note(ctx, n, {k: _scalar(v) for k, v in obj.items()}, utts)
            else:
                key = frozenset(obj)
                if key not in plans:
                    plans[key] = plan_columns(list(obj), ctx)[:3]
                row = {k: _scalar(v) for k, v in obj.items()}
                yield RowNote(n, row, plans[key]) if ctx.defer_rows else row_note(ctx, n, row, *plans[key])
            n += 1
        if n == 0:
            raise KilvoiceError("K201", path=ctx.display)


def _scalar(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else json.dumps(value)

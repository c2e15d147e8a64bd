"""The error boundary's record: turn an unexpected exception into a K950 error and a log file.

The CLI (``kilvoice/cli/__init__.py``) and the web app's job runner call
:func:`internal_error`. The log holds the traceback's frames (file, line, function and the
source line, which is code) and the exception's type. Exception *messages* can quote data
(a ``ValueError`` naming a bad value, a ``KeyError`` holding a key read from a note), so a
message is written only for exception types whose messages carry no input text
(SQLite errors, OS errors' ``strerror``); any other message is written as its length only.
"""
from __future__ import annotations

import os
import platform
import sqlite3
import traceback
from datetime import datetime, timezone
from pathlib import Path

from kilvoice.errors import KilvoiceError

STAGE_ATTR = "kilvoice_stage"


def tag_stage(exc: BaseException, stage: str) -> BaseException:
    """Record on ``exc`` the stage it escaped from (the innermost tag wins)."""
    if not getattr(exc, STAGE_ATTR, None):
        try:
            setattr(exc, STAGE_ATTR, stage)
        except (AttributeError, TypeError):  # some built-in exceptions refuse attributes
            pass
    return exc


def stage_of(exc: BaseException, default: str = "kilvoice") -> str:
    return getattr(exc, STAGE_ATTR, None) or default


def safe_message(exc: BaseException) -> str:
    """The exception's message when its type never carries input text, else its length."""
    if isinstance(exc, sqlite3.Error):
        return str(exc)
    if isinstance(exc, OSError):
        return f"[errno {exc.errno}] {exc.strerror}"
    if isinstance(exc, KilvoiceError):
        return f"{exc.code} {exc.message}"
    text = str(exc)
    return f"(message of {len(text)} characters withheld: it may quote input)" if text else ""


def format_safe_traceback(exc: BaseException) -> str:
    """Frames and exception types of ``exc`` and its causes; messages only via :func:`safe_message`."""
    lines: list[str] = []
    seen: set[int] = set()
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        chain.append(cur)
        cur = cur.__cause__ or (None if cur.__suppress_context__ else cur.__context__)
    for i, e in enumerate(reversed(chain)):
        if i:
            lines.append("\nThe above exception led to:\n")
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(e.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        lines.append(f"{type(e).__module__}.{type(e).__qualname__}: {safe_message(e)}")
    return "\n".join(lines) + "\n"


def write_crash_log(project_dir: str | Path, name: str, exc: BaseException, command: str = "") -> Path:
    """Write ``<project_dir>/logs/<name>.log`` (appending) and return its path."""
    logs = Path(project_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / f"{_safe_name(name)}.log"
    from kilvoice import __version__

    head = (f"== {datetime.now(timezone.utc).isoformat(timespec='seconds')} kilvoice {__version__}"
            f" python {platform.python_version()} pid {os.getpid()}\n"
            f"stage: {stage_of(exc)}\n" + (f"command: {command}\n" if command else ""))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(head + format_safe_traceback(exc) + "\n")
    return path


def internal_error(exc: BaseException, project_dir: str | Path, name: str | None = None,
                   command: str = "") -> KilvoiceError:
    """Log ``exc`` under ``project_dir`` and return the K950 error to show (never raises)."""
    name = name or "error-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    try:
        where = str(write_crash_log(project_dir, name, exc, command))
    except OSError:  # the project folder itself is unwritable: fall back to the temp folder
        import tempfile

        where = str(write_crash_log(tempfile.gettempdir(), f"kilvoice-{name}", exc, command))
    return KilvoiceError("K950", stage=stage_of(exc), log=where)


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80] or "error"

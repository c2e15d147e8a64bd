"""Transcripts: WebVTT (``<v Speaker>`` turns, metadata in a ``NOTE`` block right after
``WEBVTT``) and SubRip (``Name: text`` lines; metadata in a sidecar ``.srt.meta.yaml``).

Consecutive cues by one speaker become one utterance. Speakers matching the
conversationalist (full or first name) or labelled Interviewer/Conversationalist/Facilitator
get role ``conversationalist``; everyone else is a resident. A question asked by the
conversationalist sets ``question`` on the residents' answers that follow.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from kilvoice.errors import KilvoiceError
from kilvoice.ingest.formats import Context, facilitator_names, make_note, transcript_utterances
from kilvoice.ingest.formats.text import read_text
from kilvoice.ingest.metadata import parse_header_lines
from kilvoice.records import Note

TIMING = re.compile(r"^\s*(\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}")
VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>(.*?)(?:</v>|$)", re.S)
TAG = re.compile(r"</?[^>]+>")
NAMED = re.compile(r"^\s*([A-Z][\w.'’()\- ]{0,40}?)\s*:\s+(.*)$")


def _turns_to_note(ctx: Context, meta: dict, turns: list[tuple[str | None, str]], warnings: list[str]) -> Note:
    conv = facilitator_names(meta, ctx.sidecar)
    utts = transcript_utterances([(sp, TAG.sub("", text)) for sp, text in turns], conv)
    if not utts:
        raise KilvoiceError("K213", path=ctx.display)
    return make_note(ctx, 0, meta, utts, warnings)


def _blocks(text: str) -> list[list[str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [b.split("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]


def iter_vtt(path: Path, ctx: Context) -> Iterator[Note]:
    """One note per .vtt file."""
    text = read_text(path, ctx)
    blocks = _blocks(text)
    if not blocks or not blocks[0][0].strip().startswith("WEBVTT"):
        raise KilvoiceError("K205", path=ctx.display, problem="not a WebVTT file: the first line must be WEBVTT")
    meta: dict = {}
    warnings: list[str] = []
    turns: list[tuple[str | None, str]] = []
    first = blocks[0][1:]
    rest = blocks[1:]
    if first:  # header text on following lines of the WEBVTT block
        rest = [first] + rest
    for block in rest:
        head = block[0].strip()
        if head.startswith("NOTE"):
            lines = ([head[4:].strip()] if head[4:].strip() else []) + block[1:]
            parsed = parse_header_lines([ln for ln in lines if ln.strip()])
            if parsed and not turns:
                meta.update(parsed)
            continue
        if head.startswith(("STYLE", "REGION")):
            continue
        i = 0
        while i < len(block) and not TIMING.match(block[i]):
            i += 1
        if i >= len(block):
            continue
        cue = "\n".join(block[i + 1:])
        voices = VOICE.findall(cue)
        if voices:
            turns.extend((name.strip(), said) for name, said in voices)
        else:
            m = NAMED.match(cue)
            turns.append((m[1].strip(), m[2]) if m else (None, cue))
    if not turns:
        raise KilvoiceError("K213", path=ctx.display)
    yield _turns_to_note(ctx, meta, turns, warnings)


def iter_srt(path: Path, ctx: Context) -> Iterator[Note]:
    """One note per .srt file; ``Name: text`` gives the speaker (else the previous one)."""
    text = read_text(path, ctx)
    turns: list[tuple[str | None, str]] = []
    speaker = None
    cues = 0
    for block in _blocks(text):
        i = 0
        while i < len(block) and not TIMING.match(block[i]):
            i += 1
        if i >= len(block):
            continue
        cues += 1
        for line in block[i + 1:]:
            m = NAMED.match(line)
            if m:
                speaker = m[1].strip()
                turns.append((speaker, m[2]))
            elif line.strip():
                turns.append((speaker, line))
    if cues == 0:
        raise KilvoiceError("K205", path=ctx.display, problem="no SubRip cues found (expected '00:00:01,000 --> 00:00:04,000' lines)")
    yield _turns_to_note(ctx, {}, turns, [])

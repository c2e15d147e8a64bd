"""Transcripts: WebVTT (Teams ``<v Speaker>`` turns or Zoom ``Name: text`` cues, metadata in a
``NOTE`` block right after ``WEBVTT``), SubRip (``Name: text`` lines; metadata in a sidecar
``.srt.meta.yaml``), and the timed speaker lines of Otter ``.txt`` and Teams ``.docx``
exports ("Speaker 1  0:03" / "Name   0:01:02", then what was said) and plain scripts of
"Name: text" lines (read by the text and Word parsers through :func:`timed_note`).

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
# Otter .txt ("Speaker 1  0:03") and Teams .docx ("Name   0:01:02") speaker lines: a label and a time
TIMED = re.compile(r"^\s*([^\d\s:][^:]{0,50}?)\s{2,}(?:\d{1,2}:)?\d{1,2}:\d{2}\s*$")


def timed_turns(lines: list[str]) -> list[tuple[str | None, str]] | None:
    """(speaker, text) turns of an Otter or Teams export (a "Name  0:03" line, then what was
    said), or None when fewer than two such lines head the text. Up to three short lines
    before the first speaker line (a Teams export's meeting title, date and "Transcript")
    are left out."""
    turns: list[tuple[str | None, str]] = []
    speaker = None
    heads = preamble = 0
    for line in lines:
        m = TIMED.match(line)
        if m:
            speaker, heads = m[1].strip(), heads + 1
            turns.append((speaker, ""))
        elif line.strip() and turns:
            turns[-1] = (speaker, (turns[-1][1] + " " + line.strip()).strip())
        elif line.strip():
            preamble += 1
            if preamble > 3 or len(line) > 120:
                return None  # prose before the first speaker line: not a timed transcript
    return turns if heads >= 2 else None


def script_turns(lines: list[str]) -> list[tuple[str | None, str]] | None:
    """(speaker, text) turns of a plain script ("Name: what they said" lines), or None unless
    it looks like one: four or more such lines making most of the body, two or more speakers
    with two lines each, and no label a note heading ("Good:", "What would make it better:")."""
    from kilvoice.ingest.formats.roles import speaker_label
    from kilvoice.ingest.formats.text import heading_question

    turns: list[tuple[str | None, str]] = []
    body = [ln for ln in lines if ln.strip()]
    for line in body:
        m = NAMED.match(line)
        if m and len(m[1].split()) <= 4 and heading_question(line.strip())[0] is None:
            turns.append((m[1].strip(), m[2]))
        elif turns:
            turns[-1] = (turns[-1][0], turns[-1][1] + " " + line.strip())
        else:
            return None
    counts: dict[str, int] = {}
    for sp, _ in turns:  # "Q45 Chair" and "Q46 Chair" are one speaker (a select committee's question numbers)
        counts[speaker_label(sp)] = counts.get(speaker_label(sp), 0) + 1
    if len(turns) < 4 or len(turns) < 0.6 * len(body) or sum(n >= 2 for n in counts.values()) < 2:
        return None
    return turns


def timed_note(ctx: Context, meta: dict, lines: list[str], warnings: list[str]) -> Note | None:
    """A note from an Otter/Teams timed transcript body or a plain "Name: text" script, or
    None when the body is neither."""
    turns = timed_turns(lines) or script_turns(lines)
    return _turns_to_note(ctx, meta, turns, warnings) if turns else None


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

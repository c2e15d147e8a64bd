"""Who is who in a transcript: the facilitator side (conversationalist, chair, panel host,
questioning committee members) and the residents (everyone else).

A speaker is on the facilitator side when
1. their label names the conversationalist or facilitator given in the metadata
   (``conversationalist:`` / ``facilitator:``; several names separated by ``;`` or ``,``,
   full or first name), or is a label such as Interviewer / Facilitator / Host; or, when
   no speaker matches that way,
2. their turns look like facilitating, read from what they say and when, never from
   their name: the first speaker whose turns are questions, greetings or procedure
   ("welcome", "move on to item 3", "I'll bring in ..."), and anyone with two or more turns
   of which a fifth end in a question ("Speaker 1" asking, committee members). Measured on the Senedd committee transcripts in
   ``benchmarks/transcripts_bench.py``.

A question number before a label ("Q45 Chair", "Q12 Ms Carrow": how a "Name: text" reader takes
a select committee's "Q45 Chair: ..." line) is not part of the speaker's name: it is dropped from
the label, so the chair's numbered turns are one speaker's; a turn that opens with a question
number ("Q12 Can I ask ...") counts as a question.

One resident is always left: when every speaker looks like a facilitator, the one asking
least is the resident. Turns of one speaker in a row become one utterance. The
facilitator's last question (one of the Big Conversation questions) sets ``question`` on
the answers that follow.
"""
from __future__ import annotations

import re

from kilvoice.records import Utterance

# the chair's and host's lines: welcome, agenda, turn-taking, thanks, time
PROCEDURE = re.compile(
    r"\b(?:welcome|item \d|agenda|apologies|declarations? of interest|standing order|minutes|"
    r"move on|moving on|bring in|over to you|questions? from|next question|final question|last question|"
    r"thank you(?: very much)?(?: for)?|thanks (?:for|very much)|good (?:morning|afternoon|evening)|"
    r"time is (?:short|against|running)|out of time|record(?:ing)?\b|private session|reconvene)", re.I)
QUESTION = re.compile(r"\?")
# a select committee's question number before a speaker label or at the start of a turn
QUESTION_NUMBER = re.compile(r"^\s*Q\s?\d{1,4}[.:]?\s+(?=\S)")
_SPLIT_NAMES = re.compile(r"\s*[;,/]\s*|\s+and\s+")


def speaker_label(speaker: str | None) -> str | None:
    """``speaker`` without a question number before it ("Q45 Chair" -> "Chair")."""
    return QUESTION_NUMBER.sub("", speaker) if speaker else speaker


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


def named_facilitators(speakers: list[str], given: str | None, labels: set[str]) -> set[str]:
    """Speakers whose label matches a name in ``given`` (full or first name) or a facilitator label."""
    names = [_norm(n) for n in _SPLIT_NAMES.split(re.sub(r"\(.*?\)", " ", given or "")) if n.strip()]
    out = set()
    for sp in speakers:
        s = _norm(sp)
        if s in labels:
            out.add(sp)
            continue
        for c in names:
            first = c.split(" ")[0]
            if s == c or s == first or (len(c) > 1 and s.split(" ")[0] == c):
                out.add(sp)
    return out


def _turn_runs(turns: list[tuple[str | None, str]]) -> list[tuple[str, str]]:
    """(speaker, text) with a run of cues by one speaker joined into one turn."""
    out: list[tuple[str, str]] = []
    for speaker, text in turns:
        speaker = speaker_label(speaker)
        if not speaker or not text.strip():
            continue
        if out and out[-1][0] == speaker:
            out[-1] = (speaker, out[-1][1] + " " + text.strip())
        else:
            out.append((speaker, text.strip()))
    return out


def inferred_facilitators(turns: list[tuple[str | None, str]]) -> set[str]:
    """Facilitator-side speakers read from the turns alone (see the module docstring)."""
    stats: dict[str, list[int]] = {}  # speaker -> [turns, ending in a question, with a question, procedural]
    for speaker, text in _turn_runs(turns):
        st = stats.setdefault(speaker, [0, 0, 0, 0])
        st[0] += 1
        st[1] += text.rstrip(" \"'”’)").endswith("?") or bool(QUESTION_NUMBER.match(text))
        st[2] += bool(QUESTION.search(text))
        st[3] += bool(PROCEDURE.search(text))
    order = list(stats)
    if len(order) < 2:
        return set()
    out = set()
    n, _, q, p = stats[order[0]]
    if (q + p) / n >= 0.3:  # the opening speaker greets, sets out the business or asks
        out.add(order[0])
    for sp in order:
        n, ends = stats[sp][:2]
        if n >= 2 and ends / n >= 0.2:
            out.add(sp)
    if len(out) == len(order):  # someone is answering: the one asking least
        out.discard(min(order, key=lambda s: (stats[s][1] / stats[s][0], stats[s][2] / stats[s][0], -stats[s][0])))
    return out


def facilitators(turns: list[tuple[str | None, str]], given: str | None, labels: set[str]) -> set[str]:
    """The facilitator-side speakers of a transcript: named ones, else inferred ones."""
    speakers = list(dict.fromkeys(speaker_label(sp) for sp, _ in turns if sp))
    named = named_facilitators(speakers, given, labels)
    return named if named else inferred_facilitators(turns)


def turn_utterances(turns: list[tuple[str | None, str]], side: set[str], last_question) -> list[Utterance]:
    """Utterances from (speaker, text) turns: one per run of one speaker; role
    ``conversationalist`` for ``side``, ``resident`` for other named speakers, ``unknown``
    without a label; ``question`` from the facilitator's last question."""
    utts: list[Utterance] = []
    question = None
    side = {speaker_label(sp) for sp in side}
    for speaker, text in turns:
        speaker = speaker_label(speaker)
        text = re.sub(r"\s+", " ", text).strip()
        if not text:
            continue
        role = "conversationalist" if speaker in side else ("resident" if speaker else "unknown")
        if utts and utts[-1].speaker == speaker:
            utts[-1].text += " " + text
        else:
            utts.append(Utterance(index=0, text=text, role=role, speaker=speaker,
                                  question=None if role == "conversationalist" else question))
        if role == "conversationalist":
            utts[-1].question = last_question(utts[-1].text)
            question = utts[-1].question or question
    return utts

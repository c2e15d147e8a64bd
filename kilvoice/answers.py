"""Spoken answers read with the question they answer.

In a transcript, much of what a witness or resident says makes sense only with the question
before it: "We're aware of the information, and we'll wait to see what they conclude" is about
whatever the chair asked. Embedded alone, such answers share no subject and gather in a
"Mixed: ..." catch-all. The labelling rule for transcripts reads each statement "with the
question it answers"; this module gives the embedding the same context.

:func:`question_contexts` finds, for each statement, the facilitator's last turn before it in
the same conversation (redacted text, from the store: nothing raw), keeps the sentences of it
that ask (the last two questions, or its last sentence) without disfluencies, and leaves it out
when that turn asks one of the Big Conversation questions (the statement's ``question`` says
that already). :func:`with_context` adds the context's vector, weighted by ``weight``, to the
answer's: the answer stays the larger part. Notes without facilitator turns are unchanged.
Quotes, keywords and titles keep the statement's own words.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

DEFAULT_WEIGHT = 0.3
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def asking_part(turn: str) -> str:
    """The part of a facilitator's turn that asks: its last two questions, else its last sentence."""
    from kilvoice.substantive import speech_text

    sentences = [s for s in _SENTENCE_END.split(turn.strip()) if s]
    asks = [s for s in sentences if s.rstrip(" \"'”’)").endswith("?")]
    return speech_text(" ".join(asks[-2:] if asks else sentences[-1:]))


def question_contexts(store, statements: Sequence) -> list[str]:
    """The asking part of the facilitator turn before each statement ('' when there is none)."""
    from kilvoice.ingest.formats import last_question

    turns: dict[str, list[tuple[int, str]]] = {}
    for cid, idx, text in store.db.execute(
            "SELECT conversation_id, idx, text FROM utterances WHERE role='conversationalist' ORDER BY conversation_id, idx"):
        turns.setdefault(cid, []).append((idx, text))
    if not turns:
        return [""] * len(statements)
    asked: dict[tuple[str, int], str] = {}
    out = []
    for st in statements:
        before = [(i, t) for i, t in turns.get(st.conversation_id, ()) if i < st.utterance_index]
        if not before:
            out.append("")
            continue
        key = (st.conversation_id, before[-1][0])
        if key not in asked:
            text = before[-1][1]
            asked[key] = "" if last_question(text) else asking_part(text)
        out.append(asked[key])
    return out


def with_context(vectors: np.ndarray, context_vectors: np.ndarray, has: np.ndarray, weight: float) -> np.ndarray:
    """Unit vectors of answer + ``weight`` x context (both unit length) where ``has``; the answer
    alone elsewhere."""
    def unit(X):
        return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)

    out = unit(np.asarray(vectors, dtype=np.float32))
    if weight and has.any():
        out[has] = unit(out[has] + weight * unit(np.asarray(context_vectors, dtype=np.float32)))
    return out.astype(np.float32)

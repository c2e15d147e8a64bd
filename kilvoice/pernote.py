"""The per-note stages as work on one chunk of conversations: plain records in, plain records out.

These functions run wherever the executor puts them (this process, a worker process, a Dask
worker), so they touch no store: the runner (:mod:`kilvoice.pipeline`) reads each chunk from the
store, sends it here and writes what comes back. ``ref`` is a stage, or ``(registered name,
settings)`` for a worker to build it once (:func:`kilvoice.executors.stage`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from kilvoice.errors import Errors
from kilvoice.records import Reject, Statement, Utterance
from kilvoice.redact.safeguarding import safeguarding_categories


def _stage(ref):
    if isinstance(ref, tuple):
        from kilvoice.executors import stage

        return stage(*ref)
    return ref


def redact_chunk(ref, notes: Sequence[Sequence[Utterance]], names: Sequence[list[str]], skips: Sequence[set]):
    """``Redactor.redact_many`` on one chunk: per note (redacted utterances, spans, flags)."""
    return _stage(ref).redact_many(notes, names, skips)


def segment_chunk(ref, withhold: str, items: Sequence[tuple[str, list[Utterance], set | None]]):
    """Statements of each ``(conversation id, redacted utterances, flagged utterance indexes or
    None)``: per note ``(conversation id, statements, rejects, left out in another language)``, with
    statements that record a safeguarding concern withheld (:func:`withhold_flagged`) and statements
    in another language left out (:func:`english_only`; segment v5: :func:`english_only_v2`)."""
    segmenter = _stage(ref)
    out = []
    for cid, utterances, flagged in items:
        statements, rejects = segmenter.run(cid, utterances)
        if flagged is not None:
            statements, held = withhold_flagged(statements, flagged, whole=withhold == "conversation")
            rejects = rejects + held
        if getattr(segmenter, "language", 1) >= 2:
            statements, other, left = english_only_v2(statements)
        else:
            (statements, other), left = english_only(statements), []
        out.append((cid, statements, rejects + other, left))
    return out


def withhold_flagged(statements: list[Statement], flagged_utts: set[int], whole: bool
                     ) -> tuple[list[Statement], list[Reject]]:
    """Split one flagged conversation's statements into (kept, withheld as K680/K681 rejects).

    A statement is withheld when its own text matches the safeguarding lexicon. When a flagged
    utterance has no statement that matches on its own (the words that matched were split across
    sentences), all of that utterance's statements are withheld. ``whole`` withholds every statement
    (the ``[safeguarding] withhold = "conversation"`` policy). Never returns text in a reject."""
    if whole or -1 in flagged_utts:
        return [], [Reject("segment", s.id, "K681", Errors.K681) for s in statements]
    hit = {s.id for s in statements if safeguarding_categories(s.text)}
    covered = {s.utterance_index for s in statements if s.id in hit}
    hit |= {s.id for s in statements if s.utterance_index in flagged_utts - covered}
    kept = [s for s in statements if s.id not in hit]
    return kept, [Reject("segment", s.id, "K680", Errors.K680) for s in statements if s.id in hit]


def english_only(statements: list[Statement]) -> tuple[list[Statement], list[Reject]]:
    """(English statements, K682 rejects for statements in another language inside a note that
    ingest found to be English), as whole non-English notes are left out: counted, not translated."""
    from kilvoice.language import statement_language

    other = {s.id for s in statements if statement_language(s.text)}
    if not other:
        return statements, []
    return ([s for s in statements if s.id not in other],
            [Reject("segment", s.id, "K682", Errors.K682) for s in statements if s.id in other])


def english_only_v2(statements: list[Statement]) -> tuple[list[Statement], list[Reject], list[tuple]]:
    """(English statements, rejects, what was left out) with :func:`kilvoice.language.statement_language_v2`
    (segment v5): a statement in another language is left out whole (K682); one that runs a sentence
    in another language into an English one is split, its English part kept under the statement's id
    and the other part left out (K750, id ``<statement id>-x``). What was left out is returned as
    ``(id, conversation id, language, redacted text)`` for the officer to have translated."""
    from kilvoice.language import split_languages, statement_language_v2

    kept: list[Statement] = []
    rejects: list[Reject] = []
    left: list[tuple] = []
    for s in statements:
        lang = statement_language_v2(s.text)
        if lang:
            rejects.append(Reject("segment", s.id, "K682", Errors.K682))
            left.append((s.id, s.conversation_id, lang, s.text))
            continue
        parts = split_languages(s.text)
        if parts:
            english, other, lang = parts
            s = replace(s, text=english)
            rejects.append(Reject("segment", f"{s.id}-x", "K750", Errors.K750))
            left.append((f"{s.id}-x", s.conversation_id, lang, other))
        kept.append(s)
    return kept, rejects, left

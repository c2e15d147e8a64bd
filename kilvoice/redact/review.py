"""Review of low-confidence redactions: queue them, show them, apply decisions.

How the pipeline applies decisions: call :func:`redact_with_review` instead of
``redactor.redact_many``. It passes each note's rejected spans to the redactor as ``skip``
(so they stay in the text) and queues the new spans scoring below the redactor's
``review_threshold``. Rejecting an item (``decide``) drops that note's redacted text, so
the next run redacts it again.
"""
from __future__ import annotations

from typing import Sequence

from kilvoice.records import Utterance
from kilvoice.store import Store
from kilvoice.store.review import decide, queue_spans, rejected_spans, review_item, review_items

__all__ = ["decide", "queue_spans", "rejected_spans", "review_item", "review_items", "redact_with_review",
           "show_item", "low_confidence"]


def low_confidence(spans_per_utt, utterances: Sequence[Utterance], threshold: float):
    """Queue rows ``(utterance_idx, start, end, label, score, source)`` for spans below ``threshold``."""
    return [(u.index, s.start, s.end, s.label, s.score, s.source)
            for u, spans in zip(utterances, spans_per_utt) for s in spans if s.score < threshold]


def redact_with_review(store: Store, redactor, conversation_ids: Sequence[str],
                       notes: Sequence[Sequence[Utterance]], known_names=None, progress: bool = False):
    """``redactor.redact_many`` with review decisions applied and low-confidence spans queued."""
    rejected = rejected_spans(store, conversation_ids)
    skips = [rejected.get(cid, set()) for cid in conversation_ids]
    results = redactor.redact_many(notes, known_names, skips, progress=progress)
    for cid, utts, (_, spans, _) in zip(conversation_ids, notes, results):
        rows = low_confidence(spans, utts, redactor.review_threshold)
        if rows:
            queue_spans(store, cid, rows)
    return results


def show_item(store: Store, item: dict, context: int = 40) -> str:
    """The span with some context, read from the raw store, for an officer's terminal only."""
    row = store.db.execute("SELECT text FROM raw_utterances WHERE conversation_id=? AND idx=?",
                           (item["conversation_id"], item["utterance_idx"])).fetchone()
    if row is None:
        return "(raw text no longer in the store)"
    text, s, e = row[0], item["start"], item["end"]
    left = ("…" if s > context else "") + text[max(0, s - context):s]
    right = text[e:e + context] + ("…" if e + context < len(text) else "")
    return f"{left}[[{text[s:e]}]]{right}".replace("\n", " ")

"""Store functions for the redaction review queue (table ``redaction_review``).

Rows hold a label, offsets into the raw utterance, score and source: never the text.
Decisions are kept; a rejected span is left unredacted the next time the note is redacted.
"""
from __future__ import annotations

from typing import Iterable

from kilvoice.errors import KilvoiceError
from kilvoice.store.sqlite import Store, now

STATUSES = ("pending", "accepted", "rejected")


def queue_spans(store: Store, conversation_id: str, rows: Iterable[tuple[int, int, int, str, float, str]]) -> int:
    """Add ``(utterance_idx, start, end, label, score, source)`` rows; known ones are kept as they are."""
    rows = list(rows)
    with store.transaction() as db:
        before = db.total_changes
        db.executemany(
            'INSERT OR IGNORE INTO redaction_review (conversation_id, utterance_idx, start, "end", label, score,'
            " source, status, created_at) VALUES (?,?,?,?,?,?,?, 'pending', ?)",
            [(conversation_id, i, s, e, label, float(score), source, now()) for i, s, e, label, score, source in rows],
        )
        return db.total_changes - before


def review_items(store: Store, status: str | None = "pending", conversation_id: str | None = None) -> list[dict]:
    sql, args = "SELECT * FROM redaction_review WHERE 1=1", []
    if status:
        sql, args = sql + " AND status=?", args + [status]
    if conversation_id:
        sql, args = sql + " AND conversation_id=?", args + [conversation_id]
    return [dict(r) for r in store.db.execute(sql + " ORDER BY id", args)]


def review_item(store: Store, item_id: int) -> dict:
    row = store.db.execute("SELECT * FROM redaction_review WHERE id=?", (item_id,)).fetchone()
    if row is None:
        raise KilvoiceError("K601", id=item_id, path=store.path)
    return dict(row)


def decide(store: Store, item_id: int, status: str, by: str, force: bool = False) -> dict:
    """Record an officer's decision. Rejecting drops the note's redacted text so that the
    next pipeline run redacts it again without the rejected span."""
    if not by or not by.strip():
        raise KilvoiceError("K603")
    item = review_item(store, item_id)
    if item["status"] != "pending" and item["status"] != status and not force:
        raise KilvoiceError("K602", id=item_id, status=item["status"], by=item["decided_by"])
    with store.transaction() as db:
        db.execute("UPDATE redaction_review SET status=?, decided_by=?, decided_at=? WHERE id=?",
                   (status, by.strip(), now(), item_id))
        if status == "rejected" or item["status"] == "rejected":
            db.execute("DELETE FROM utterances WHERE conversation_id=?", (item["conversation_id"],))
    return review_item(store, item_id)


def rejected_spans(store: Store, conversation_ids: Iterable[str] | None = None) -> dict[str, set[tuple[int, int, int]]]:
    """``{conversation_id: {(utterance_idx, start, end), ...}}`` of rejected spans."""
    out: dict[str, set[tuple[int, int, int]]] = {}
    wanted = set(conversation_ids) if conversation_ids is not None else None
    for r in store.db.execute(
        "SELECT conversation_id, utterance_idx, start, \"end\" FROM redaction_review WHERE status='rejected'"
    ):
        if wanted is None or r[0] in wanted:
            out.setdefault(r[0], set()).add((r[1], r[2], r[3]))
    return out

"""The officer decision log: append-only, in the project store (table ``decisions``).

Each decision records who, when, what (``kind`` + ``payload``), why (optional ``reason``) and a
``snapshot``: the statement ids of every theme it names, taken when it was made, so that
:func:`kilvoice.review.apply.apply_review` can re-target it to the right theme after a re-run
changes theme ids. Payloads hold ids and officer-typed titles only, never resident text.

Rows are only ever inserted; nothing in kilvoice updates or deletes them.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from kilvoice.errors import KilvoiceError
from kilvoice.store.sqlite import Store, now

# kind -> (required payload keys, payload keys that name a theme and get a snapshot)
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rename": (("theme_id",), ("theme_id",)),
    "merge": (("theme_id", "into"), ("theme_id", "into")),
    "split": (("theme_id", "statement_ids"), ("theme_id",)),
    "delete": (("theme_id",), ("theme_id",)),
    "move": (("statement_id", "to"), ("from", "to")),
    "link": (("source_kind", "source_id", "framework_id", "item_id", "accepted"), ()),
    "quote": (("statement_id", "publishable"), ()),
    "signoff": (("theme_id",), ("theme_id",)),
    "redaction": (("conversation_id", "accepted"), ()),
}
EXPORT_FIELDS = ("id", "created_at", "user", "kind", "run_id", "reason", "payload")


def theme_keys(kind: str, payload: dict) -> tuple[str, ...]:
    """The payload keys of this decision that name a theme (to snapshot and re-target)."""
    keys = KINDS[kind][1]
    if kind == "link" and payload.get("source_kind") == "theme":
        keys = ("source_id",)
    return tuple(k for k in keys if payload.get(k))


def validate(kind: str, payload: dict) -> dict:
    """Check a decision's payload; returns a cleaned copy. Raises K801/K802."""
    if kind not in KINDS:
        raise KilvoiceError("K801", kind=kind, available=", ".join(KINDS))
    missing = [k for k in KINDS[kind][0] if payload.get(k) in (None, "", [])]
    if missing:
        raise KilvoiceError("K802", kind=kind, problem=f"missing {', '.join(missing)}")
    clean = dict(payload)
    if kind == "rename" and not str(clean.get("title", "")).strip() and not str(clean.get("description", "")).strip():
        raise KilvoiceError("K802", kind=kind, problem="give a new title or description")
    if kind == "merge" and clean["theme_id"] == clean["into"]:
        raise KilvoiceError("K802", kind=kind, problem="cannot merge a theme into itself")
    if kind == "split":
        ids = clean["statement_ids"]
        if isinstance(ids, str):
            ids = [s for s in ids.replace(",", " ").split() if s]
        clean["statement_ids"] = sorted(set(map(str, ids)))
    if kind == "link" and clean["source_kind"] not in ("theme", "statement"):
        raise KilvoiceError("K802", kind=kind, problem="source_kind must be theme or statement")
    for key in ("accepted", "publishable"):
        if key in clean:
            clean[key] = _truthy(clean[key])
    for key in ("title", "description"):
        if key in clean:
            clean[key] = str(clean[key]).strip()[:300]
    return clean


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "accept", "accepted")
    return bool(value)


def theme_members(store: Store, run_id: str | None) -> dict[str, list[str]]:
    """Theme id -> statement ids (primary assignments) of a run's saved (reviewed) results."""
    out: dict[str, list[str]] = {}
    if run_id is None:
        return out
    for sid, tid in store.db.execute(
            "SELECT statement_id, theme_id FROM assignments WHERE run_id=? AND is_primary=1 ORDER BY statement_id",
            (run_id,)):
        out.setdefault(tid, []).append(sid)
    return out


def latest_run_id(store: Store) -> str | None:
    row = store.db.execute(
        "SELECT id FROM runs WHERE status='done' ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def record_decision(store: Store, kind: str, user: str, payload: dict, reason: str = "",
                    run_id: str | None = None) -> int:
    """Validate and append one decision; snapshots the statements of the themes it names.

    ``run_id`` defaults to the latest finished run (the one the officer is looking at).
    Returns the new decision's id. Callers then call :func:`kilvoice.review.results.reapply`.
    """
    clean = validate(kind, payload)
    run_id = run_id or latest_run_id(store)
    members = theme_members(store, run_id)
    if kind == "move" and not clean.get("from") and run_id:
        row = store.db.execute("SELECT theme_id FROM assignments WHERE run_id=? AND statement_id=? AND is_primary=1",
                               (run_id, clean["statement_id"])).fetchone()
        if row:
            clean["from"] = row[0]
    snapshot = {key: members.get(clean[key], []) for key in theme_keys(kind, clean)}
    with store.transaction() as db:
        cur = db.execute(
            "INSERT INTO decisions (kind, user_name, created_at, run_id, payload, snapshot, reason)"
            " VALUES (?,?,?,?,?,?,?)",
            (kind, user, now(), run_id, json.dumps(clean, sort_keys=True), json.dumps(snapshot),
             (reason or "").strip()[:1000]),
        )
        return int(cur.lastrowid)


def load_decisions(store: Store) -> list[dict]:
    """Every decision, oldest first, as dicts with ``payload`` and ``snapshot`` decoded."""
    out = []
    for r in store.db.execute("SELECT * FROM decisions ORDER BY id"):
        d = dict(r)
        d["payload"] = json.loads(d["payload"])
        d["snapshot"] = json.loads(d["snapshot"])
        d["user"] = d.pop("user_name")
        out.append(d)
    return out


def link_confirmations(store: Store) -> list[dict]:
    """Officers' statement-level link decisions, the latest per (statement, framework, item).

    These are the training examples of the learned map stages (``kilvoice.map.learned.v2``):
    ``{"statement_id", "framework_id", "item_id", "accepted"}``, oldest first. Statement ids
    are stable across runs (conversation, utterance and sentence index), so decisions made on
    one run teach the next. Theme-level link decisions are overrides, applied by the review
    step, and are not training examples.
    """
    latest: dict[tuple[str, str, str], dict] = {}
    for d in load_decisions(store):
        p = d["payload"]
        if d["kind"] != "link" or p.get("source_kind") != "statement":
            continue
        key = (str(p["source_id"]), str(p["framework_id"]), str(p["item_id"]))
        latest.pop(key, None)  # a later decision replaces the earlier one (and moves to the end)
        latest[key] = {"statement_id": key[0], "framework_id": key[1], "item_id": key[2],
                       "accepted": bool(p.get("accepted"))}
    return list(latest.values())


def export_decisions(store: Store, fmt: str = "csv") -> str:
    """The decision log as CSV or JSON text (for committee papers and audit)."""
    decisions = load_decisions(store)
    if fmt == "json":
        return json.dumps(decisions, indent=2)
    if fmt != "csv":
        raise KilvoiceError("K810", fmt=fmt)
    from kilvoice.report.render import safe_cell

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(EXPORT_FIELDS)
    for d in decisions:
        w.writerow([safe_cell(v) for v in (d["id"], d["created_at"], d["user"], d["kind"], d["run_id"] or "",
                                           d["reason"], json.dumps(d["payload"], sort_keys=True))])
    return buf.getvalue()


def describe(d: dict) -> str:
    """A one-line, human description of a decision (ids and officer-typed titles only)."""
    p = d["payload"]
    k = d["kind"]
    if k == "rename":
        return f"renamed {p['theme_id']} to '{p.get('title', '')}'"
    if k == "merge":
        return f"merged {p['theme_id']} into {p['into']}"
    if k == "split":
        return f"split {len(p['statement_ids'])} statement(s) out of {p['theme_id']}"
    if k == "delete":
        return f"deleted theme {p['theme_id']} (statements to other)"
    if k == "move":
        return f"moved {p['statement_id']} from {p.get('from') or '?'} to {p['to']}"
    if k == "link":
        verb = "accepted" if p["accepted"] else "rejected"
        return f"{verb} link {p['source_kind']} {p['source_id']} -> {p['framework_id']}:{p['item_id']}"
    if k == "quote":
        return f"marked {p['statement_id']} {'publishable' if p['publishable'] else 'not publishable'}"
    if k == "signoff":
        return f"signed off {p['theme_id']}"
    if k == "redaction":
        return f"{'confirmed' if p['accepted'] else 'rejected'} redaction in {p['conversation_id']}"
    return k

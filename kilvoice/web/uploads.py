"""Saving an uploaded file safely and ingesting it with its metadata form.

Stored as ``<project>/uploads/u<user id>/<random>-<safe name>`` (no path from the client is ever
used as a path), with the form as a ``.meta.yaml`` sidecar the ingest stage reads. Ingests in one
project are serialised by a lock, so concurrent uploads each store their notes exactly once.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import unicodedata
from pathlib import Path

import yaml

from kilvoice.store.sqlite import Store, now

META_FIELDS = ("conversationalist", "organisation", "setting", "area", "postcode_district", "date", "age_band",
               "residents", "consent_to_quote")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def project_lock(project_dir: Path) -> threading.Lock:
    key = str(Path(project_dir).resolve())
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def safe_name(name: str, max_len: int = 80) -> str:
    """A file name with no directories, no leading dots and only [A-Za-z0-9._-]."""
    name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip("._-")
    if not name:
        name = "upload"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(name) > max_len:
        name = stem[: max_len - len(suffix) - 1] + "." + suffix
    return name[:max_len]


def clean_meta(form: dict) -> dict:
    """The metadata form's non-empty fields (values are validated by the ingest stage)."""
    meta = {}
    for key in META_FIELDS:
        value = str(form.get(key) or "").strip()[:200]
        if value:
            meta[key] = value
    return meta


def save_and_ingest(store: Store, project_dir: Path, user: dict, original_name: str, data: bytes,
                    meta: dict) -> dict:
    """Write the file and its sidecar, ingest it, record the upload. Returns the upload row."""
    from kilvoice.ingest import ingest

    project_dir = Path(project_dir).resolve()
    folder = project_dir / "uploads" / f"u{int(user['id'])}"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(6)}-{safe_name(original_name)}"
    path = folder / name
    assert path.resolve().parent == folder.resolve()  # never outside the user's folder
    path.write_bytes(data)
    if meta:
        side = path.with_name(path.name + ".meta.yaml")
        side.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8")
    with project_lock(project_dir):
        result = ingest([path], store, root=project_dir)
    summary = result.as_dict()
    status = "ok" if result.files_ok or result.files_unchanged else "rejected"
    stored = path.relative_to(project_dir).as_posix()
    with store.transaction() as db:
        cur = db.execute(
            "INSERT INTO uploads (user_id, original_name, stored_name, size, sha256, meta, status, result, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (user["id"], original_name[:200], stored, len(data), hashlib.sha256(data).hexdigest(),
             json.dumps(meta), status, json.dumps(summary), now()))
        upload_id = int(cur.lastrowid)
    return upload_row(store, upload_id)


def upload_row(store: Store, upload_id: int) -> dict | None:
    row = store.db.execute("SELECT u.*, us.name AS user_name FROM uploads u JOIN users us ON us.id=u.user_id"
                           " WHERE u.id=?", (upload_id,)).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["meta"] = json.loads(out["meta"])
    out["result"] = json.loads(out["result"])
    out["notes"] = [dict(r) for r in store.db.execute(
        "SELECT c.id, c.status, c.setting, c.area, c.date FROM conversations c JOIN files f ON f.id=c.file_id"
        " WHERE f.path=? ORDER BY c.id", (out["stored_name"],))]
    return out


def list_uploads(store: Store, user_id: int | None = None) -> list[dict]:
    """Uploads, newest first; only ``user_id``'s when given."""
    sql = ("SELECT u.id, u.original_name, u.size, u.status, u.result, u.created_at, us.name AS user_name"
           " FROM uploads u JOIN users us ON us.id=u.user_id")
    args: tuple = ()
    if user_id is not None:
        sql += " WHERE u.user_id=?"
        args = (user_id,)
    out = []
    for r in store.db.execute(sql + " ORDER BY u.id DESC", args):
        d = dict(r)
        res = json.loads(d.pop("result"))
        d["notes_added"] = res.get("notes_added", 0)
        d["rejects"] = res.get("rejects", [])
        out.append(d)
    return out

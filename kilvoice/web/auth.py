"""Users, passwords (argon2id) and server-side sessions.

The session cookie carries a random token signed with the project's secret key; the store keeps
only the token's SHA-256, so a copy of the database cannot be used to log in.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kilvoice.errors import KilvoiceError
from kilvoice.store.sqlite import Store, now

ROLES = ("conversationalist", "officer", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}  # admin can do what an officer can, and so on
MIN_PASSWORD = 8
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY = _hasher.hash("not-a-real-password")  # equalises timing for unknown users


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(store: Store, name: str, role: str, password: str) -> int:
    """Create a user. Raises K806 (exists), K807 (bad role), K808 (weak password)."""
    name = name.strip()
    if role not in ROLES:
        raise KilvoiceError("K807", role=role, available=", ".join(ROLES))
    if not name or len(name) > 64 or any(not (c.isalnum() or c in "._-@") for c in name):
        raise KilvoiceError("K809", length=len(name))  # the name itself may be anything: not echoed
    if len(password) < MIN_PASSWORD:
        raise KilvoiceError("K808", problem=f"must be at least {MIN_PASSWORD} characters")
    if store.db.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone():
        raise KilvoiceError("K806", name=name)
    with store.transaction() as db:
        cur = db.execute("INSERT INTO users (name, role, password_hash, created_at) VALUES (?,?,?,?)",
                         (name, role, hash_password(password), now()))
        return int(cur.lastrowid)


def users(store: Store) -> list[dict]:
    return [dict(r) for r in store.db.execute("SELECT id, name, role, active, created_at FROM users ORDER BY name")]


def authenticate(store: Store, name: str, password: str) -> dict | None:
    """The user dict when the name and password match an active user, else None."""
    row = store.db.execute("SELECT * FROM users WHERE name=? AND active=1", (name.strip(),)).fetchone()
    if row is None:
        try:
            _hasher.verify(_DUMMY, password)
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        with store.transaction() as db:
            db.execute("UPDATE users SET password_hash=? WHERE id=?", (hash_password(password), row["id"]))
    return {k: row[k] for k in ("id", "name", "role")}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(store: Store, user_id: int, hours: float) -> str:
    token = secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(hours=hours)
    with store.transaction() as db:
        db.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
        db.execute("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?,?,?,?)",
                   (_digest(token), user_id, now(), expires.isoformat(timespec="seconds")))
    return token


def session_user(store: Store, token: str | None) -> dict | None:
    if not token:
        return None
    row = store.db.execute(
        "SELECT u.id, u.name, u.role FROM sessions s JOIN users u ON u.id=s.user_id"
        " WHERE s.token_hash=? AND s.expires_at > ? AND u.active=1", (_digest(token), now())).fetchone()
    return dict(row) if row else None


def end_session(store: Store, token: str | None) -> None:
    if token:
        with store.transaction() as db:
            db.execute("DELETE FROM sessions WHERE token_hash=?", (_digest(token),))


def allowed(user: dict | None, role: str) -> bool:
    """Whether ``user`` has ``role`` or a higher one."""
    return user is not None and RANK.get(user["role"], -1) >= RANK[role]

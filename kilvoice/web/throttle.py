"""Failed-login throttling per account name and per client address, kept in the project store.

Why the store and not memory: ``kilvoice serve`` is one uvicorn process, but every request runs in a
worker thread of its own, and a server can be restarted (or a second one started on the same
project) at will. Counters in memory would need a lock, reset on every restart and not be shared
between processes; the ``login_throttle`` table is shared by all of them and survives restarts, and
the check-and-count is one ``BEGIN IMMEDIATE`` transaction, so parallel guesses cannot slip
through together.

How it works. Each attempt is *counted as a failure before the password is checked* (in the same
transaction as the check), so a burst of parallel requests sees every earlier one; a success then
takes its count back. For each key (the account name, the client address):

- from the ``delay_after``-th failure within the window, the next attempt must wait
  ``delay_base_seconds * 2**(failures - delay_after)`` (at most ``delay_max_seconds``) after the
  previous one;
- the ``lock_after``-th failure within ``window_minutes`` locks the key for ``lockout_minutes``;
- a refused attempt (too soon, or locked) is answered 429 with ``Retry-After`` before any password
  is checked, so even the right password is refused, and it does not add to the count;
- a successful login clears the account's counter and takes back its own count on the address (an
  address's earlier failures stay: one valid account cannot wipe its address's record while
  guessing other accounts).

Unknown and known names are treated identically. The store holds only keyed hashes (HMAC-SHA256
with the project's secret) of names and addresses; logs name the account by a short tag of that
hash (a name field sometimes holds a mistyped password) and the address as given. Passwords are
never logged or stored here.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass
from typing import Callable

from kilvoice.store import Store
from kilvoice.web.settings import LoginLimits

log = logging.getLogger("kilvoice.web")
SCOPES = ("account", "address")


@dataclass
class Refusal:
    """An attempt refused before the password was checked: wait ``retry_after`` seconds."""

    retry_after: int
    locked: bool

    @property
    def message(self) -> str:
        if self.retry_after >= 60:
            minutes = math.ceil(self.retry_after / 60)
            wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        else:
            wait = f"{self.retry_after} second{'s' if self.retry_after != 1 else ''}"
        return f"Too many failed attempts. Try again in {wait}."


@dataclass
class Ticket:
    """An attempt allowed through; pass it back to :meth:`LoginThrottle.succeeded` or ``failed``."""

    keys: dict[str, str]     # scope -> hashed key
    failures: dict[str, int]  # scope -> failures counted so far, this attempt included
    locked: dict[str, bool]   # scope -> whether this attempt's count locked the key
    tag: str
    address: str


class LoginThrottle:
    """Decides whether a login attempt may be checked, and records its outcome."""

    def __init__(self, limits: LoginLimits, secret: str, clock: Callable[[], float] = time.time):
        self.limits, self.clock = limits, clock
        self._secret = secret.encode()

    def key(self, scope: str, value: str) -> str:
        return hmac.new(self._secret, f"login-throttle:{scope}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def delay(self, failures: int) -> float:
        """Seconds the next attempt must wait after ``failures`` failures within the window."""
        lim = self.limits
        if failures < lim.delay_after:
            return 0.0
        return min(lim.delay_max_seconds, lim.delay_base_seconds * 2.0 ** (failures - lim.delay_after))

    def begin(self, store: Store, name: str, address: str) -> Ticket | Refusal:
        """Check both keys and, if allowed, count this attempt as a failure (one transaction)."""
        lim, t = self.limits, self.clock()
        keys = {"account": self.key("account", name.strip()), "address": self.key("address", address)}
        window, lockout = lim.window_minutes * 60, lim.lockout_minutes * 60
        with store.transaction() as db:
            rows = {scope: db.execute("SELECT failures, window_start, last_at, locked_until FROM login_throttle"
                                      " WHERE scope=? AND key=?", (scope, key)).fetchone()
                    for scope, key in keys.items()}
            waits = []
            for row in rows.values():
                if row is None:
                    continue
                if row["locked_until"] is not None:
                    if row["locked_until"] > t:
                        waits.append((row["locked_until"] - t, True))
                elif t - row["window_start"] <= window and t < row["last_at"] + self.delay(row["failures"]):
                    waits.append((row["last_at"] + self.delay(row["failures"]) - t, False))
            if waits:
                wait, locked = max(waits)
                refusal = Refusal(retry_after=max(1, math.ceil(wait)), locked=locked)
            else:
                refusal, failures, locks = None, {}, {}
                for scope, key in keys.items():
                    row = rows[scope]
                    fresh = row is None or t - row["window_start"] > window or (
                        row["locked_until"] is not None and row["locked_until"] <= t)
                    count = 1 if fresh else row["failures"] + 1
                    start = t if fresh else row["window_start"]
                    locks[scope] = count >= lim.lock_after
                    failures[scope] = count
                    db.execute("INSERT OR REPLACE INTO login_throttle (scope, key, failures, window_start, last_at,"
                               " locked_until) VALUES (?,?,?,?,?,?)",
                               (scope, key, count, start, t, t + lockout if locks[scope] else None))
            db.execute("DELETE FROM login_throttle WHERE last_at < ? AND (locked_until IS NULL OR locked_until < ?)",
                       (t - window - lim.delay_max_seconds, t))
        tag = keys["account"][:12]
        if refusal is not None:
            log.info("login refused (%s): account %s from %s; retry after %d s",
                     "locked" if refusal.locked else "too soon", tag, address, refusal.retry_after)
            return refusal
        return Ticket(keys=keys, failures=failures, locked=locks, tag=tag, address=address)

    def succeeded(self, store: Store, ticket: Ticket) -> None:
        """Clear the account's counter and take this attempt's count back from the address."""
        with store.transaction() as db:
            db.execute("DELETE FROM login_throttle WHERE scope='account' AND key=?", (ticket.keys["account"],))
            db.execute("UPDATE login_throttle SET failures=MAX(failures-1, 0),"
                       " locked_until=CASE WHEN ? THEN NULL ELSE locked_until END WHERE scope='address' AND key=?",
                       (ticket.locked["address"], ticket.keys["address"]))

    def failed(self, ticket: Ticket) -> None:
        """Log the failure (already counted by :meth:`begin`) and any lockout it caused."""
        lim = self.limits
        log.info("login failed: account %s from %s (%d failures for the account, %d for the address)",
                 ticket.tag, ticket.address, ticket.failures["account"], ticket.failures["address"])
        for scope in SCOPES:
            if ticket.locked[scope]:
                log.warning("login locked: %s %s for %g minutes after %d failures in %g minutes",
                            scope, ticket.tag if scope == "account" else ticket.address, lim.lockout_minutes,
                            ticket.failures[scope], lim.window_minutes)

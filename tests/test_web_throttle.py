"""Failed-login throttling through the real app (TestClient, real SQLite store, real argon2), with an
injected clock: repeated failures are slowed and then locked out, a lockout expires, addresses are
counted separately, the right password is refused while locked, unknown names behave like known ones."""
from __future__ import annotations

import logging
import re
import threading

import pytest
from fastapi.testclient import TestClient

from kilvoice.errors import KilvoiceError
from kilvoice.store import open_store
from kilvoice.web import Settings, create_app
from kilvoice.web.settings import LoginLimits
from tests.web_helpers import PASSWORDS, csrf, make_users

ERROR = re.compile(r'<p class="error" role="alert">([^<]*)</p>')


class Clock:
    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture()
def project(tmp_path):
    make_users(tmp_path)
    return tmp_path


def make_app(project, clock: Clock, **limits):
    app = create_app(project, Settings(login=LoginLimits(**limits)) if limits else Settings())
    app.state.login_throttle.clock = clock
    return app


def attempt(client, name: str, password: str):
    """One login POST: (status, Retry-After, the page's error line)."""
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf(client)},
                    follow_redirects=False)
    found = ERROR.search(r.text)
    return r.status_code, r.headers.get("retry-after"), found.group(1) if found else None


def fail_until_locked(client, clock: Clock, name: str) -> list:
    """Wrong passwords, each retried as soon as the server allows, until it answers 'locked'."""
    seen = []
    for _ in range(40):
        status, retry, error = attempt(client, name, "wrong-password")
        seen.append((status, retry, error))
        if status == 429:
            if int(retry) > 60:  # longer than the longest delay: locked
                return seen
            clock.t += int(retry)
    raise AssertionError(f"never locked: {seen}")


def test_repeated_failures_are_slowed_then_locked_and_the_lock_expires(project, caplog):
    clock = Clock()
    with TestClient(make_app(project, clock)) as c, caplog.at_level(logging.INFO, logger="kilvoice.web"):
        seen = fail_until_locked(c, clock, "off")
        # three plain failures, then each further attempt must wait twice as long (capped at 60 s)
        assert [s for s, _, _ in seen[:3]] == [401, 401, 401]
        waits = [int(r) for s, r, _ in seen if s == 429]
        assert waits[:-1] == [1, 2, 4, 8, 16, 32, 60]
        assert [s for s, _, _ in seen].count(401) == 10  # ten failures lock the account
        assert seen[-1] == (429, "900", "Too many failed attempts. Try again in 15 minutes.")
        assert seen[3][2] == "Too many failed attempts. Try again in 1 second."
        # asking too soon is refused without counting or checking the password
        assert attempt(c, "off", PASSWORDS["off"])[:2] == (429, "900")  # the right password is refused
        clock.t += 10 * 60
        assert attempt(c, "off", PASSWORDS["off"]) == (429, "300", "Too many failed attempts. Try again in 5 minutes.")
        clock.t += 5 * 60 + 1
        assert attempt(c, "off", PASSWORDS["off"])[0] == 303  # the lock has expired
        # the success reset the account: three new failures are answered without delay
        assert [attempt(c, "off", "wrong-password")[0] for _ in range(3)] == [401, 401, 401]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "login locked: account" in text and "for 15 minutes after 10 failures" in text
    assert "login refused (too soon)" in text and "login refused (locked)" in text
    for secret in ("wrong-password", PASSWORDS["off"]):
        assert secret not in text
    assert not re.search(r"account off\b", text)  # names are logged as a keyed hash's tag


def test_a_different_address_is_throttled_separately(project):
    clock = Clock()
    app = make_app(project, clock)
    with TestClient(app, client=("10.0.0.1", 5000)) as a, TestClient(app, client=("10.0.0.2", 5000)) as b:
        # one address guessing many names (none of them repeated) is locked by its address count
        for i in range(40):
            status, retry, _ = attempt(a, f"guess{i}", "wrong-password")
            if status == 429 and int(retry) >= 60 * 5:
                break
            if status == 429:
                clock.t += int(retry)
        else:
            raise AssertionError("the address was never locked")
        assert attempt(a, "vol", PASSWORDS["vol"])[:2] == (429, "900")  # any account, from that address
        assert attempt(b, "vol", PASSWORDS["vol"])[0] == 303  # another address is not affected
        # and one account under attack from one address stays locked from every address
        fail_until_locked(b, clock, "adm")
        assert attempt(a, "off", PASSWORDS["off"])[0] == 429  # a is still locked
        with TestClient(app, client=("10.0.0.3", 5000)) as c:
            assert attempt(c, "adm", PASSWORDS["adm"])[:2] == (429, "900")
            assert attempt(c, "off", PASSWORDS["off"])[0] == 303


def test_an_unknown_account_behaves_like_a_known_one(project):
    clock_known, clock_unknown = Clock(), Clock()
    with TestClient(make_app(project, clock_known), client=("10.0.0.1", 1)) as known:
        seen_known = fail_until_locked(known, clock_known, "off")
    with TestClient(make_app(project, clock_unknown), client=("10.0.0.2", 1)) as unknown:
        seen_unknown = fail_until_locked(unknown, clock_unknown, "nobody-here")
        assert attempt(unknown, "nobody-here", "anything-at-all")[:2] == (429, "900")
    assert seen_known == seen_unknown
    assert len(seen_known) > 10


def test_lockout_survives_a_restart_and_ends_with_its_time(project):
    clock = Clock()
    with TestClient(make_app(project, clock, delay_after=100, lock_after=4, lockout_minutes=2)) as c:
        assert [attempt(c, "vol", "wrong-password")[0] for _ in range(4)] == [401] * 4
        assert attempt(c, "vol", PASSWORDS["vol"])[:2] == (429, "120")
    # a new server process on the same project still refuses: the counters live in the store
    with TestClient(make_app(project, clock, delay_after=100, lock_after=4, lockout_minutes=2)) as c:
        assert attempt(c, "vol", PASSWORDS["vol"]) == (429, "120", "Too many failed attempts. Try again in 2 minutes.")
        clock.t += 121
        assert attempt(c, "vol", PASSWORDS["vol"])[0] == 303
    with open_store(project) as store:
        rows = store.db.execute("SELECT scope, key FROM login_throttle").fetchall()
    assert rows and all(r["key"] not in ("vol", "testclient") and len(r["key"]) == 32 for r in rows)


def test_a_burst_of_parallel_guesses_cannot_slip_through_together(project):
    """20 threads, each with its own SQLite connection, ask at the same instant: only the attempts
    before the delay starts are let through, because each is counted in the same transaction."""
    clock = Clock()
    app = make_app(project, clock)
    throttle = app.state.login_throttle
    results, barrier = [], threading.Barrier(20)

    def one(i):
        with open_store(project) as store:
            barrier.wait()
            results.append(throttle.begin(store, "off", f"10.1.0.{i}"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    allowed = [r for r in results if not hasattr(r, "retry_after")]
    assert len(results) == 20 and len(allowed) == 3


def test_bad_throttle_settings_are_refused():
    for bad in ({"lock_after": 0}, {"delay_after": 2.5}, {"lockout_minutes": 0},
                {"delay_base_seconds": 5, "delay_max_seconds": 1}):
        with pytest.raises(KilvoiceError) as e:
            LoginLimits(**bad)
        assert e.value.code == "K820"

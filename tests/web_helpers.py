"""Helpers shared by the web tests: users, logging in, CSRF tokens, a tiny real-format corpus."""
from __future__ import annotations

import io
import re

from kilvoice.store import open_store
from kilvoice.web.auth import add_user

PASSWORDS = {"vol": "vol-password-1", "vol2": "vol2-password", "off": "officer-pass", "adm": "admin-password"}
ROLES = {"vol": "conversationalist", "vol2": "conversationalist", "off": "officer", "adm": "admin"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

TOPICS = {
    "parks": ["The park by the river is lovely and the children play there every day.",
              "We need more benches and bins in the park, it gets messy at weekends.",
              "The green spaces are what make this area special for families."],
    "buses": ["The buses are too rare in the evening so young people cannot get to college.",
              "Bus fares are too expensive for families and the routes were cut.",
              "Without a car you are stuck here because the bus service is poor."],
    "library": ["The library is the heart of the community with clubs for every age.",
                "Keep the library open longer so students have somewhere warm to study.",
                "The library staff helped me find work and use the computers."],
    "jobs": ["There are not enough good jobs locally so young people move away.",
             "More apprenticeships with local firms would keep the next generation here.",
             "The new business park brought some jobs but they are mostly low paid."],
}


def make_users(project) -> None:
    with open_store(project) as store:
        for name, role in ROLES.items():
            add_user(store, name, role, PASSWORDS[name])


def csrf(client, path: str = "/login") -> str:
    page = client.get(path)
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


def login(client, name: str) -> None:
    client.cookies.clear()
    token = csrf(client, "/login")
    r = client.post("/login", data={"name": name, "password": PASSWORDS[name], "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def notes_csv(n: int, offset: int = 0, prefix: str = "W") -> bytes:
    """``n`` notes as CSV (id, text, area, setting, consent), distinct texts, topics cycling."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "text", "area", "setting", "consent"])
    topics = list(TOPICS)
    for i in range(offset, offset + n):
        topic = TOPICS[topics[i % len(topics)]]
        text = f"{topic[i % 3]} {topic[(i + 1) % 3]} (note {prefix}{i})"
        w.writerow([f"{prefix}-{i:05d}", text, ["Northgate", "Ryecroft", "Castlebeck"][i % 3],
                    ["community", "work", "social"][i % 3], "yes"])
    return buf.getvalue().encode()


def notes_docx(paragraphs: list[str]) -> bytes:
    """A real .docx (python-docx) with a metadata header and a few paragraphs of notes."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("Setting: community")
    doc.add_paragraph("Area: Brackenhill")
    doc.add_paragraph("Consent to quote: yes")
    doc.add_paragraph("")
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """uvicorn serving ``app`` on 127.0.0.1 (random free port) in a daemon thread; ``stop()`` ends it."""

    def __init__(self, app, port: int | None = None):
        import threading

        import uvicorn

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    limit_concurrency=200, timeout_keep_alive=5))
        self.thread = threading.Thread(target=self.server.run, name="kilvoice-test-server", daemon=True)

    def __enter__(self):
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(15)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def chromium(executable: str = "/usr/bin/chromium"):
    """A module-scoped browser fixture body: Debian chromium driven by Playwright (skips without it)."""
    import pytest

    sync_playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed").sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()

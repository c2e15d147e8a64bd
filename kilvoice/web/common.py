"""What every route module shares: the store per call, the logged-in user, role checks, rendering."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from itsdangerous import BadSignature, TimestampSigner
from jinja2 import Environment, PackageLoader

from kilvoice.report.render import holds_text
from kilvoice.store import Store, open_store
from kilvoice.web import auth
from kilvoice.web.csrf import token_for

SESSION_COOKIE = "kv_session"
PRE_COOKIE = "kv_pre"

_env = Environment(loader=PackageLoader("kilvoice.web", "templates"), autoescape=True,
                   trim_blocks=True, lstrip_blocks=True)
_env.globals["holds_text"] = holds_text


class LoginRequired(Exception):
    """Raised by the user dependency when nobody is logged in (HTML: redirect to /login; JSON: 401)."""


@contextmanager
def project_store(request: Request) -> Iterator[Store]:
    """A store connection for this thread only (SQLite connections are not shared across threads)."""
    store = open_store(request.app.state.project_dir)
    try:
        yield store
    finally:
        store.close()


def signer(request: Request) -> TimestampSigner:
    return TimestampSigner(request.app.state.secret, salt="kilvoice-session")


def read_cookie(request: Request, name: str, max_age: float) -> str | None:
    raw = request.cookies.get(name)
    if not raw:
        return None
    try:
        return signer(request).unsign(raw, max_age=max_age).decode()
    except BadSignature:
        return None


def optional_user(request: Request) -> dict | None:
    """The logged-in user or None (runs in a worker thread: sync, with its own connection)."""
    settings = request.app.state.settings
    token = read_cookie(request, SESSION_COOKIE, settings.session_hours * 3600)
    request.state.pre_token = read_cookie(request, PRE_COOKIE, 24 * 3600)
    user = None
    if token:
        with project_store(request) as store:
            user = auth.session_user(store, token)
    request.state.session_token = token if user else None
    request.state.user = user
    return user


def current_user(user: dict | None = Depends(optional_user)) -> dict:
    if user is None:
        raise LoginRequired()
    return user


def require(role: str):
    """A dependency: the user, who must have ``role`` or higher (else 403)."""

    def check(user: dict = Depends(current_user)) -> dict:
        if not auth.allowed(user, role):
            raise HTTPException(status_code=403, detail=f"This page is for {role}s. Ask an admin if you need access.")
        return user

    return check


def render(request: Request, template: str, status_code: int = 200, **ctx) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    html = _env.get_template(template).render(request=request, user=user, csrf_token=token_for(request),
                                              allowed=auth.allowed, **ctx)
    return HTMLResponse(html, status_code=status_code)


def json_response(data, status_code: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status_code)


def back(next_url: str | None, default: str) -> RedirectResponse:
    """Redirect (303) to a local path only: never to another site."""
    target = next_url or default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = default
    return RedirectResponse(target, status_code=303)


def login_redirect(request: Request) -> RedirectResponse:
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(nxt)}", status_code=303)


def project_dir(request: Request) -> Path:
    return request.app.state.project_dir

"""Log in, log out, and the home page (which sends each role to its main page)."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from kilvoice.web import auth
from kilvoice.web.common import (PRE_COOKIE, SESSION_COOKIE, back, optional_user, project_store, render,
                                 signer)
from kilvoice.web.csrf import verified_form
from kilvoice.web.throttle import Refusal

router = APIRouter()


def _secure(request: Request) -> bool:
    forced = request.app.state.settings.secure_cookies
    return forced if forced is not None else request.url.scheme == "https"


@router.get("/")
def home(request: Request, user: dict | None = Depends(optional_user)):
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/themes" if auth.allowed(user, "officer") else "/upload", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = "", user: dict | None = Depends(optional_user)):
    fresh = None
    if not request.state.pre_token:
        fresh = secrets.token_urlsafe(24)
        request.state.pre_token = fresh
    response = render(request, "login.html.j2", next=next, error=None)
    if fresh:
        response.set_cookie(PRE_COOKIE, signer(request).sign(fresh).decode(), httponly=True, samesite="lax",
                            secure=_secure(request), max_age=24 * 3600)
    return response


@router.post("/login")
async def login(request: Request, _: dict | None = Depends(optional_user)):
    form = await verified_form(request)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    throttle = request.app.state.login_throttle
    address = request.client.host if request.client else "unknown"

    def check():
        with project_store(request) as store:
            ticket = throttle.begin(store, name, address)
            if isinstance(ticket, Refusal):
                return None, None, ticket
            user = auth.authenticate(store, name, password)
            if user is None:
                throttle.failed(ticket)
                return None, None, None
            throttle.succeeded(store, ticket)
            return user, auth.create_session(store, user["id"], request.app.state.settings.session_hours), None

    user, token, refusal = await run_in_threadpool(check)
    if refusal is not None:  # the same for known and unknown names; the password was not checked
        response = render(request, "login.html.j2", status_code=429, next=form.get("next", ""), error=refusal.message)
        response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    if user is None:
        return render(request, "login.html.j2", status_code=401, next=form.get("next", ""),
                      error="That name and password do not match an account.")
    default = "/themes" if auth.allowed(user, "officer") else "/upload"
    response = back(str(form.get("next") or ""), default)
    hours = request.app.state.settings.session_hours
    response.set_cookie(SESSION_COOKIE, signer(request).sign(token).decode(), httponly=True, samesite="lax",
                        secure=_secure(request), max_age=int(hours * 3600))
    response.delete_cookie(PRE_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, _: dict | None = Depends(optional_user)):
    await verified_form(request)
    token = request.state.session_token

    def end():
        with project_store(request) as store:
            auth.end_session(store, token)

    await run_in_threadpool(end)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

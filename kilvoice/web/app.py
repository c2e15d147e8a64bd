"""The web app factory: ``create_app(project_dir, settings)``.

Server-rendered pages (Jinja2, autoescaped) with a JSON twin each; no JavaScript framework. One
exception handler turns KilvoiceError into a page or JSON, as the CLI does into a line; any other
exception becomes a K950 page and a log file (:class:`LimitsMiddleware`), never a traceback.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response

from kilvoice.crashlog import internal_error, tag_stage
from kilvoice.errors import KilvoiceError
from kilvoice.store import open_store
from kilvoice.web.common import LoginRequired, login_redirect, render
from kilvoice.web.settings import Settings, load_secret
from kilvoice.web.throttle import LoginThrottle

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'",
}
SIZE_LIMITED = ("/upload",)
FORM_SLACK = 256 * 1024  # room for the metadata form and multipart framing


class _TooLarge(Exception):
    pass


class LimitsMiddleware:
    """Pure ASGI: security headers on every response; request bodies to /upload over the limit get 413
    before they are read (Content-Length) or as soon as the count passes it (chunked bodies).

    It is also the requests' error boundary (inside Starlette's own error middleware): an unexpected
    exception becomes a plain page (or JSON) with the K950 line, and its traceback goes to
    ``<project>/logs/web-<time>.log`` without resident text. Nothing is re-raised, so no traceback
    reaches the server's console, and the server keeps serving."""

    def __init__(self, app, max_bytes: int, project_dir: Path):
        self.app, self.max_bytes, self.project_dir = app, max_bytes, project_dir

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for k, v in SECURITY_HEADERS.items():
                    if k.lower().encode() not in present:
                        headers.append((k.lower().encode(), v.encode()))
                message = {**message, "headers": headers}
            await send(message)

        limited = scope.get("method") == "POST" and scope.get("path") in SIZE_LIMITED
        if limited:
            limit = self.max_bytes + FORM_SLACK
            length = dict(scope.get("headers", [])).get(b"content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                return await self._refuse(scope, receive, send_with_headers)
            seen = 0
            inner = receive

            async def receive():
                nonlocal seen
                message = await inner()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > limit:
                        raise _TooLarge()
                return message
        try:
            await self.app(scope, receive, send_with_headers)
        except _TooLarge:
            if not started:
                await self._refuse(scope, None, send_with_headers)
        except ClientDisconnect:  # nobody left to answer
            return
        except Exception as exc:
            err = await self._internal_error(scope, exc)
            if not started:  # else the page was half sent: the client sees it cut off
                await self._error_page(scope, err, send_with_headers)

    async def _internal_error(self, scope, exc: Exception) -> KilvoiceError:
        route = getattr(scope.get("route"), "path", None) or "an unknown page"
        tag_stage(exc, f"the web app ({scope.get('method', '?')} {route})")
        name = "web-" + datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        err = await run_in_threadpool(internal_error, exc, self.project_dir, name)
        logging.getLogger("kilvoice.web").error("request failed: %s %s", err.code, err.message)
        return err

    async def _error_page(self, scope, err: KilvoiceError, send):
        request = Request(scope)
        if _wants_json(request):
            response = JSONResponse({"error": err.message, "code": err.code}, status_code=500)
        else:
            response = render(request, "error.html.j2", status_code=500, status=500, message=f"{err.code} {err.message}")
        await response(scope, None, send)

    async def _refuse(self, scope, receive, send):
        mb = self.max_bytes / (1024 * 1024)
        text = f"The upload is larger than the {mb:g} MB limit. Split the file, or ask an admin to raise the limit."
        body = f"<!doctype html><title>Too large</title><h1>Upload too large</h1><p>{text}</p>".encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"connection", b"close"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or "application/json" in request.headers.get("accept", "")


def create_app(project_dir: str | Path, settings: Settings | None = None) -> FastAPI:
    """The web app over one project folder (its SQLite store, uploads and reports)."""
    settings = settings or Settings()
    project_dir = Path(project_dir).resolve()
    project_dir.mkdir(parents=True, exist_ok=True)
    open_store(project_dir).close()  # create / migrate before the first request
    app = FastAPI(title="kilvoice", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.project_dir = project_dir
    app.state.settings = settings
    app.state.secret = load_secret(project_dir, settings.secret_key)
    app.state.login_throttle = LoginThrottle(settings.login, app.state.secret)  # tests may swap its clock

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        if _wants_json(request) or request.method != "GET":
            return JSONResponse({"error": "login required"}, status_code=401)
        return login_redirect(request)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        if _wants_json(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return render(request, "error.html.j2", status_code=exc.status_code, status=exc.status_code,
                      message=exc.detail)

    @app.exception_handler(KilvoiceError)
    async def _kilvoice(request: Request, exc: KilvoiceError):
        if _wants_json(request):
            return JSONResponse({"error": exc.message, "code": exc.code}, status_code=400)
        return render(request, "error.html.j2", status_code=400, status=400, message=f"{exc.code} {exc.message}")

    from kilvoice.web.routes import admin, auth_pages, review, uploads

    for module in (auth_pages, uploads, review, admin):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(packages=[("kilvoice.web", "static")]), name="static")

    @app.get("/healthz", include_in_schema=False)
    def _health() -> Response:
        return Response("ok", media_type="text/plain")

    app.add_middleware(LimitsMiddleware, max_bytes=settings.max_upload_bytes, project_dir=project_dir)
    return app


__all__ = ["create_app", "Settings"]

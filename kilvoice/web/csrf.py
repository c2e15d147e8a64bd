"""CSRF tokens: an HMAC of the session (or pre-login) token with the secret key.

Every POST form carries ``csrf_token``; :func:`verified_form` refuses a missing or wrong one with
403 before the handler does anything.
"""
from __future__ import annotations

import hashlib
import hmac

from fastapi import HTTPException, Request

FIELD = "csrf_token"


def make_token(secret: str, bound_to: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{bound_to}".encode(), hashlib.sha256).hexdigest()


def token_for(request: Request) -> str:
    bound = getattr(request.state, "session_token", None) or getattr(request.state, "pre_token", None) or ""
    return make_token(request.app.state.secret, bound) if bound else ""


async def verified_form(request: Request):
    """The request's form, after checking its CSRF token (403 when missing or invalid)."""
    form = await request.form()
    given = str(form.get(FIELD) or request.headers.get("x-csrf-token") or "")
    expected = token_for(request)
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise HTTPException(status_code=403, detail="The form has expired or is missing its security token. "
                                                    "Go back, reload the page and try again.")
    return form

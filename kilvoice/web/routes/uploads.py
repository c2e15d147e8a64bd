"""Conversationalists hand in notes: the upload form (with metadata) and their own uploads."""
from __future__ import annotations

from pathlib import PurePath

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kilvoice.records import AGE_BANDS, SETTINGS
from kilvoice.web import auth
from kilvoice.web.common import json_response, project_store, render, require
from kilvoice.web.csrf import verified_form
from kilvoice.web.uploads import clean_meta, list_uploads, save_and_ingest, upload_row

router = APIRouter()
conversationalist = require("conversationalist")


def _form_page(request: Request, status_code: int = 200, errors: list[str] | None = None, results=None, form=None):
    s = request.app.state.settings
    return render(request, "upload.html.j2", status_code=status_code, errors=errors or [], results=results or [],
                  settings_options=SETTINGS, age_bands=AGE_BANDS, suffixes=s.upload_suffixes,
                  max_mb=s.max_upload_mb, form=form or {})


@router.get("/upload")
def upload_page(request: Request, user: dict = Depends(conversationalist)):
    return _form_page(request)


@router.post("/upload")
async def upload(request: Request, user: dict = Depends(conversationalist)):
    form = await verified_form(request)
    settings = request.app.state.settings
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    errors: list[str] = []
    if not files:
        errors.append("Choose at least one file of notes.")
    if not form.get("personal_data_ack"):
        errors.append("Tick the box to confirm you have read the warning about personal data.")
    payloads = []
    for f in files:
        suffix = PurePath(f.filename).suffix.lower()
        if suffix not in settings.upload_suffixes:
            errors.append(f"{f.filename}: files of type '{suffix or '(none)'}' are not accepted. "
                          f"Use one of: {' '.join(settings.upload_suffixes)}.")
            continue
        data = await f.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            errors.append(f"{f.filename}: larger than the {settings.max_upload_mb:g} MB limit. Split it.")
            continue
        if not data:
            errors.append(f"{f.filename}: the file is empty.")
            continue
        payloads.append((f.filename, data))
    if errors:
        status = 413 if any("MB limit" in e for e in errors) else 400
        return _form_page(request, status_code=status, errors=errors, form=dict(form))
    meta = clean_meta(dict(form))

    def work():
        with project_store(request) as store:
            return [save_and_ingest(store, request.app.state.project_dir, user, name, data, meta)
                    for name, data in payloads]

    results = await run_in_threadpool(work)
    if "application/json" in request.headers.get("accept", ""):
        return json_response({"uploads": results})
    return _form_page(request, results=results)


def _visible(user: dict) -> int | None:
    """Conversationalists see only their own uploads; officers and admins see all."""
    return None if auth.allowed(user, "officer") else user["id"]


@router.get("/uploads.json")
def uploads_json(request: Request, user: dict = Depends(conversationalist)):
    with project_store(request) as store:
        return json_response({"uploads": list_uploads(store, _visible(user))})


@router.get("/uploads")
def uploads_page(request: Request, user: dict = Depends(conversationalist)):
    with project_store(request) as store:
        rows = list_uploads(store, _visible(user))
    return render(request, "uploads.html.j2", uploads=rows)


def _one(request: Request, user: dict, upload_id: int) -> dict:
    with project_store(request) as store:
        row = upload_row(store, upload_id)
    if row is None:
        raise HTTPException(status_code=404, detail="No such upload.")
    if _visible(user) is not None and row["user_id"] != user["id"]:
        raise HTTPException(status_code=403, detail="You can only see your own uploads.")
    return row


@router.get("/uploads/{upload_id}.json")
def upload_json(request: Request, upload_id: int, user: dict = Depends(conversationalist)):
    return json_response(_one(request, user, upload_id))


@router.get("/uploads/{upload_id}")
def upload_detail(request: Request, upload_id: int, user: dict = Depends(conversationalist)):
    return render(request, "upload_detail.html.j2", upload=_one(request, user, upload_id))

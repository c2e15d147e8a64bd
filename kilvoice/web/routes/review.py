"""Officer review: themes, every statement of a theme, framework links, and the decision log.

Every edit is one POST to /decisions (kind + fields + reason): appended to the log, then the whole
log is re-applied to the latest run so counts, titles and quotes update everywhere.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from kilvoice.errors import KilvoiceError
from kilvoice.review import describe, export_decisions, load_decisions, reapply, record_decision
from kilvoice.review.decisions import KINDS
from kilvoice.web.common import back, json_response, project_store, render, require
from kilvoice.web.context import (LINKS_PER_PAGE, PER_PAGE, link_rows, theme_statement_count, theme_statements, theme_summary,
                                  web_context)
from kilvoice.web.csrf import verified_form

router = APIRouter()
officer = require("officer")
PAYLOAD_KEYS = ("theme_id", "into", "title", "description", "statement_id", "statement_ids", "from", "to",
                "source_kind", "source_id", "framework_id", "item_id", "accepted", "publishable", "conversation_id",
                "span", "new_id", "signed_off")


def _ctx(store):
    ctx = web_context(store)
    if ctx is None:
        raise HTTPException(status_code=404, detail="No analysis has finished yet. Start one on the Runs page.")
    return ctx


@router.get("/themes.json")
def themes_json(request: Request, user: dict = Depends(officer)):
    with project_store(request) as store:
        ctx = _ctx(store)
    return json_response({"run_id": ctx["run_id"], "summary": ctx["summary"],
                          "themes": [theme_summary(t) for t in ctx["themes"]]})


@router.get("/themes")
def themes_page(request: Request, user: dict = Depends(officer)):
    with project_store(request) as store:
        ctx = web_context(store)
    return render(request, "themes.html.j2", ctx=ctx)


def _theme(request: Request, theme_id: str, page: int):
    """The context, the theme, one page of its statements and the paging: {page, pages, total, per_page}."""
    with project_store(request) as store:
        ctx = _ctx(store)
        theme = next((t for t in ctx["themes"] if t["id"] == theme_id), None)
        if theme is None:
            raise HTTPException(status_code=404, detail=f"No theme '{theme_id}' in the latest run.")
        total = theme_statement_count(store, ctx, theme_id)
        paging = {"page": max(1, page), "pages": max(1, -(-total // PER_PAGE)), "total": total, "per_page": PER_PAGE}
        return ctx, theme, theme_statements(store, ctx, theme_id, page), paging


@router.get("/themes/{theme_id}.json")
def theme_json(request: Request, theme_id: str, page: int = 1, user: dict = Depends(officer)):
    ctx, theme, statements, paging = _theme(request, theme_id, page)
    return json_response({"run_id": ctx["run_id"], "theme": theme_summary(theme), "statements": statements,
                          "paging": paging})


@router.get("/themes/{theme_id}")
def theme_page(request: Request, theme_id: str, page: int = 1, user: dict = Depends(officer)):
    ctx, theme, statements, paging = _theme(request, theme_id, page)
    others = [t for t in ctx["themes"] if t["id"] != theme_id]
    return render(request, "theme.html.j2", ctx=ctx, theme=theme, statements=statements, others=others,
                  paging=paging)


@router.get("/frameworks.json")
def frameworks_json(request: Request, page: int = 1, user: dict = Depends(officer)):
    with project_store(request) as store:
        ctx = _ctx(store)
        links = link_rows(store, ctx, page)
    return json_response({"run_id": ctx["run_id"], "frameworks": ctx["frameworks"], "links": links,
                          "unmapped_themes": ctx["unmapped_themes"], "page": page})


@router.get("/frameworks")
def frameworks_page(request: Request, page: int = 1, user: dict = Depends(officer)):
    with project_store(request) as store:
        ctx = web_context(store)
        links = link_rows(store, ctx, page) if ctx else []
    return render(request, "frameworks.html.j2", ctx=ctx, links=links, page=max(1, page),
                  more=ctx is not None and ctx["summary"]["statement_links"] > page * LINKS_PER_PAGE)


@router.post("/decisions")
async def decide(request: Request, user: dict = Depends(officer)):
    """Record one decision from a form (hidden ``kind`` plus the fields it needs), then re-apply."""
    form = await verified_form(request)
    kind = str(form.get("kind", ""))
    payload = {k: str(form.get(k)) for k in PAYLOAD_KEYS if form.get(k) not in (None, "")}
    if kind == "split":
        payload["statement_ids"] = [str(v) for v in form.getlist("statement_ids")] or payload.get("statement_ids", "")
    reason = str(form.get("reason", ""))

    def work():
        with project_store(request) as store:
            if kind == "quote" and payload.get("publishable") in ("1", "true", "yes", "on"):
                _check_consent(store, payload.get("statement_id", ""))
            decision_id = record_decision(store, kind, user["name"], payload, reason=reason)
            report = reapply(store)
            return decision_id, report

    decision_id, report = await run_in_threadpool(work)
    if "application/json" in request.headers.get("accept", ""):
        return json_response({"decision_id": decision_id, "review": report})
    return back(str(form.get("next") or ""), "/themes")


def _check_consent(store, statement_id: str) -> None:
    row = store.db.execute("SELECT c.consent_to_quote FROM statements s JOIN conversations c ON c.id=s.conversation_id"
                           " WHERE s.id=?", (statement_id,)).fetchone()
    if row is None or row[0] != 1:
        raise KilvoiceError("K811", statement=statement_id)


@router.get("/decisions.json")
def decisions_json(request: Request, user: dict = Depends(officer)):
    with project_store(request) as store:
        return json_response({"decisions": load_decisions(store), "kinds": list(KINDS)})


@router.get("/decisions/export.{fmt}")
def decisions_export(request: Request, fmt: str, user: dict = Depends(officer)):
    with project_store(request) as store:
        text = export_decisions(store, fmt)
    media = "text/csv" if fmt == "csv" else "application/json"
    return Response(text, media_type=f"{media}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="decisions.{fmt}"'})


@router.get("/decisions")
def decisions_page(request: Request, user: dict = Depends(officer)):
    with project_store(request) as store:
        rows = load_decisions(store)
        ctx = web_context(store)
    for d in rows:
        d["what"] = describe(d)
    review = (ctx or {}).get("review") or {}
    return render(request, "decisions.html.j2", decisions=list(reversed(rows)), review=review)

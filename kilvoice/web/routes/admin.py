"""Runs (start an analysis, watch progress), the report download, the redaction queue, users."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse

from kilvoice.review import record_decision
from kilvoice.web import auth, jobs
from kilvoice.web.common import back, json_response, project_store, render, require
from kilvoice.web.csrf import verified_form

router = APIRouter()
officer = require("officer")
admin = require("admin")
REPORT_FILES = ("report.html", "themes.csv", "statements.csv", "statements.parquet", "mapping.csv", "report.json")


# -- runs ---------------------------------------------------------------------------------------
def _runs(request: Request) -> dict:
    with project_store(request) as store:
        runs = [{k: r[k] for k in ("id", "status", "started_at", "finished_at")}
                for r in reversed(store.runs())][:20]
        return {"jobs": jobs.jobs(store), "runs": runs}


@router.get("/runs.json")
def runs_json(request: Request, user: dict = Depends(officer)):
    return json_response(_runs(request))


@router.get("/runs")
def runs_page(request: Request, user: dict = Depends(officer)):
    data = _runs(request)
    busy = any(j["status"] in ("queued", "running") for j in data["jobs"])
    return render(request, "runs.html.j2", busy=busy, **data)


@router.post("/runs")
async def start_run(request: Request, user: dict = Depends(officer)):
    await verified_form(request)
    s = request.app.state.settings
    pipeline = jobs.project_pipeline(request.app.state.project_dir, s.pipeline)
    job_id = await run_in_threadpool(jobs.start_analysis, request.app.state.project_dir, pipeline, user["id"],
                                     s.run_in_thread)
    if "application/json" in request.headers.get("accept", ""):
        return json_response({"job_id": job_id}, status_code=202)
    return RedirectResponse("/runs", status_code=303)


@router.get("/jobs/{job_id}.json")
def job_json(request: Request, job_id: int, user: dict = Depends(officer)):
    with project_store(request) as store:
        row = jobs.job(store, job_id)
    if row is None:
        raise HTTPException(status_code=404, detail="No such job.")
    return json_response(row)


# -- report -------------------------------------------------------------------------------------
def _report_dir(request: Request) -> Path:
    return request.app.state.project_dir / "report"


def _write_report(request: Request) -> list[str]:
    """Re-render the latest run's report from the store, so it carries every review decision."""
    from kilvoice.report import write_report

    written = write_report(request.app.state.project_dir, _report_dir(request))
    return sorted(p.name for p in written)


@router.get("/report.json")
def report_json(request: Request, user: dict = Depends(officer)):
    return json_response({"files": [f"/report/{n}" for n in _write_report(request) if n in REPORT_FILES]})


@router.get("/report")
def report_page(request: Request, user: dict = Depends(officer)):
    with project_store(request) as store:
        has_run = any(r["status"] == "done" for r in store.runs())
    files = [n for n in _write_report(request) if n in REPORT_FILES] if has_run else []
    return render(request, "report.html.j2", files=files)


@router.get("/report/{name}")
def report_file(request: Request, name: str, user: dict = Depends(officer)):
    if name not in REPORT_FILES:  # a fixed list: no path from the client reaches the file system
        raise HTTPException(status_code=404, detail="No such report file.")
    if name == "report.html" or not (_report_dir(request) / name).exists():
        _write_report(request)
    path = _report_dir(request) / name
    if not path.exists():
        raise HTTPException(status_code=404, detail="That file was not written for this run.")
    return FileResponse(path, filename=name)


# -- redaction review queue (owned by kilvoice.redact.review; decisions also go to the log) -----
@router.get("/review/redactions.json")
def redactions_json(request: Request, user: dict = Depends(officer)):
    from kilvoice.store.review import review_items

    with project_store(request) as store:
        items = review_items(store, None)
    return json_response({"items": items})  # labels, offsets and scores only: no text


@router.get("/review/redactions")
def redactions_page(request: Request, user: dict = Depends(officer), show: str = "pending"):
    from kilvoice.redact.review import show_item
    from kilvoice.store.review import review_items

    with project_store(request) as store:
        items = review_items(store, None if show == "all" else "pending")
        for item in items:
            item["context"] = show_item(store, item)
        flags = store.flags("safeguarding")
    return render(request, "redactions.html.j2", items=items, flags=flags, show=show)


@router.post("/review/redactions/{item_id}")
async def redaction_decide(request: Request, item_id: int, user: dict = Depends(officer)):
    form = await verified_form(request)
    status = "accepted" if str(form.get("decision")) == "accept" else "rejected"

    def work():
        from kilvoice.store.review import decide

        with project_store(request) as store:
            item = decide(store, item_id, status, user["name"], force=bool(form.get("force")))
            record_decision(store, "redaction", user["name"],
                            {"conversation_id": item["conversation_id"], "accepted": status == "accepted",
                             "span": f"{item['id']}:{item['label']}"}, reason=str(form.get("reason", "")))

    await run_in_threadpool(work)
    return back(str(form.get("next") or ""), "/review/redactions")


# -- users ----------------------------------------------------------------------------------------
@router.get("/admin/users.json")
def users_json(request: Request, user: dict = Depends(admin)):
    with project_store(request) as store:
        return json_response({"users": auth.users(store), "roles": list(auth.ROLES)})


@router.get("/admin/users")
def users_page(request: Request, user: dict = Depends(admin)):
    with project_store(request) as store:
        rows = auth.users(store)
    return render(request, "users.html.j2", users=rows, roles=auth.ROLES, error=None)


@router.post("/admin/users")
async def users_add(request: Request, user: dict = Depends(admin)):
    form = await verified_form(request)

    def work():
        with project_store(request) as store:
            auth.add_user(store, str(form.get("name", "")), str(form.get("role", "")), str(form.get("password", "")))

    await run_in_threadpool(work)
    return RedirectResponse("/admin/users", status_code=303)

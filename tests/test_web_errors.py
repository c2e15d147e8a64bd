"""The web app's error boundary: an unexpected exception in an analysis job or in a request becomes a
K950 line and a log file without resident text; no traceback is shown and the server keeps serving."""
from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from kilvoice.web import Settings, create_app, jobs
from tests.web_helpers import csrf, login, make_users, notes_csv

RESIDENT = "resident text Mrs Smith 07700 900123"
K950 = re.compile(r"K950 internal error in (.+?); details written to (\S+\.log); nothing was lost")


def boom(*args, **kwargs):
    raise ValueError(RESIDENT)


@pytest.fixture()
def project(tmp_path):
    make_users(tmp_path)
    return tmp_path


def upload_notes(client, n: int = 48) -> None:
    login(client, "vol")
    r = client.post("/upload", data={"csrf_token": csrf(client, "/upload"), "personal_data_ack": "1"},
                    files={"files": ("notes.csv", notes_csv(n), "text/csv")}, headers={"accept": "application/json"})
    assert r.status_code == 200 and r.json()["uploads"][0]["result"]["notes_added"] == n


def run_job(client) -> dict:
    r = client.post("/runs", data={"csrf_token": csrf(client, "/runs")}, headers={"accept": "application/json"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    jobs.wait(job_id, timeout=900)
    return client.get(f"/jobs/{job_id}.json").json()


def assert_clean_log(path: str, project) -> str:
    from pathlib import Path

    log = Path(path)
    assert log.is_file() and log.parent == project / "logs"
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in text and "ValueError" in text
    for secret in (RESIDENT, "Mrs Smith", "07700", "900123"):
        assert secret not in text
    return text


@pytest.mark.slow
def test_a_job_that_raises_ends_failed_with_k950_and_the_next_job_runs(project, monkeypatch, caplog):
    with TestClient(create_app(project, Settings())) as client, caplog.at_level(logging.INFO):
        upload_notes(client)
        login(client, "off")
        import kilvoice.pipeline

        with monkeypatch.context() as m:
            m.setattr(kilvoice.pipeline, "segment_store", boom)  # a stage function fails unexpectedly
            failed = run_job(client)
        assert failed["status"] == "failed" and failed["finished_at"]
        found = K950.match(failed["message"])
        assert found, failed["message"]
        assert found.group(2).endswith(f"logs/job-{failed['id']}.log")
        log_text = assert_clean_log(found.group(2), project)
        assert "segment_store" in log_text  # the frames say where it happened
        page = client.get("/runs").text
        assert "K950 internal error" in page and "Traceback" not in page and RESIDENT not in page
        done = run_job(client)  # the server is still serving and the next job runs to the end
        assert done["status"] == "done" and done["run_id"], done
        assert done["id"] == failed["id"] + 1
    for record in caplog.records:
        assert RESIDENT not in record.getMessage() and record.exc_info is None


def test_a_request_that_raises_gives_a_plain_k950_page_and_the_server_keeps_serving(project, monkeypatch):
    # raise_server_exceptions stays on: an exception escaping the boundary would fail this test
    with TestClient(create_app(project, Settings())) as client:
        login(client, "off")
        assert client.get("/runs").status_code == 200
        with monkeypatch.context() as m:
            m.setattr(jobs, "jobs", boom)  # the Runs page's store read fails unexpectedly
            page = client.get("/runs")
            as_json = client.get("/runs.json")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "Something went wrong" in page.text and "Traceback" not in page.text and RESIDENT not in page.text
        found = K950.search(page.text)
        assert found and found.group(1) == "the web app (GET /runs)"
        assert_clean_log(found.group(2), project)
        assert page.headers["x-frame-options"] == "DENY"  # still inside the security headers
        assert as_json.status_code == 500 and as_json.json()["code"] == "K950"
        assert RESIDENT not in as_json.text
        assert client.get("/runs").status_code == 200 and client.get("/healthz").text == "ok"
        # expected errors keep their own answers and write no log: a 404, a K8xx error
        logs = sorted((project / "logs").glob("*.log"))
        assert client.get("/jobs/999.json").status_code == 404
        r = client.post("/decisions", data={"csrf_token": csrf(client, "/runs"), "kind": "nonsense"})
        assert r.status_code == 400 and "K80" in r.text
        assert sorted((project / "logs").glob("*.log")) == logs


def test_the_real_server_logs_no_traceback_and_keeps_serving(project, monkeypatch, caplog):
    import httpx

    from kilvoice.web.routes import auth_pages
    from tests.web_helpers import ServerThread

    monkeypatch.setattr(auth_pages, "render", boom)  # the login page fails unexpectedly
    with caplog.at_level(logging.INFO), ServerThread(create_app(project, Settings())) as server:
        r = httpx.get(f"{server.url}/login", timeout=30)
        assert r.status_code == 500 and "K950 internal error in the web app (GET /login)" in r.text
        assert httpx.get(f"{server.url}/healthz", timeout=30).text == "ok"
    assert not [rec for rec in caplog.records if rec.name.startswith("uvicorn") and rec.levelno >= logging.ERROR]
    for record in caplog.records:
        assert RESIDENT not in record.getMessage() and record.exc_info is None

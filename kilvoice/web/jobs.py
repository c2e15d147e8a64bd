"""Background analysis jobs: the pipeline runs in a worker thread, never inside a request.

A ``jobs`` row records status and progress; the Runs page polls it. Progress comes from the
pipeline's own log lines (counts and stage names only, never resident text).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from kilvoice.crashlog import internal_error, stage_of, tag_stage
from kilvoice.errors import KilvoiceError
from kilvoice.store import open_store
from kilvoice.store.sqlite import now

STAGES = ("ingest", "redact", "segment", "embed", "topics", "map", "report")
_lock = threading.Lock()
_threads: dict[int, threading.Thread] = {}

PIPELINE_TEMPLATE = """# The analysis the web app runs (made by kilvoice serve; edit to change stages or frameworks).
[project]
name = "web"
title = "{title}"
store = "{store}"
output = "{output}"
seed = 42

[inputs]
paths = ["{uploads}"]

[ingest]
stage = "kilvoice.ingest.files.v1"
root = "{store}"

[redact]
stage = "kilvoice.redact.spacy_uk.v2"
style = "pseudonym"

[segment]
stage = "kilvoice.segment.sentences.v6"
min_words = 3

[embed]
stage = "kilvoice.embed.auto.v3"

[topics]
stage = "kilvoice.topics.bertopic.v2"

[map]
stage = "kilvoice.map.learned.v4"
frameworks = ["keep-it-local", "kelvale-corporate-plan", "kelvale-economic-wellbeing"]

[report]
stage = "kilvoice.report.standard.v2"
formats = ["html", "csv", "json", "parquet"]
"""


def project_pipeline(project_dir: Path, given: str | None = None, title: str = "Big Conversation") -> Path:
    """The pipeline file the web app runs: ``given``, else ``<project>/pipeline.toml`` (made if missing)."""
    if given:
        return Path(given)
    project_dir = Path(project_dir).resolve()
    path = project_dir / "pipeline.toml"
    if not path.exists():
        (project_dir / "uploads").mkdir(parents=True, exist_ok=True)
        path.write_text(PIPELINE_TEMPLATE.format(title=title, store=project_dir.as_posix(),
                                                 output=(project_dir / "report").as_posix(),
                                                 uploads=(project_dir / "uploads").as_posix()), encoding="utf-8")
    return path


def jobs(store, limit: int = 20) -> list[dict]:
    return [dict(r) for r in store.db.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,))]


def job(store, job_id: int) -> dict | None:
    row = store.db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
    return dict(row) if row else None


def _update(project_dir: Path, job_id: int, **fields) -> None:
    store = open_store(project_dir)
    try:
        sets = ", ".join(f"{k}=?" for k in fields)
        with store.transaction() as db:
            db.execute(f"UPDATE jobs SET {sets} WHERE id=?", (*fields.values(), job_id))
    finally:
        store.close()


class _Progress(logging.Handler):
    """Turns the pipeline's stage log lines ("topics: 12 themes") into job progress."""

    def __init__(self, project_dir: Path, job_id: int):
        super().__init__(logging.INFO)
        self.project_dir, self.job_id = project_dir, job_id

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        stage = msg.split(":", 1)[0].strip()
        if stage in STAGES:
            done = (STAGES.index(stage) + 1) / (len(STAGES) + 1)
            try:
                _update(self.project_dir, self.job_id, progress=round(done, 2), message=f"{stage} done")
            except Exception:  # progress is best effort; never break the run
                pass


def _fail(project_dir: Path, job_id: int, err: KilvoiceError) -> None:
    """Mark the job failed with the error's one line (codes and paths only, never resident text)."""
    logging.getLogger("kilvoice.web").error("analysis job %s failed: %s %s", job_id, err.code, err.message)
    try:
        _update(project_dir, job_id, status="failed", finished_at=now(), message=f"{err.code} {err.message}")
    except Exception:  # the store is unusable too: the next start marks the job interrupted
        logging.getLogger("kilvoice.web").error("analysis job %s: could not record its failure", job_id)


def _work(project_dir: Path, pipeline: Path, job_id: int) -> None:
    from kilvoice.pipeline import run_pipeline

    logger = logging.getLogger("kilvoice")
    handler = _Progress(project_dir, job_id)
    logger.addHandler(handler)
    old_level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    _update(project_dir, job_id, status="running", message="starting", progress=0.02)
    try:
        result = run_pipeline(pipeline, progress=False)
        _update(project_dir, job_id, status="done", progress=1.0, run_id=result.run_id, finished_at=now(),
                message=f"{result.manifest['counts']['themes']} themes from "
                        f"{result.manifest['counts']['statements']} statements")
    except KilvoiceError as exc:
        _fail(project_dir, job_id, exc)
    except Exception as exc:  # the error boundary: K950, traceback to logs/job-<id>.log without resident text
        tag_stage(exc, "the analysis")  # only when the pipeline did not name the stage
        _fail(project_dir, job_id, internal_error(exc, project_dir, f"job-{job_id}"))
    except KeyboardInterrupt as exc:  # recorded, never swallowed (SystemExit passes: the next start marks it)
        _fail(project_dir, job_id, KilvoiceError("K951", stage=stage_of(exc, "the analysis")))
        raise
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def start_analysis(project_dir: Path, pipeline: Path, user_id: int | None, in_thread: bool = True) -> int:
    """Queue an analysis and start it in a worker thread. Raises K812 if one is already running."""
    project_dir = Path(project_dir)
    with _lock:
        store = open_store(project_dir)
        try:
            busy = store.db.execute("SELECT id FROM jobs WHERE status IN ('queued','running') ORDER BY id").fetchone()
            if busy and busy[0] in _threads and _threads[busy[0]].is_alive():
                raise KilvoiceError("K812", job=busy[0])
            if busy:  # left over from a server that stopped mid-run
                with store.transaction() as db:
                    db.execute("UPDATE jobs SET status='failed', message='interrupted (server restarted)'"
                               " WHERE status IN ('queued','running')")
            with store.transaction() as db:
                job_id = int(db.execute("INSERT INTO jobs (kind, user_id, status, created_at) VALUES"
                                        " ('analysis', ?, 'queued', ?)", (user_id, now())).lastrowid)
        finally:
            store.close()
        if not in_thread:
            _work(project_dir, pipeline, job_id)
            return job_id
        thread = threading.Thread(target=_work, args=(project_dir, pipeline, job_id), name=f"kilvoice-job-{job_id}",
                                  daemon=True)
        _threads[job_id] = thread
        thread.start()
        return job_id


def wait(job_id: int, timeout: float | None = None) -> None:
    """Block until a job started in this process finishes (for tests and the CLI)."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)

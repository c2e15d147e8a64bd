"""The main process's CPU in ingest and redact with a worker pool (issue 17, docs/PERFORMANCE.md "ingest17b").

With ``--jobs 2`` the workers prepare and redact, and the main process parses, screens against the
store and writes: on 2 cores its CPU time is what bounds these steps. This runs the two steps of the
main job (pipelines/big-conversation.toml's settings) on a notes CSV split into files of 20,000 notes,
in a fresh store whose pseudonym salt is fixed (so two stores compare), and prints per step the main
process's CPU seconds (``time.process_time``), wall seconds, and an md5 of each table the steps write
(timestamps left out), so a before/after pair can be checked for identical results.

    python benchmarks/writer_cpu.py /work/scale/notes-22000.csv --jobs 2 --work /tmp/w --prof /tmp/w/prof

``--prof PREFIX`` writes a cProfile file per step (``PREFIX.ingest``, ``PREFIX.redact``).
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

# table -> (columns compared, order); timestamps (ingested_at, created_at, decided_at) left out
TABLES = {
    "files": ("path, sha256, size, version, status, error_code, n_notes", "path, sha256"),
    "conversations": ("id, note_id, file_id, content_hash, conversationalist_id, organisation, setting, area,"
                      " postcode_district, date, age_band, residents, consent_to_quote, language, extra_keys,"
                      " status, status_reason, duplicate_of, superseded_status", "id"),
    "raw_notes": ("conversation_id, raw_meta, raw_text", "conversation_id"),
    "raw_utterances": ("conversation_id, idx, speaker, role, question, text", "conversation_id, idx"),
    "dedup_bands": ("key, conversation_id", "key, conversation_id"),
    "utterances": ("conversation_id, idx, role, question, text, redactor, spans", "conversation_id, idx"),
    "flags": ("conversation_id, kind, reason, utterance_idx", "conversation_id, kind, reason, utterance_idx"),
    "redaction_review": ('conversation_id, utterance_idx, start, "end", label, score, source, status',
                         'conversation_id, utterance_idx, start, "end", label'),
}


def table_digests(db) -> dict[str, str]:
    """md5 of each table's rows (compared columns, stable order)."""
    out = {}
    for table, (cols, order) in TABLES.items():
        h = hashlib.md5()
        n = 0
        for row in db.execute(f"SELECT {cols} FROM {table} ORDER BY {order}"):
            h.update(repr(tuple(row)).encode())
            n += 1
        out[table] = f"{n} {h.hexdigest()[:12]}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notes_csv", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cluster", default=None, help="a Dask address, or 'local'")
    ap.add_argument("--work", type=Path, required=True, help="a folder for the split files and the store")
    ap.add_argument("--prof", default=None, help="write a cProfile file per step: PREFIX.<step>")
    ap.add_argument("--steps", nargs="+", default=["ingest", "redact"], choices=["ingest", "redact"])
    args = ap.parse_args()

    from scale_bench import split_csv

    from kilvoice.config import load_pipeline
    from kilvoice.pipeline import RunState, step_ingest, step_redact
    from kilvoice.store import open_store

    inputs = args.work / "in"
    if not inputs.exists():
        split_csv(args.notes_csv, inputs)
    project = args.work / "store"
    shutil.rmtree(project, ignore_errors=True)
    pipeline = args.work / "p.toml"
    text = (REPO / "pipelines" / "big-conversation.toml").read_text(encoding="utf-8")
    text = text.replace('store = ".kilvoice/big-conversation"', f'store = "{project.as_posix()}"')
    text = text.replace('output = "reports/big-conversation"', f'output = "{(args.work / "out").as_posix()}"')
    text = text.replace('paths = ["corpora/samples"]', f'paths = ["{inputs.as_posix()}"]')
    pipeline.write_text(text, encoding="utf-8")
    config = load_pipeline(pipeline)
    if args.cluster:
        config["executor"].update(kind="dask", address=args.cluster)
    else:
        config["executor"].update(jobs=args.jobs, kind="processes" if args.jobs > 1 else "local")
    store = open_store(project)
    with store.transaction() as db:  # a fixed salt: conversationalist codes compare across stores
        db.execute("INSERT OR REPLACE INTO ingest_settings (key, value) VALUES ('pseudonym_salt', 'bench')")
    state = RunState(config=config, store=store, run_id="bench", out_dir=args.work / "out", seed=42,
                     progress=False, started=datetime.now(timezone.utc))
    result = {"load_before": os.getloadavg(), "cpu_s": {}, "wall_s": {}}
    steps = {"ingest": step_ingest, "redact": step_redact}
    try:
        for name in args.steps:
            prof = cProfile.Profile(time.process_time) if args.prof else None
            c, w = time.process_time(), time.perf_counter()
            if prof:
                prof.enable()
            steps[name](state)
            if prof:
                prof.disable()
                prof.dump_stats(f"{args.prof}.{name}")
            result["cpu_s"][name] = round(time.process_time() - c, 2)
            result["wall_s"][name] = round(time.perf_counter() - w, 2)
    finally:
        state.close_executor()
    result["load_after"] = os.getloadavg()
    result["executor"] = state.info.get("executor")
    result["tables"] = table_digests(store.db)
    store.close()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

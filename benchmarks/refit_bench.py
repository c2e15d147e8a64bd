"""Issue 16, the worst seed: how the theme stage fits again after leaving out a procedural theme.

    PYTHONPATH=. .venv/bin/python benchmarks/refit_bench.py PIPELINE.toml [--seeds=42,1,2,3,4] [--embed=static,onnx] [--refits=fit,keep]

Runs the pipeline file's steps up to the embed step on its project store (as ``kilvoice run``
does; a store a run has filled reuses its stored results and cached vectors), then, for each
embedder and seed, the theme stage once with ``drop_procedural`` off (the first fit) and again with
each ``procedural_refit`` ("fit": clustered anew, v2; "keep": the first fit's other themes kept,
v3), ``stability = false`` (it does not change the labels). Printed per run: statements themed,
the share in "Mixed: ..." catch-alls, "other" and procedural themes (transcripts_bench's measure)
and the catch-alls' sizes; then mean and worst per embedder and refit.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

EMBEDDERS = {"static": ("kilvoice.embed.static.v2", {"idf_power": 0.5}), "onnx": ("kilvoice.embed.onnx.v1", {})}


def analysed(pipeline: Path):
    """The statements the pipeline's theme stage sees, and its settings (steps up to segment)."""
    from kilvoice import pipeline as pl
    from kilvoice.config import load_pipeline
    from kilvoice.store import open_store

    config = load_pipeline(pipeline)
    store = open_store(pl.resolve(config, config["project"]["store"]))
    state = pl.RunState(config=config, store=store, run_id="refit-bench", out_dir=Path("/tmp"), seed=42,
                        progress=False, started=None)
    for step in (pl.step_ingest, pl.step_redact, pl.step_segment):
        step(state)
    from kilvoice.substantive import as_analysed

    return as_analysed(state.statements), pl.stage_settings(config, "topics"), store


def share(themes, assignments) -> dict:
    from transcripts_bench import procedural

    sizes = {}
    for a in assignments:
        if a.primary:
            sizes[a.theme_id] = sizes.get(a.theme_id, 0) + 1
    lost = {t.id: sizes.get(t.id, 0) for t in themes if (t.id.startswith("T") or t.id == "other") and (
        t.title.startswith("Mixed: ") or t.id == "other" or procedural(list(t.keywords)))}
    total = sum(sizes.values())
    return {"statements": total, "share": round(sum(lost.values()) / max(total, 1), 4), "lost": sorted(lost.values(), reverse=True)}


def main() -> None:
    from kilvoice import registry
    from kilvoice.embed import embed_cached

    pipeline = Path(sys.argv[1])
    seeds = [int(x) for x in next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--seeds=")), "42,1,2,3,4").split(",")]
    embeds = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--embed=")), "static,onnx").split(",")
    refits = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--refits=")), "fit,keep").split(",")
    statements, (name, settings), store = analysed(pipeline)
    settings = {**settings, "stability": False}
    results = {}
    for emb in embeds:
        t = time.perf_counter()
        embedder = registry.create(EMBEDDERS[emb][0], **EMBEDDERS[emb][1])
        vectors = embed_cached(embedder, [s.text for s in statements], store)
        print(f"{emb}: {len(statements)} statements embedded in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        for seed in seeds:
            for refit in refits:
                t0, c0 = time.perf_counter(), time.process_time()
                stage = registry.create(name, **{**settings, "procedural_refit": refit})
                themes, assignments, rejects, info = stage.run(statements, vectors, seed=seed, embed=embedder.encode)
                row = {**share(themes, assignments), "left_out": info.get("procedural_left_out", {}).get("statements", 0),
                       "wall": round(time.perf_counter() - t0, 1), "cpu": round(time.process_time() - c0, 1)}
                results.setdefault(emb, {}).setdefault(refit, {})[seed] = row
                print(emb, refit, seed, json.dumps(row), file=sys.stderr, flush=True)
    summary = {emb: {refit: {"shares": {s: r["share"] for s, r in rows.items()},
                             "mean": round(sum(r["share"] for r in rows.values()) / len(rows), 4),
                             "worst": max(r["share"] for r in rows.values())} for refit, rows in by.items()}
               for emb, by in results.items()}
    print(json.dumps({"runs": results, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()

"""CPU seconds per stage of one ``kilvoice run`` in one process (issue 17, docs/PERFORMANCE.md "speed17c").

On a machine shared with other jobs wall times mean little; the process's CPU time per step
(``time.process_time``: this process and its threads, so run it with ``--jobs 1``) is what a change
moves. Optionally a cProfile file per step (``--prof PREFIX`` writes ``PREFIX.<step>``) and
``gc.collect(); gc.freeze()`` before each step (``--freeze``, an experiment: see the section).

    python benchmarks/stage_cpu.py PIPELINE.toml --prof /tmp/prof/run > cpu.json

The pipeline file's store and output folders are used as they are: give it fresh ones for a cold run.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pipeline")
    ap.add_argument("--prof", default=None, help="write a cProfile file per step: PREFIX.<step>")
    ap.add_argument("--freeze", action="store_true", help="gc.collect() and gc.freeze() before each step")
    args = ap.parse_args()
    start, wall = time.process_time(), time.perf_counter()
    import kilvoice.pipeline as pipeline

    cpu = {"import": round(time.process_time() - start, 2)}

    def timed(name, step):
        def run(state):
            if args.freeze:
                gc.collect()
                gc.freeze()
            prof = cProfile.Profile() if args.prof else None
            t = time.process_time()
            if prof:
                prof.enable()
            try:
                return step(state)
            finally:
                if prof:
                    prof.disable()
                    prof.dump_stats(f"{args.prof}.{name}")
                cpu[name] = round(time.process_time() - t, 2)
        return run

    pipeline.STEPS = tuple((name, timed(name, step)) for name, step in pipeline.STEPS)
    result = pipeline.run_pipeline(args.pipeline, jobs=1)
    cpu["total"] = round(time.process_time() - start, 2)
    print(json.dumps({"cpu_s": cpu, "wall_s": result.manifest["timings"],
                      "wall_total_s": round(time.perf_counter() - wall, 1),
                      "statements": result.manifest["counts"]["statements"]}))


if __name__ == "__main__":
    main()

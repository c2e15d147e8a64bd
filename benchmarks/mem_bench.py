"""Peak RSS and CPU seconds per step of one cold ``kilvoice run`` (issue 17, memory).

Runs the main job's pipeline file on a generated notes CSV in a fresh project under ``--work``
(the notes split into files of 20,000 as ``scale_bench.py`` does), in this process, with the steps
wrapped: per step, the peak summed RSS of the process tree (this process and any pool workers,
sampled every 0.1 s), this process's RSS when the step ends, and its CPU seconds
(``time.process_time``: this process only, so the per-note stages' workers are not counted; map,
review and report run here). With ``--keep-outputs`` the output folder is kept for byte comparisons.

    python benchmarks/mem_bench.py /work/scale/notes-22000.csv --work /tmp/m17/n22000 > mem.json
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_bench import REPO, split_csv  # noqa: E402


class StepRss:
    """Peak summed RSS of this process tree while each named step runs."""

    def __init__(self, every: float = 0.1):
        self.proc, self.every, self.step, self.peaks = psutil.Process(), every, "start", {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> int:
        total = 0
        for p in [self.proc] + self.proc.children(recursive=True):
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self):
        while not self._stop.is_set():
            rss = self.sample()
            self.peaks[self.step] = max(self.peaks.get(self.step, 0), rss)
            self._stop.wait(self.every)

    def stop(self):
        self._stop.set()
        self._thread.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notes_csv", type=Path)
    ap.add_argument("--work", type=Path, required=True, help="a fresh folder (emptied first)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    n_notes = split_csv(args.notes_csv, args.work / "in")
    text = (REPO / "pipelines" / "big-conversation.toml").read_text(encoding="utf-8")
    text = text.replace('store = ".kilvoice/big-conversation"', f'store = "{(args.work / "store").as_posix()}"')
    text = text.replace('output = "reports/big-conversation"', f'output = "{(args.work / "out").as_posix()}"')
    text = text.replace('paths = ["corpora/samples"]', f'paths = ["{(args.work / "in").as_posix()}"]')
    (args.work / "p.toml").write_text(text, encoding="utf-8")

    import kilvoice.pipeline as pipeline

    rss, cpu, after = StepRss(), {}, {}

    def wrapped(name, step):
        def run(state):
            rss.step = name
            t = time.process_time()
            try:
                return step(state)
            finally:
                cpu[name] = round(time.process_time() - t, 2)
                after[name] = round(psutil.Process().memory_info().rss / 1e9, 3)
        return run

    pipeline.STEPS = tuple((name, wrapped(name, step)) for name, step in pipeline.STEPS)
    t0 = time.perf_counter()
    result = pipeline.run_pipeline(args.work / "p.toml", jobs=args.jobs)
    wall = round(time.perf_counter() - t0, 1)
    rss.stop()
    print(json.dumps({
        "notes": n_notes, "statements": result.manifest["counts"]["statements"],
        "links": result.manifest["counts"]["links"], "wall_s": wall,
        "peak_rss_gb": round(max(rss.peaks.values()) / 1e9, 3),
        "step_peak_rss_gb": {k: round(v / 1e9, 3) for k, v in rss.peaks.items()},
        "rss_after_step_gb": after, "cpu_s": cpu, "wall_step_s": result.manifest["timings"],
    }, indent=1))


if __name__ == "__main__":
    main()

"""Scale benchmark (issue 17): the main job on generated notes of real public sentences.

For each size, notes are mixed from ``../shared/corpora`` by ``../shared/tools/mix_notes.py`` (3-7
sentences each) and the whole command ``kilvoice run`` is timed from raw files to report, cold, in a
fresh project with the main job's pipeline file (pipelines/big-conversation.toml, every report
format), once per executor: ``--jobs 1``, ``--jobs 2`` and ``--cluster local`` (a Dask
LocalCluster on this machine). Peak memory is the largest summed RSS of the run's process tree
(the main process, pool workers, Dask workers), sampled every 0.2 s, overall and per stage (stages
placed in time from the manifest's timings).

    python benchmarks/scale_bench.py --notes 2200 22000 --executors jobs1 jobs2 dask
    python benchmarks/scale_bench.py --notes 220000 --executors jobs2 --keep /work/scale

Prints a Markdown table and writes ``--json``. Numbers go in docs/PERFORMANCE.md with the date and
the machine. A 100k -> 1M growth factor is printed when both sizes ran.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
MIX = REPO.parent / "shared" / "tools" / "mix_notes.py"
EXECUTORS = {"jobs1": ["--jobs", "1"], "jobs2": ["--jobs", "2"], "dask": ["--cluster", "local"]}
STAGES = ("ingest", "redact", "segment", "embed", "topics", "map", "review", "report")


class TreeRss:
    """Peak summed RSS of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.2):
        self.proc, self.every, self.samples = psutil.Process(pid), every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            total = 0
            try:
                for p in [self.proc] + self.proc.children(recursive=True):
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            self.samples.append((time.time(), total))
            self._stop.wait(self.every)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.samples


def per_stage_peaks(samples, manifest: dict) -> dict[str, float]:
    """Peak RSS (GB) within each stage's time window, from the manifest's start and timings."""
    from datetime import datetime

    t = datetime.fromisoformat(manifest["started_at"]).timestamp()
    out = {}
    for stage in STAGES:
        dt = manifest["timings"].get(stage)
        if dt is None:
            continue
        inside = [rss for ts, rss in samples if t <= ts <= t + dt + 0.2]
        out[stage] = round(max(inside) / 1e9, 2) if inside else None
        t += dt
    return out


def split_csv(notes_csv: Path, folder: Path, per_file: int = 20000) -> int:
    """The generated notes as files of ``per_file`` notes (as a national exercise arrives: many
    files, each under ingest's 50 MB limit); returns the number of notes."""
    import csv

    csv.field_size_limit(1 << 30)
    folder.mkdir(parents=True, exist_ok=True)
    n, out, writer = 0, None, None
    with notes_csv.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for row in reader:
            if n % per_file == 0:
                if out:
                    out.close()
                out = (folder / f"notes-{n // per_file:03d}.csv").open("w", newline="", encoding="utf-8")
                writer = csv.writer(out)
                writer.writerow(header)
            writer.writerow(row)
            n += 1
    if out:
        out.close()
    return n


def run_once(notes_csv: Path, executor: str, work: Path) -> dict:
    project = work / f"{executor}"
    shutil.rmtree(project, ignore_errors=True)
    n_notes = split_csv(notes_csv, project / "in")
    pipeline = project / "p.toml"  # the main job's stages and settings, on these notes
    text = (REPO / "pipelines" / "big-conversation.toml").read_text(encoding="utf-8")
    text = text.replace('store = ".kilvoice/big-conversation"', f'store = "{(project / "store").as_posix()}"')
    text = text.replace('output = "reports/big-conversation"', f'output = "{(project / "out").as_posix()}"')
    text = text.replace('paths = ["corpora/samples"]', f'paths = ["{(project / "in").as_posix()}"]')
    pipeline.write_text(text, encoding="utf-8")
    cmd = [sys.executable, "-m", "kilvoice.cli", "run", str(pipeline), "--quiet"] + EXECUTORS[executor]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = TreeRss(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    samples = rss.stop()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{executor}: exit {proc.returncode}\n{err[-3000:]}")
    manifest = json.loads((project / "out" / "manifest.json").read_text(encoding="utf-8"))
    html = project / "out" / "report.html"
    return {
        "executor": executor, "notes": n_notes,
        "statements": manifest["counts"]["statements"], "themes": manifest["counts"]["themes"],
        "wall_s": round(wall, 1), "peak_rss_gb": round(max(r for _, r in samples) / 1e9, 2) if samples else None,
        "timings_s": manifest["timings"], "stage_peak_rss_gb": per_stage_peaks(samples, manifest),
        "html_mb": round(html.stat().st_size / 1e6, 2) if html.exists() else None,
        "outputs_mb": {p.name: round(p.stat().st_size / 1e6, 2) for p in sorted((project / "out").iterdir())},
    }


def table(rows: list[dict]) -> str:
    head = "| notes | statements | executor | wall | peak RSS | " + " | ".join(STAGES) + " | HTML |\n"
    head += "|---" * (6 + len(STAGES)) + "|\n"
    body = ""
    for r in rows:
        stages = " | ".join(f"{r['timings_s'].get(s, 0):.1f} s ({r['stage_peak_rss_gb'].get(s) or 0:.2f} GB)"
                            for s in STAGES)
        body += (f"| {r['notes']:,} | {r['statements']:,} | {r['executor']} | {r['wall_s']:.0f} s | "
                 f"{r['peak_rss_gb']:.2f} GB | {stages} | {r['html_mb']} MB |\n")
    return head + body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=int, nargs="+", default=[2200, 22000],
                    help="note counts to generate (about 4.5 statements a note)")
    ap.add_argument("--executors", nargs="+", choices=list(EXECUTORS), default=list(EXECUTORS))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, default=None, help="work here and keep the projects (default: a temp dir)")
    ap.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "scale.json")
    args = ap.parse_args()
    if not MIX.is_file():
        raise SystemExit(f"needs {MIX} (the shared corpora); not present, nothing measured")
    work = args.keep or Path(tempfile.mkdtemp(prefix="kilvoice-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.notes:
        notes_csv = work / f"notes-{n}.csv"
        if not notes_csv.exists():
            subprocess.run([sys.executable, str(MIX), str(n), str(notes_csv), "--seed", str(args.seed)],
                           check=True, capture_output=True)
        for executor in args.executors:
            row = run_once(notes_csv, executor, work / f"n{n}")
            rows.append(row)
            print(f"{n} notes, {executor}: {row['statements']} statements, {row['wall_s']} s, "
                  f"{row['peak_rss_gb']} GB", file=sys.stderr, flush=True)
            if args.keep is None:
                shutil.rmtree(work / f"n{n}" / executor, ignore_errors=True)
    print(f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {psutil.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 1e9:.0f} GB RAM, Python {platform.python_version()}\n")
    print(table(rows))
    for ex in args.executors:
        by_size = sorted((r for r in rows if r["executor"] == ex), key=lambda r: r["statements"])
        if len(by_size) >= 2:
            a, b = by_size[-2], by_size[-1]
            print(f"{ex}: {a['statements']:,} -> {b['statements']:,} statements "
                  f"(x{b['statements'] / a['statements']:.1f}): time x{b['wall_s'] / a['wall_s']:.1f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "machine": platform.node(),
                                     "rows": rows}, indent=2), encoding="utf-8")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

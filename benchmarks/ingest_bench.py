"""Ingest throughput and peak memory for N generated notes in one CSV.

Usage: .venv/bin/python benchmarks/ingest_bench.py [N]   (default 100000)
Prints notes/s, MB/s and peak RSS (resource.getrusage, MiB).
"""
from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from kilvoice.ingest import ingest
from kilvoice.store import Store

WORDS = ("park library bus buses school shops market canal neighbours friendly quiet safe lighting "
         "teenagers youth club doctors GP parking roads potholes benches community centre allotments "
         "jobs apprenticeships rent housing trains cycle path litter police church mosque football").split()


def main(n: int = 100_000) -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "notes.csv"
        with open(csv_path, "w", encoding="utf-8") as fh:
            fh.write("id,area,setting,date,whats_good,make_it_better\n")
            for i in range(n):
                good = " and the ".join(" ".join(rng.choice(WORDS) for _ in range(3)) for _ in range(rng.randint(2, 8)))
                better = " for the ".join(" ".join(rng.choice(WORDS) for _ in range(3)) for _ in range(rng.randint(2, 8)))
                fh.write(f"N{i},Ward {i % 40},community,2022-06-{1 + i % 28:02d},the {good},more {better}\n")
        size_mb = csv_path.stat().st_size / 1e6
        store = Store(Path(tmp) / "kv.sqlite")
        t0 = time.perf_counter()
        result = ingest([csv_path], store, root=Path(tmp))
        dt = time.perf_counter() - t0
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"notes={result.notes_added} flagged={result.flagged} file_mb={size_mb:.1f} seconds={dt:.1f} "
          f"notes_per_s={result.notes_added / dt:.0f} mb_per_s={size_mb / dt:.2f} peak_rss_mib={peak:.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

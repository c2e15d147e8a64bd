"""Concurrent CSV uploads to the web app on loopback (uvicorn in a thread, httpx async client).

    .venv/bin/python benchmarks/web_load.py --uploads 50 --notes 20

Prints JSON: wall time, notes/s, request latency percentiles, and checks every note is stored once.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from kilvoice.store import open_store  # noqa: E402
from kilvoice.web import Settings, create_app  # noqa: E402
from tests.web_helpers import CSRF, PASSWORDS, ServerThread, make_users, notes_csv  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--uploads", type=int, default=50)
    ap.add_argument("--notes", type=int, default=20)
    args = ap.parse_args()
    project = Path(tempfile.mkdtemp()) / "project"
    make_users(project)
    latencies: list[float] = []
    with ServerThread(create_app(project, Settings())) as server:
        async def run():
            async with httpx.AsyncClient(base_url=server.url, timeout=300,
                                         limits=httpx.Limits(max_connections=args.uploads)) as client:
                token = CSRF.search((await client.get("/login")).text).group(1)
                await client.post("/login", data={"name": "vol", "password": PASSWORDS["vol"], "csrf_token": token})
                token = CSRF.search((await client.get("/upload")).text).group(1)

                async def one(k):
                    t = time.perf_counter()
                    r = await client.post("/upload", data={"csrf_token": token, "personal_data_ack": "1"},
                                          files={"files": (f"b{k}.csv", notes_csv(args.notes, k * args.notes, f"B{k}"))},
                                          headers={"accept": "application/json"})
                    latencies.append(time.perf_counter() - t)
                    return r.status_code

                return await asyncio.gather(*(one(k) for k in range(args.uploads)))

        t0 = time.perf_counter()
        codes = asyncio.run(run())
        wall = time.perf_counter() - t0
    with open_store(project) as store:
        stored = store.db.execute("SELECT COUNT(*), COUNT(DISTINCT note_id) FROM conversations").fetchone()
    q = statistics.quantiles(latencies, n=20)
    print(json.dumps({"uploads": args.uploads, "notes_each": args.notes, "errors": sum(c != 200 for c in codes),
                      "wall_s": round(wall, 2), "notes_per_s": round(args.uploads * args.notes / wall),
                      "latency_p50_s": round(q[9], 2), "latency_p95_s": round(q[18], 2),
                      "stored": stored[0], "distinct": stored[1]}, indent=2))


if __name__ == "__main__":
    main()

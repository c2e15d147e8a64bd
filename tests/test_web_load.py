"""Load on loopback: 50 concurrent CSV uploads of 20 notes each to a real uvicorn server.
Every note must be stored exactly once and every request must succeed. Bounded by timeouts."""
from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from kilvoice.store import open_store
from kilvoice.web import Settings, create_app
from tests.web_helpers import CSRF, PASSWORDS, ServerThread, make_users, notes_csv

UPLOADS, NOTES_EACH = 50, 20


@pytest.mark.slow
def test_50_concurrent_uploads_store_each_note_once(tmp_path):
    project = tmp_path / "project"
    make_users(project)
    app = create_app(project, Settings(max_upload_mb=20))
    with ServerThread(app) as server:
        async def main():
            limits = httpx.Limits(max_connections=UPLOADS)
            async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as client:
                token = CSRF.search((await client.get("/login")).text).group(1)
                r = await client.post("/login", data={"name": "vol", "password": PASSWORDS["vol"], "csrf_token": token})
                assert r.status_code in (200, 303)
                token = CSRF.search((await client.get("/upload")).text).group(1)

                async def one(k: int):
                    body = notes_csv(NOTES_EACH, offset=k * NOTES_EACH, prefix=f"L{k:02d}")
                    return await client.post("/upload", data={"csrf_token": token, "personal_data_ack": "1"},
                                             files={"files": (f"batch-{k:02d}.csv", body, "text/csv")},
                                             headers={"accept": "application/json"})

                return await asyncio.wait_for(asyncio.gather(*(one(k) for k in range(UPLOADS))), timeout=600)

        t0 = time.perf_counter()
        responses = asyncio.run(main())
        elapsed = time.perf_counter() - t0
    assert [r.status_code for r in responses] == [200] * UPLOADS
    assert all(r.json()["uploads"][0]["result"]["notes_added"] == NOTES_EACH for r in responses)
    with open_store(project) as store:
        rows = store.db.execute("SELECT note_id, COUNT(*) FROM conversations GROUP BY note_id").fetchall()
        uploads = store.db.execute("SELECT COUNT(*), SUM(status='ok') FROM uploads").fetchone()
    expected = {f"L{k:02d}-{i:05d}" for k in range(UPLOADS) for i in range(k * NOTES_EACH, (k + 1) * NOTES_EACH)}
    assert {r[0] for r in rows} == expected
    assert all(r[1] == 1 for r in rows)
    assert tuple(uploads) == (UPLOADS, UPLOADS)
    print(f"\n{UPLOADS} concurrent uploads x {NOTES_EACH} notes: {elapsed:.1f} s "
          f"({UPLOADS * NOTES_EACH / elapsed:.0f} notes/s)")

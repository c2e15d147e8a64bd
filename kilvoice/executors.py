"""Where the per-note stages run: in this process, in a pool of processes, or on a Dask cluster.

The per-note stages (redact, segment) are a map over chunks of conversations: a chunk goes to a
worker as plain records, the worker runs the stage on it and sends plain records back, and the
runner in the main process writes them to the store. The store therefore has one writer, whatever
the executor, and the results come back in the order the chunks went out, so every executor gives
the same store as a run in one process.

    executor = make_executor(kind="processes", jobs=2)
    for result in executor.map(work, chunks):   # results in order; at most a few chunks in flight
        ...
    executor.close()

``kind``:

* ``"local"``: in this process (``--jobs 1``).
* ``"processes"``: a pool of ``jobs`` worker processes (``--jobs N``; the default is all cores).
* ``"dask"``: a ``dask.distributed`` cluster at ``address`` (``--cluster tcp://host:8786``), or a
  LocalCluster started for the run (``--cluster local``). Needs ``pip install kilvoice[cluster]``.

A worker builds each stage once (:func:`stage`) from its registered name and settings and keeps
it for the next chunk, so models load once per worker process, not once per chunk.
"""
from __future__ import annotations

import json
import logging
import os
from collections import deque
from typing import Callable, Iterable, Iterator

from kilvoice.errors import KilvoiceError

log = logging.getLogger("kilvoice")

KINDS = ("auto", "local", "processes", "dask")
# below this many conversations a pool costs more to start (a spaCy model per worker) than it saves
MIN_PARALLEL = 1500

_BUILT: dict[tuple[str, str], object] = {}  # (stage name, settings) -> stage, per process


def stage(name: str, settings: dict):
    """The stage ``name`` built with ``settings``, once per process."""
    from kilvoice import registry

    key = (name, json.dumps(settings, sort_keys=True, default=str))
    if key not in _BUILT:
        _BUILT[key] = registry.create(name, **settings)
    return _BUILT[key]


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class LocalExecutor:
    """Runs every chunk in this process, one after another."""
    kind = "local"
    jobs = 1

    def map(self, fn: Callable, chunks: Iterable) -> Iterator:
        for chunk in chunks:
            yield fn(*chunk)

    def close(self) -> None:
        pass

    def describe(self) -> dict:
        return {"kind": self.kind, "jobs": self.jobs}


def _ordered(submit: Callable, result: Callable, chunks: Iterable, window: int) -> Iterator:
    """Submit chunks with at most ``window`` in flight; yield their results in submission order."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def _watch(parent: int, every: float = 1.0) -> None:
    """In a pool worker: exit when the process that started the pool is gone (killed with SIGKILL,
    say), instead of waiting for work forever."""
    import threading
    import time

    def watch():
        while True:
            time.sleep(every)
            try:
                os.kill(parent, 0)
            except (ProcessLookupError, PermissionError):  # gone, or its pid reused by another user's process
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="kilvoice-parent-watch").start()


def _result(future):
    """A pool future's result; a pool whose worker died is the run's problem (K962), not the input's: a
    worker killed for memory, or a script that calls kilvoice without ``if __name__ == "__main__":``
    (a spawned worker imports it again and stops before it starts)."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        raise KilvoiceError("K962") from None


class ProcessExecutor:
    """A pool of ``jobs`` worker processes on this machine (spawned, so a worker never inherits the
    parent's threads or open database; each one exits if the parent is killed)."""
    kind = "processes"

    def __init__(self, jobs: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_watch, initargs=(os.getpid(),))

    def map(self, fn: Callable, chunks: Iterable) -> Iterator:
        return _ordered(lambda c: self._pool.submit(fn, *c), _result, chunks, 2 * self.jobs)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> dict:
        return {"kind": self.kind, "jobs": self.jobs}


class DaskExecutor:
    """Chunks run as tasks on the workers of a ``dask.distributed`` cluster; results are gathered
    here, in order, and written by this process only."""
    kind = "dask"

    def __init__(self, address: str, jobs: int | None = None, timeout: str = "20s"):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise KilvoiceError("K960", package="distributed") from None
        self.address = address
        self._cluster = None
        try:
            if address == "local":
                n = jobs or cores()
                self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout=timeout)
        except OSError as exc:
            if self._cluster is not None:
                self._cluster.close()
            raise KilvoiceError("K961", address=address, reason=type(exc).__name__) from None
        self.jobs = max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))

    def map(self, fn: Callable, chunks: Iterable) -> Iterator:
        return _ordered(lambda c: self._client.submit(fn, *c, pure=False), lambda f: f.result(),
                        chunks, 2 * self.jobs)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def describe(self) -> dict:
        return {"kind": self.kind, "jobs": self.jobs, "address": self.address}


def make_executor(kind: str = "auto", jobs: int = 0, address: str | None = None, size: int | None = None):
    """The executor for a run. ``jobs`` 0 means all cores. ``auto`` picks Dask when an address is
    given, a process pool for ``size`` >= :data:`MIN_PARALLEL` conversations on more than one core,
    and this process otherwise."""
    if kind not in KINDS:
        raise KilvoiceError("K103", path="the pipeline file",
                            problem=f"[executor] kind must be one of {', '.join(KINDS)}, not {kind!r}")
    jobs = int(jobs or 0) or cores()
    if kind == "dask" or (kind == "auto" and address):
        if not address:
            raise KilvoiceError("K103", path="the pipeline file",
                                problem='[executor] kind = "dask" needs address = "tcp://host:8786" or "local"')
        return DaskExecutor(address, jobs if address == "local" else None)
    if kind == "processes" or (kind == "auto" and jobs > 1 and (size or 0) >= MIN_PARALLEL):
        if jobs > 1:
            return ProcessExecutor(jobs)
    return LocalExecutor()

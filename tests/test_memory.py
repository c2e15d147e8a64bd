"""Memory of the map and review steps (issue 17): what they hold beside their inputs stays bounded.

Measured with tracemalloc (numpy's arrays and Python's objects are both traced; SQLite's own pages
are not), never with a clock: the peak a step adds, against the size of what it was given."""
from __future__ import annotations

import json
import re
import tracemalloc
import zlib

import numpy as np
import pytest

from kilvoice import registry
from kilvoice.mapping import zeroshot as zs
from kilvoice.records import Assignment, Link, Statement, Theme, flat
from kilvoice.review import results
from kilvoice.review.results import json_records, load_base, save_base
from kilvoice.store import open_store

D = 256


class HashedWords:
    """A deterministic embedder for framework items and theme titles: hashed word counts."""

    model_id = "test:hashed"

    def encode(self, texts):
        out = np.zeros((len(texts), D), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[i, zlib.crc32(word.encode()) % D] += 1.0
        return out


def _peak(fn):
    """(result, peak bytes traced while ``fn`` ran, above what was traced when it started)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = fn()
        return out, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def _run_inputs(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    statements = [Statement(id=f"s{i}", conversation_id=f"c{i // 4}", utterance_index=0, index=i % 4,
                            text=f"statement {i}") for i in range(n)]
    themes = [Theme(id=f"T{k}", title=f"theme {k}", description="", keywords=["bus", "youth"], size=n // 8)
              for k in range(8)] + [Theme(id="other", title="Other", description="", keywords=[], size=0)]
    assignments = [Assignment(s.id, f"T{i % 8}", 0.9, True) for i, s in enumerate(statements)]
    embeddings = rng.standard_normal((n, D)).astype(np.float32)
    return themes, assignments, statements, embeddings


def test_normalise_in_chunks_gives_the_same_numbers_and_holds_one_chunk(monkeypatch):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20_000, D)).astype(np.float32) * 3
    X[::97] = 0  # zero rows stay zero
    whole = X / np.where(np.linalg.norm(X, axis=1, keepdims=True) == 0, 1, np.linalg.norm(X, axis=1, keepdims=True))
    monkeypatch.setattr(zs, "CHUNK_ROWS", 1_000)
    out = zs.normalise(X)
    assert np.array_equal(out, whole.astype(np.float32))
    Y = X.copy()
    same, peak = _peak(lambda: zs.normalise(Y, in_place=True))
    # in place, the temporaries are one chunk's (the squares of the whole matrix were a copy of it)
    assert same is Y and np.array_equal(Y, out) and peak < X.nbytes * 0.2, (peak, X.nbytes)
    frozen = X.copy()
    frozen.flags.writeable = False  # not ours to change: copied
    assert not np.shares_memory(zs.normalise(frozen, in_place=True), frozen)


def test_the_map_step_scores_handed_over_embeddings_in_place_with_the_same_links():
    themes, assignments, statements, embeddings = _run_inputs(20_000)
    mapper = registry.create("kilvoice.map.learned.v4", frameworks=["keep-it-local", "kelvale-corporate-plan"])
    zs.normalise(np.zeros((1, D), np.float32))  # imports and caches outside the measurement

    def run(consume, E):
        return mapper.run(themes, assignments, statements, E, HashedWords(), confirmed=[], consume=consume)

    kept, handed = embeddings.copy(), embeddings.copy()
    copied, peak_copy = _peak(lambda: run(False, kept))
    consumed, peak_consumed = _peak(lambda: run(True, handed))
    assert [flat(l) for l in copied[0]] == [flat(l) for l in consumed[0]]
    assert json.dumps(copied[2], sort_keys=True) == json.dumps(consumed[2], sort_keys=True)
    assert np.allclose(np.linalg.norm(handed, axis=1), 1.0, atol=1e-5)  # normalised where it was
    # neither the normalised copy of the matrix nor the scores' own normalised copy of it (~3.1x
    # the matrix when copied; ~1.1x here: scores, links and the products of a framework at a time)
    assert peak_consumed < peak_copy - 1.7 * embeddings.nbytes, (peak_consumed, peak_copy, embeddings.nbytes)
    assert peak_consumed < 1.5 * embeddings.nbytes, (peak_consumed, embeddings.nbytes)


def _links(n: int) -> list[Link]:
    return [Link("statement", f"s{i:07d}", "keep-it-local", f"KIL{i % 5}", 0.4 + (i % 7) / 100, [f"s{i:07d}"],
                 "closest: local services") for i in range(n)]


def test_the_review_base_is_the_same_json_written_a_chunk_at_a_time(tmp_path, monkeypatch):
    links = _links(45_001)
    whole = json.dumps([flat(l) for l in links])
    assert json_records(links, chunk=1_000) == whole
    assert json_records(links[:1], chunk=1_000) == json.dumps([flat(links[0])])
    assert json_records([], chunk=1_000) == "[]"
    store = open_store(tmp_path / "p")
    store.start_run("r1", "p.toml")
    store.start_run("r2", "p.toml")
    save_base(store, "r1", [], [], links[:10])  # the tables' own first pages, outside the measurement
    _, peak_dicts = _peak(lambda: json.dumps([flat(l) for l in links]))
    monkeypatch.setattr(results, "BASE_CHUNK", 1_000)  # as small against 45k links as 20,000 is against 2M
    _, peak_saved = _peak(lambda: save_base(store, "r2", [], [], links))
    # the links' JSON once (as bytes, piece by piece), never joined: the dicts and the text were ~3.3x it
    assert peak_saved < 0.5 * peak_dicts and peak_saved < 1.3 * len(whole), (peak_saved, peak_dicts, len(whole))
    assert [flat(l) for l in load_base(store, "r2")[2]] == [flat(l) for l in links]
    assert store.db.execute("SELECT links FROM review_base WHERE run_id='r2'").fetchone()[0] == whole.encode()
    store.close()


@pytest.mark.parametrize("small,large", [(5_000, 50_000)])
def test_saving_results_streams_the_rows(tmp_path, small, large):
    """The peak of save_results does not grow with the number of links (rows are generated as
    SQLite takes them; the list of tuples grew ~250 bytes a link)."""
    store = open_store(tmp_path / "p")
    peaks = {}
    for n in (small, large):
        store.start_run(f"r{n}", "p.toml")
        links = _links(n)
        assignments = [Assignment(f"s{i:07d}", "T1", 0.5, True) for i in range(n)]
        _, peaks[n] = _peak(lambda: store.save_results(f"r{n}", [], assignments, links, []))
        assert store.db.execute("SELECT COUNT(*) FROM links WHERE run_id=?", (f"r{n}",)).fetchone()[0] == n
    store.close()
    assert peaks[large] - peaks[small] < 50 * (large - small), peaks

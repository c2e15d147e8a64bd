"""The theme stage above ``fit_sample`` statements (kilvoice.topics.sampled): fitted on a seeded
sample, every other statement placed by the fitted model."""
from __future__ import annotations

import csv
import random

import numpy as np
import pytest

from kilvoice.records import flat
from sklearn.metrics import adjusted_rand_score

from kilvoice.records import Statement
from kilvoice.topics import OTHER, ThemeStage
from kilvoice.topics.sampled import Rows, extend_labels, fit_rows
from tests.conftest import shared_path
from tests.test_topics import SETTINGS, embeddings, statements  # noqa: F401 - the fixtures

FIT = 30  # of the 48 usable test statements


def _run(statements, embeddings, seed=7, **settings):
    return ThemeStage(**{**SETTINGS, **settings}).run(statements, embeddings, seed)


def _primary(assignments):
    return {a.statement_id: a.theme_id for a in assignments if a.primary}


def test_fit_rows_only_above_the_sample_size():
    assert fit_rows(100, 100, 1) is None and fit_rows(100, 0, 1) is None
    rows = fit_rows(100, 30, 1)
    assert len(rows) == 30 == len(set(rows)) and list(rows) == sorted(rows)
    assert np.array_equal(rows, fit_rows(100, 30, 1)) and not np.array_equal(rows, fit_rows(100, 30, 2))


@pytest.mark.parametrize("bad", [-1, 2.5, "auto", True])
def test_fit_sample_must_be_a_whole_number(bad):
    from kilvoice.errors import KilvoiceError

    with pytest.raises(KilvoiceError) as err:
        ThemeStage(fit_sample=bad)
    assert err.value.code == "K705" and "fit_sample" in str(err.value)


def test_rows_look_up_without_copying():
    E = np.arange(20, dtype=np.float32).reshape(10, 2)
    rows = Rows(E, np.array([3, 1, 7]))
    assert rows.shape == (3, 2) and len(rows) == 3
    assert np.array_equal(rows[np.array([2, 0])], E[[7, 3]])
    assert np.array_equal(rows[np.array([True, False, True])], E[[3, 7]])


def test_extend_labels_keeps_the_fit_and_caps_other():
    sims = np.array([[0.9, 0.1], [0.2, 0.8], [0.1, 0.2], [0.15, 0.1], [0.3, 0.6], [0.05, 0.0]], dtype=np.float32)
    fitted = np.array([0, 1])
    labels = extend_labels(sims, fitted, np.array([-1, 1]), threshold=0.35, max_share=0.5)
    assert list(labels[:2]) == [-1, 1]  # the fit's own labels, even where the centroid says otherwise
    assert labels[4] == 1  # nearest centroid
    # rows 2, 3, 5 are below the threshold, but at most half of the 4 placed rows may be "other":
    # the two furthest (5, then 3) are; row 2 joins its nearest theme
    assert list(labels[[2, 3, 5]]) == [1, -1, -1]


def test_at_or_below_the_sample_size_nothing_changes(statements, embeddings):
    whole = _run(statements, embeddings, fit_sample=0)
    same = _run(statements, embeddings, fit_sample=48)
    assert [flat(t) for t in same[0]] == [flat(t) for t in whole[0]]
    assert [flat(a) for a in same[1]] == [flat(a) for a in whole[1]]
    assert whole[3]["n_fitted"] == 48


def test_sampled_run_assigns_every_statement_and_is_deterministic(statements, embeddings):
    themes, assignments, rejects, info = _run(statements, embeddings, fit_sample=FIT)
    assert info["n_fitted"] == FIT and info["n_statements"] == 48
    usable = [s.id for s in statements if s.id not in {r.item for r in rejects}]
    primary = _primary(assignments)
    assert sorted(primary) == sorted(usable)  # one primary each, the unfitted statements too
    topics = [t for t in themes if t.id.startswith("T") or t.id == OTHER]
    assert sum(t.size for t in topics) == len(usable)
    for t in topics:
        assert sorted(t.representative) == sorted(s for s, tid in primary.items() if tid == t.id)
    again = _run(statements, embeddings, fit_sample=FIT)
    assert [flat(t) for t in again[0]] == [flat(t) for t in themes]
    assert [flat(a) for a in again[1]] == [flat(a) for a in assignments]
    # whatever order the statements come in: the sample is drawn from the canonical order
    order = list(range(len(statements)))
    random.Random(3).shuffle(order)
    shuffled = _run([statements[i] for i in order], embeddings[order], fit_sample=FIT)
    assert _primary(shuffled[1]) == primary
    other_seed = _run(statements, embeddings, seed=8, fit_sample=FIT)
    assert other_seed[3]["n_fitted"] == FIT


def nhs_statements(n: int, seed: int) -> list[Statement]:
    """``n`` distinct NHS Friends-and-Family comments of 4+ words (real text, shuffled with ``seed``)
    as statements, four to a conversation; skips the test when the shared corpora are absent."""
    path = shared_path("nhs-feedback", "v6framework_230831.csv")
    with open(path, newline="", encoding="utf-8") as f:
        texts = [r["FFT answer"].strip() for r in csv.DictReader(f)]
    texts = [t for t in dict.fromkeys(texts) if len(t.split()) >= 4 and t.lower() != "did not answer"]
    random.Random(seed).shuffle(texts)
    return [Statement(id=f"s{i:05d}", conversation_id=f"c{i // 4}", utterance_index=0, index=i % 4, text=t)
            for i, t in enumerate(texts[:n])]


@pytest.mark.shared
def test_sampled_themes_agree_with_the_whole_fit():
    """NHS Friends-and-Family comments (real text): fitting on half of 2,400 statements gives
    primary themes that agree with the fit on all of them (ARI, statements outside "other" in both)."""
    stmts = nhs_statements(2400, 42)
    from kilvoice.embed import StaticEmbedder

    X = StaticEmbedder().encode([s.text for s in stmts])
    settings = dict(stability=False, hierarchy=False)
    whole = _primary(ThemeStage(**settings).run(stmts, X, 42)[1])
    sampled_run = ThemeStage(fit_sample=1200, **settings).run(stmts, X, 42)
    sampled = _primary(sampled_run[1])
    assert sampled_run[3]["n_fitted"] == 1200 and sorted(sampled) == sorted(whole)
    both = [s for s in whole if whole[s] != OTHER and sampled[s] != OTHER]
    assert len(both) >= 0.8 * len(whole)
    assert adjusted_rand_score([whole[s] for s in both], [sampled[s] for s in both]) >= 0.45

"""Item prototypes from the corpus (``kilvoice.mapping.prototypes``) and the theme-link rule that
reads them (``kilvoice.map.learned.v7``): each statement's item by the run's own clearest
statements for each item, on scores standardised per item, so an item whose description is close
to everything does not win everywhere; a theme's best-scoring candidate links when that vote and
its title agree on it."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_path
from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.frameworks import load_framework
from kilvoice.mapping import _roll_up
from kilvoice.mapping import zeroshot as zs
from kilvoice.mapping.prototypes import DEFAULTS, CorpusPrototypes, check_settings, corpus_votes, seed_rows
from kilvoice.mapping.themelinks import CORPUS_SETTINGS, ThemeLinkRule, decide
from kilvoice.records import Assignment, Statement, Theme
from test_mapping import BagOfWords, fw_path  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]


def broad_item_corpus(n: int = 30, seed: int = 0):
    """Three groups of statements in three directions; item 0's description is "broad": it scores
    every statement 0.05 above the statement's own item, and its own group highest of all."""
    rng = np.random.default_rng(seed)
    x = np.vstack([np.eye(6)[2 * g] + 0.3 * rng.standard_normal((n, 6)) for g in range(3)])
    x = zs.normalise(x)
    group = np.repeat(np.arange(3), n)
    S = rng.uniform(0.0, 0.1, (3 * n, 3))
    own = rng.uniform(0.40, 0.50, 3 * n)
    S[np.arange(3 * n), group] = own
    S[:, 0] = np.where(group == 0, 0.7, own + 0.05)  # the broad item leads every statement
    return x, S, group


def test_a_broad_item_does_not_win_every_statement():
    x, S, group = broad_item_corpus()
    members = [list(np.flatnonzero(group == g)) for g in range(3)]
    raw = np.vstack([np.bincount(S[m].argmax(axis=1), minlength=3) / len(m) for m in members])
    assert raw.argmax(axis=1).tolist() == [0, 0, 0]  # the plain vote: item 0 for every group
    votes = corpus_votes(x, S, members)
    assert votes.argmax(axis=1).tolist() == [0, 1, 2]
    assert votes[1, 1] >= 0.9 and votes[2, 2] >= 0.9
    # the standardisation is what does it: on the raw scores (centre 0) items 1 and 2 have no seeds
    assert corpus_votes(x, S, members, {"centre": 0.0}).argmax(axis=1).tolist() == [0, 0, 0]


def test_seeds_are_each_items_clearest_statements():
    S = np.array([[0.9, 0.1], [0.6, 0.5], [0.8, 0.2], [0.2, 0.7], [0.3, 0.4]])
    rows, items = seed_rows(S, n_seed=2, centre=0.0)
    assert rows.tolist() == [0, 2, 3, 4] and items.tolist() == [0, 0, 1, 1]  # row 1's margin is 0.1
    rows, items = seed_rows(S, n_seed=1, centre=0.0)
    assert rows.tolist() == [0, 3]
    rows, _ = seed_rows(np.zeros((0, 3)), 5, 0.5)
    assert rows.size == 0


def test_no_signal_when_fewer_than_two_items_have_seeds():
    x = zs.normalise(np.random.default_rng(1).standard_normal((25, 4)))
    S = np.column_stack([np.full(25, 0.9), np.full(25, 0.1)])  # item 0 leads every statement, centred too
    model = CorpusPrototypes().fit(x, S)
    assert model.model_ is None and model.predict(x).tolist() == [-1] * 25
    votes = corpus_votes(x, S, [list(range(10)), []])
    assert votes.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    # a row of zeros names no item, so it does not stop a leader the other signals agree on
    rule = ThemeLinkRule(**CORPUS_SETTINGS)
    title = np.array([[0.5, 0.0], [0.5, 0.0]])
    got = decide(np.array([[0.3, 0.0], [0.3, 0.0]]), np.ones((2, 2), bool), rule, None, None,
                 {"corpus": votes, "title": title})
    assert got[:, 0].tolist() == [2, 2]


def test_corpus_prototypes_are_deterministic_and_chunked():
    x, S, group = broad_item_corpus(n=40, seed=3)
    a = CorpusPrototypes().fit(x, S).predict(x)
    b = CorpusPrototypes().fit(x, S).predict(x)
    assert np.array_equal(a, b)
    import kilvoice.mapping.zeroshot as zsm

    old = zsm.CHUNK_ROWS
    try:
        zsm.CHUNK_ROWS = 7  # row_chunks reads it at call time
        assert np.array_equal(CorpusPrototypes().fit(x, S).predict(x), a)
    finally:
        zsm.CHUNK_ROWS = old


def test_settings_are_checked():
    assert check_settings(None) == DEFAULTS
    assert check_settings({"n_seed": 30})["n_seed"] == 30
    for bad, word in (({"n_seed": 0}, "n_seed"), ({"n_seed": 2.5}, "n_seed"), ({"C": 0}, "C"),
                      ({"C": "1"}, "C"), ({"centre": 1.5}, "centre"), ({"centre": True}, "centre"),
                      ({"seeds": 3}, "seeds")):
        with pytest.raises(KilvoiceError) as err:
            check_settings(bad)
        assert err.value.code == "K760" and word in err.value.message
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.map.learned.v7", frameworks=["keep-it-local"], corpus_prototypes={"C": -1})
    assert err.value.code == "K760"
    assert ThemeLinkRule.from_settings(CORPUS_SETTINGS).agree_with == ("corpus", "title")


# -- the stage ------------------------------------------------------------------------------------
TEXTS = ["the bus never comes", "more bus routes to work", "bus fares are too dear", "the bus is always late",
         "the youth club closed", "teenagers need a youth club", "kids and teenagers need a youth club",
         "support the local shops", "the high street shops are empty"]


def run_stage(fw_path, stage, title, keywords, **settings):  # noqa: F811
    emb = BagOfWords()
    st = [Statement(f"s{i}", f"c{i}", 0, 0, t) for i, t in enumerate(TEXTS)]
    themes = [Theme("T1", title, keywords=keywords)]
    assignments = [Assignment(f"s{i}", "T1", 1.0) for i in (0, 1, 2, 3, 4)]  # 4 of 5 about the bus
    mapper = registry.create(stage, frameworks=[str(fw_path)], threshold=0.3, margin=0.5, **settings)
    vectors = emb.encode(TEXTS)
    links, _, _ = mapper.run(themes, assignments, st, vectors, emb, {}, None)
    return mapper, vectors, {lk.item_id: lk.status for lk in links if lk.source_kind == "theme"}


def test_learned_v7_links_when_the_corpus_vote_and_the_title_agree(fw_path):  # noqa: F811
    stage = registry.create("kilvoice.map.learned.v7", frameworks=[str(fw_path)])
    assert stage.name == "kilvoice.map.learned.v7" and stage.theme_links == CORPUS_SETTINGS
    assert stage.theme_links_by_model == {}
    mapper, vectors, got = run_stage(fw_path, "kilvoice.map.learned.v7", "Bus routes", ["bus", "routes"])
    assert got["bus"] == "link"
    # the stage's corpus signal is corpus_votes on the run's normalised vectors and statement scores
    cand = mapper.candidates_["town"]
    assert cand["corpus"].shape == cand["vote"].shape and cand["corpus"][0].argmax() == cand["vote"][0].argmax()
    fw = load_framework(str(fw_path))
    S = zs.score_matrix(vectors, zs.build_index(fw, BagOfWords()))
    _, S = _roll_up(fw, zs.select(S, 0.3, 0.5, 3), S)  # the statement scores the theme links read
    assert np.allclose(cand["corpus"], corpus_votes(zs.normalise(vectors), S, [[0, 1, 2, 3, 4]]))
    _, _, off = run_stage(fw_path, "kilvoice.map.learned.v7", "Youth club", ["youth club", "teenagers"])
    assert off.get("bus") == "possible" and "link" not in off.values()
    # v6 reads the raw vote, not the corpus signal: its candidates carry none
    v6, _, _ = run_stage(fw_path, "kilvoice.map.learned.v6", "Bus routes", ["bus", "routes"])
    assert "corpus" not in v6.candidates_["town"]


# -- a real labelled set, real embeddings ----------------------------------------------------------
@pytest.mark.shared
@pytest.mark.slow
def test_corpus_agreement_links_on_petitions_are_precise(tmp_path):
    """UK petitions themed by the main job's theme stage on the static model and mapped zero-shot
    onto the departments: v7's links are right at least 80% of the time, and more often than every
    candidate as a link (in-sample 1.00, 10 links, on 2026-12-02's themes)."""
    shared_path("uk-petitions", "uk_petitions_env_sample.csv")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import themelinks_bench as bench

    arrays = tmp_path / "petitions.npz"
    data = {**bench.collect("petitions", 3000, "static", arrays), "arrays": str(arrays)}
    v7 = bench.score(data, CORPUS_SETTINGS)
    assert v7["n_links"] >= 5 and v7["precision"] >= 0.8
    assert bench.score(data, None)["precision"] <= v7["precision"] - 0.15
    # the bench's statement scores are the map stage's (recomputed from the saved vectors)
    assert np.allclose(bench.statement_scores(data)[1], np.asarray(data["S"]), atol=1e-4)

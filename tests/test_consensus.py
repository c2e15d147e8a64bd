"""Consensus k-means (``clusterer = "consensus"``, the default): bounds, determinism, the voter
sample, small clusters, the "other" cap, and robustness to the sample compared with one k-means."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from kilvoice.topics import ThemeModel
from kilvoice.topics.components import make_clusterer, normalize
from kilvoice.topics.consensus import ConsensusCluster
from kilvoice.topics.stability import subsample_stability


def blobs(n_per: int = 60, k: int = 12, d: int = 16, spread: float = 0.35, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = normalize(rng.normal(size=(k, d)))
    X = np.vstack([c + spread * rng.normal(size=(n_per, d)) / np.sqrt(d) for c in centres])
    return normalize(X), np.repeat(np.arange(k), n_per)


def test_registered_and_default():
    assert isinstance(make_clusterer("consensus", random_state=1), ConsensusCluster)
    assert ThemeModel().clusterer == "consensus"
    from kilvoice.topics import ThemeStage
    assert ThemeStage.DEFAULTS["clusterer"] == "consensus"


def test_recovers_clear_themes_and_is_deterministic():
    X, truth = blobs()
    a = ConsensusCluster(runs=10, random_state=3).fit(X)
    b = ConsensusCluster(runs=10, random_state=3).fit(X)
    assert np.array_equal(a.labels_, b.labels_)
    assert a.n_clusters_ == 12  # the count comes from the data, inside [8, 25]
    kept = a.labels_ >= 0
    assert adjusted_rand_score(truth[kept], a.labels_[kept]) > 0.95
    assert np.mean(a.labels_ == -1) <= 0.08


@pytest.mark.parametrize("k_true, lo, hi", [(4, 8, 25), (30, 8, 25), (12, 14, 20)])
def test_theme_count_stays_within_bounds(k_true, lo, hi):
    X, _ = blobs(n_per=30, k=k_true, seed=k_true)
    model = ConsensusCluster(runs=5, min_themes=lo, max_themes=hi, random_state=0).fit(X)
    assert lo <= model.n_clusters_ <= hi


def test_no_structure_still_gives_min_themes():
    X = np.random.default_rng(0).normal(size=(1500, 64))  # uniform noise: the runs agree on nothing
    model = ConsensusCluster(runs=5, random_state=0).fit(X)
    assert 8 <= model.n_clusters_ <= 25


def test_fixed_theme_count_and_small_clusters_folded():
    X, _ = blobs(n_per=40, k=10)
    fixed = ConsensusCluster(n_themes=6, runs=5, random_state=0).fit(X)
    assert fixed.n_clusters_ == 6
    sizes = np.bincount(ConsensusCluster(runs=5, min_size=30, random_state=0).fit(X).labels_ + 1)[1:]
    assert sizes.min() >= 30 - 0.08 * len(X)  # no tiny theme survives (some members may be "other")


def test_voter_sample_assigns_everyone():
    X, truth = blobs(n_per=50, k=10)
    model = ConsensusCluster(runs=5, sample_size=150, random_state=0).fit(X)
    assert model.labels_.shape == (500,)
    kept = model.labels_ >= 0
    assert adjusted_rand_score(truth[kept], model.labels_[kept]) > 0.9
    assert np.array_equal(model.predict(X)[kept], model.labels_[kept])


def test_identical_rows_do_not_break_it():
    X = np.vstack([np.eye(4)[i % 3] for i in range(30)])
    model = ConsensusCluster(runs=3, random_state=0).fit(X)
    assert model.n_clusters_ == 3


def test_more_robust_to_the_sample_than_one_kmeans_fit():
    """Overlapping themes: a single k-means fit (which picks its own theme count) moves more
    between two 90% subsamples than the consensus does."""
    X, _ = blobs(n_per=50, k=14, spread=1.1, seed=5)

    def stability(clusterer, **kw):
        return np.mean([subsample_stability(X, lambda Xs, s: ThemeModel(clusterer=clusterer, random_state=s, **kw)
                                            .fit(Xs).labels_, seed) for seed in (1, 2, 3)])

    assert stability("consensus", consensus_runs=20) > stability("kmeans") + 0.05


def test_stage_runs_stability_beside_the_fit_and_restores_thread_limits():
    from threadpoolctl import threadpool_info

    from kilvoice.records import Statement
    from kilvoice.topics import ThemeStage

    X, _ = blobs(n_per=20, k=10, d=16)
    words = ["bus", "park", "library", "rent", "school", "doctor", "market", "canal", "jobs", "youth"]
    statements = [Statement(id=f"s{i}", conversation_id=f"c{i}", utterance_index=0, index=0,
                            text=f"the {words[i // 20]} matters to people here {i}") for i in range(200)]
    before = [p["num_threads"] for p in threadpool_info()]
    run = lambda: ThemeStage(consensus_runs=5).run(statements, X.astype("float32"), seed=3)
    first, second = run(), run()
    assert [p["num_threads"] for p in threadpool_info()] == before
    assert first[3]["stability"] == second[3]["stability"] and first[3]["stability"] > 0.5
    assert [a.theme_id for a in first[1]] == [a.theme_id for a in second[1]]

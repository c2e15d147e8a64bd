"""``kilvoice.topics.bertopic.v4`` (kilvoice.topics.fast): v2's method with float32 k-means runs,
a covariance PCA and 60 consensus runs instead of 120; v2 and its defaults stay as they were."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.records import Statement
from kilvoice.topics import OTHER, ThemeModel
from kilvoice.topics.components import PCAReducer, normalize
from kilvoice.topics.consensus import ConsensusCluster
from kilvoice.topics.fast import FastThemeStage
from tests.test_consensus import blobs
from tests.test_topics_rescue import HIDDEN, _corpus
from tests.test_topics_sampled import nhs_statements

V4 = "kilvoice.topics.bertopic.v4"


def test_v4_is_registered_with_its_own_settings_and_v2_is_unchanged():
    v4, v2 = registry.create(V4), registry.create("kilvoice.topics.bertopic.v2")
    assert isinstance(v4, FastThemeStage) and v4.name == V4
    assert (v4.settings["consensus_runs"], v4.settings["consensus_dtype"], v4.settings["pca_solver"]) == (
        20, "float32", "covariance_eigh")
    assert v4.settings["rescue"] is True  # v2's rescue stays on
    # v2's settings, and so its manifests, gain no key; its model is the float64 / full-SVD one
    assert "consensus_dtype" not in v2.settings and v2.settings["consensus_runs"] == 40
    model = v2.model(3)
    assert (model.consensus_dtype, model.pca_solver) == ("float64", "full")
    model = v4.model(3)
    assert (model.consensus_dtype, model.pca_solver, model.consensus_runs) == ("float32", "covariance_eigh", 20)
    reducer, clusterer = model._components()
    assert reducer.solver == "covariance_eigh" and clusterer.dtype == "float32" and clusterer.runs == 20


@pytest.mark.parametrize("name, value", [("consensus_dtype", "float16"), ("pca_solver", "arpack")])
def test_v4_rejects_unknown_arithmetic_with_k705(name, value):
    with pytest.raises(KilvoiceError) as err:
        registry.create(V4, **{name: value})
    assert err.value.code == "K705" and name in str(err.value)
    with pytest.raises(KilvoiceError) as err:  # and v2 does not know the setting at all
        registry.create("kilvoice.topics.bertopic.v2", **{name: value})
    assert err.value.code == "K704"


def test_covariance_pca_spans_the_same_space_as_the_full_svd():
    """Same components up to sign and rounding: the reduced vectors' cosines agree to 1e-4."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(800, 60)) @ rng.normal(size=(60, 60))  # correlated columns
    full = PCAReducer(16, 0).fit_transform(X)
    eigh = PCAReducer(16, 0, solver="covariance_eigh").fit_transform(X)
    assert full.shape == eigh.shape == (800, 16)
    assert np.allclose(full @ full.T, eigh @ eigh.T, atol=1e-4)
    assert not np.array_equal(full, eigh)  # a different computation, not the same call


def test_float32_runs_recover_the_same_clear_themes():
    X, truth = blobs(seed=4)
    f64 = ConsensusCluster(runs=10, random_state=3).fit(X)
    f32 = ConsensusCluster(runs=10, random_state=3, dtype="float32").fit(X)
    again = ConsensusCluster(runs=10, random_state=3, dtype="float32").fit(X)
    assert np.array_equal(f32.labels_, again.labels_)  # deterministic
    kept = (f32.labels_ >= 0) & (f64.labels_ >= 0)
    assert f32.n_clusters_ == f64.n_clusters_ == 12
    assert adjusted_rand_score(truth[kept], f32.labels_[kept]) > 0.95
    assert adjusted_rand_score(f64.labels_[kept], f32.labels_[kept]) > 0.95


def test_v4_fits_half_the_kmeans_runs_in_float32(monkeypatch):
    """What makes v4 cheaper, counted: the consensus's k-means runs and the precision they read."""
    import sklearn.cluster

    seen = []

    class Counting(sklearn.cluster.KMeans):
        def fit_predict(self, X, y=None, sample_weight=None):
            seen.append((self.n_clusters, X.dtype))
            return super().fit_predict(X, y, sample_weight)

    monkeypatch.setattr(sklearn.cluster, "KMeans", Counting)
    X, _ = blobs(n_per=30, k=12)
    for stage in ("kilvoice.topics.bertopic.v2", V4):
        seen.clear()
        registry.create(stage).model(1).fit(X)
        runs = [s for s in seen if s[0] in (10, 15, 20)]
        if stage == V4:
            assert len(runs) == 60 and {d for _, d in runs} == {np.dtype("float32")}
        else:
            assert len(runs) == 120 and {d for _, d in runs} == {np.dtype("float64")}


def test_v4_end_to_end_rescues_and_keeps_the_themes_of_v2():
    """The rescue corpus through the whole stage: v4 finds the hidden subjects as v2 does, the same
    run twice gives the same themes, and v4's primary themes agree with v2's."""
    space, _, texts = _corpus(hidden=True)
    stmts = [Statement(id=f"s{i}", conversation_id=f"c{i % 40}", utterance_index=0, index=i, text=t)
             for i, t in enumerate(texts)]
    settings = dict(min_themes=3, max_themes=6, text_weight=0.0, pos_titles=False)
    themes, assignments, _, info = registry.create(V4, **settings).run(stmts, space, 3)
    again = registry.create(V4, **settings).run(stmts, space, 3)
    assert [(t.id, t.title, t.size) for t in themes] == [(t.id, t.title, t.size) for t in again[0]]
    assert info["stage"] == V4 and info["rescued"]["catch_alls"] >= 1
    assert info["params"]["consensus_dtype"] == "float32" and -1.0 <= info["stability"] <= 1.0
    primary = {a.statement_id: a.theme_id for a in assignments if a.primary}
    for subject in HIDDEN:
        members = [f"s{i}" for i, t in enumerate(texts) if t.startswith(f"The {subject} ")]
        tids = [primary[m] for m in members]
        top = max(set(tids), key=tids.count)
        assert tids.count(top) >= 0.8 * len(members) and top != OTHER
        assert not next(t for t in themes if t.id == top).title.startswith("Mixed: ")
    v2 = registry.create("kilvoice.topics.bertopic.v2", **settings).run(stmts, space, 3)[1]
    old = {a.statement_id: a.theme_id for a in v2 if a.primary}
    ids = sorted(primary)
    assert adjusted_rand_score([old[s] for s in ids], [primary[s] for s in ids]) > 0.8


def test_default_model_is_bit_for_bit_the_explicit_float64_full_svd():
    """The parameters v4 adds leave v1-v3 alone: their defaults are the old arithmetic."""
    X, _ = blobs(n_per=25, k=10, d=40, seed=2)
    a = ThemeModel(consensus_runs=5, random_state=2).fit(X)
    b = ThemeModel(consensus_runs=5, random_state=2, consensus_dtype="float64", pca_solver="full").fit(X)
    assert np.array_equal(a.labels_, b.labels_) and np.array_equal(a.centroids_, b.centroids_)


@pytest.mark.shared
def test_v4_agrees_with_v2_on_real_comments():
    """1,500 NHS Friends-and-Family comments (real text, static embedder): v4's primary themes agree
    with v2's (ARI over statements outside "other" in both), with as many themes give or take 3."""
    stmts = nhs_statements(1500, 7)
    from kilvoice.embed import StaticEmbedder

    X = normalize(StaticEmbedder().encode([s.text for s in stmts]))
    settings = dict(stability=False, hierarchy=False, pos_titles=False, labeller="keywords")
    runs = {}
    for stage in ("kilvoice.topics.bertopic.v2", V4):
        themes, assignments, _, info = registry.create(stage, **settings).run(stmts, X, 42)
        runs[stage] = ({a.statement_id: a.theme_id for a in assignments if a.primary}, info)
    (old, old_info), (new, new_info) = runs.values()
    both = [s for s in old if old[s] != OTHER and new[s] != OTHER]
    assert len(both) >= 0.8 * len(old)
    assert adjusted_rand_score([old[s] for s in both], [new[s] for s in both]) >= 0.5
    assert abs(old_info["n_themes"] - new_info["n_themes"]) <= 3
    assert new_info["outlier_share"] <= 0.08 + 1e-9

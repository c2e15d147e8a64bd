"""kilvoice.embed.auto.v1: ONNX MiniLM up to a statement count, the static model above; the run
records which one it used, and each keeps its own entries in the embedding cache."""
import json

import numpy as np
import pytest

from kilvoice import registry
from kilvoice.embed import embed_cached, text_hash
from kilvoice.embed_onnx import OnnxEmbedder
from kilvoice.errors import KilvoiceError
from kilvoice.store import open_store

from conftest import SAMPLES, write_pipeline

TEXTS = ["The 110 bus is always late", "Buses never turn up on time round here", "I love Ryecroft Park",
         "The library is a lifeline for older people", "Potholes on Church Lane need fixing"]


def auto(max_statements):
    return registry.create("kilvoice.embed.auto.v1", max_statements=max_statements, onnx={"batch_size": 4})


def cached_ids(store) -> set[str]:
    return {row[0] for row in store.db.execute("SELECT DISTINCT model_id FROM embeddings")}


@pytest.mark.parametrize("limit,chosen", [(5, "kilvoice.embed.onnx.v1"), (4, "kilvoice.embed.static.v2"),
                                          (0, "kilvoice.embed.static.v2")])
def test_switches_at_the_threshold_and_says_why(limit, chosen):
    emb = auto(limit)
    vecs = embed_cached(emb, TEXTS)  # 5 statements
    assert emb.choice["chosen"] == chosen
    assert emb.choice["statements"] == 5 and emb.choice["max_statements"] == limit
    assert emb.model_id == emb.choice["model_id"] == emb.chosen.model_id
    assert emb.model_id.startswith("onnx:" if "onnx" in chosen else "static:")
    assert vecs.shape == (5, 384 if "onnx" in chosen else 256)
    assert str(limit) in emb.choice["reason"]


def test_the_first_count_decides_for_the_rest_of_the_run():
    emb = auto(5)
    embed_cached(emb, TEXTS)
    first = emb.chosen
    # a later, larger call (answers' questions, theme titles) keeps the model: one vector space per run
    more = emb.encode(TEXTS * 3)
    assert emb.chosen is first and more.shape == (15, 384)
    assert (np.sum(more[:5] * more[5:10], axis=1) > 0.95).all()  # the same model (int8: batch noise only)


def test_matches_the_embedder_it_chose():
    onnx_vecs = embed_cached(auto(10), TEXTS)
    np.testing.assert_allclose(onnx_vecs, OnnxEmbedder(batch_size=4).encode(TEXTS), atol=1e-6)
    static_vecs = embed_cached(auto(1), TEXTS)
    np.testing.assert_allclose(static_vecs, embed_cached(registry.create("kilvoice.embed.static.v2"), TEXTS),
                               atol=1e-6)


def test_cache_keys_are_the_chosen_models(tmp_path, monkeypatch):
    store = open_store(tmp_path)
    emb = auto(10)
    first = embed_cached(emb, TEXTS, store)
    assert cached_ids(store) == {emb.model_id}  # the ONNX model's id, never an "auto:" one
    hashes = [text_hash(t) for t in TEXTS]
    assert set(store.get_embeddings(emb.model_id, hashes)) == set(hashes)
    # a second run of the same size reads the cache: the ONNX model is not run again
    monkeypatch.setattr(OnnxEmbedder, "encode", lambda self, texts: pytest.fail("cache not used"))
    np.testing.assert_allclose(embed_cached(auto(10), TEXTS, store), first)
    # above the threshold: static, corpus-weighted vectors are not cached, and do not read the ONNX entries
    static = auto(2)
    vecs = embed_cached(static, TEXTS, store)
    assert static.model_id != emb.model_id and vecs.shape == (5, 256)
    assert cached_ids(store) == {emb.model_id}


@pytest.mark.parametrize("bad", [-1, 2.5, "many", True])
def test_a_bad_threshold_names_the_setting(bad):
    with pytest.raises(KilvoiceError) as err:
        auto(bad)
    assert err.value.code == "K413" and "max_statements" in str(err.value) and "[embed]" in str(err.value)


@pytest.mark.parametrize("limit,chosen,words", [(10, "kilvoice.embed.static.v2", "more than the 10 that"),
                                                 (100_000, "kilvoice.embed.onnx.v1", "within the 100,000 that")])
def test_the_run_records_the_choice_in_manifest_and_report(tmp_path, limit, chosen, words):
    from kilvoice.pipeline import run_pipeline

    pipeline = write_pipeline(tmp_path / "p.toml", tmp_path / "store", tmp_path / "out", [SAMPLES])
    text = pipeline.read_text(encoding="utf-8")
    old = 'stage = "kilvoice.embed.auto.v3"\nmax_statements = 5000\nmax_tokens = 300000\nlong_share = 0.05'
    assert old in text  # the main job's embedder (auto.v3); old pipeline files name auto.v1
    pipeline.write_text(text.replace(old, f'stage = "kilvoice.embed.auto.v1"\nmax_statements = {limit}'),
                        encoding="utf-8")
    run_pipeline(pipeline)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    choice = manifest["embedder_choice"]
    assert choice["chosen"] == chosen and choice["max_statements"] == limit
    assert 10 < choice["statements"] <= manifest["counts"]["statements"]  # the samples: some hundreds
    assert manifest["embedder"] == choice["model_id"]
    store = open_store(tmp_path / "store")
    if chosen.endswith("onnx.v1"):  # the run's vectors are cached under the ONNX model's id, nothing else
        assert manifest["embedder"].startswith("onnx:") and cached_ids(store) == {manifest["embedder"]}
    else:  # corpus-weighted static vectors are not cached
        assert manifest["embedder"] == "static:static-minilm-256+idf0.5" and cached_ids(store) == set()
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    method = next(part for part in report.split("\n## ") if part.lower().startswith("method"))
    assert "chosen automatically" in method and words in method and chosen in method

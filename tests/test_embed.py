import numpy as np
import pytest

from kilvoice import registry
from kilvoice.embed import StaticEmbedder, TfidfEmbedder, embed_cached, text_hash
from kilvoice.errors import KilvoiceError
from kilvoice.store import open_store


@pytest.fixture(scope="module")
def static():
    return registry.create("kilvoice.embed.static.v1")


def test_static_model_is_bundled_and_offline(static, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    vecs = static.encode(["The 110 bus is always late", "Buses never come on time", "I love Ryecroft Park"])
    assert vecs.dtype == np.float32 and vecs.shape == (3, 256)
    sims = vecs @ vecs.T
    assert sims[0, 1] > sims[0, 2]  # paraphrase closer than an unrelated statement


def test_static_is_deterministic(static):
    a = static.encode(["more for teenagers to do"])
    b = StaticEmbedder().encode(["more for teenagers to do"])
    np.testing.assert_array_equal(a, b)


def test_missing_model_files_give_a_clear_error(tmp_path):
    with pytest.raises(KilvoiceError) as err:
        StaticEmbedder(tmp_path).encode(["x"])
    assert err.value.code == "K402"
    assert str(tmp_path) in err.value.message


def test_cache_avoids_re_encoding(tmp_path, static):
    store = open_store(tmp_path)
    texts = ["the library is a lifeline", "youth club closed"]
    first = embed_cached(static, texts, store)
    cached = store.get_embeddings(static.model_id, [text_hash(t) for t in texts])
    assert len(cached) == 2

    class Exploding:
        model_id = static.model_id

        def encode(self, texts):
            raise AssertionError("should have come from the cache")

    np.testing.assert_array_equal(embed_cached(Exploding(), texts, store), first)


def test_tfidf_embedder_needs_no_model():
    vecs = TfidfEmbedder(dims=4).encode(["bus late", "bus cancelled again", "park lovely", "park clean and safe",
                                        "library open", "youth club"])
    assert vecs.shape[0] == 6


CORPUS = ["the council should fix the buses", "the council runs a lovely park", "the council library is a lifeline",
          "the council youth club closed", "bus fares in the council area are too high", "the park cafe is great"]


def test_idf_weighting_with_power_zero_is_the_plain_mean(static):
    weighted = StaticEmbedder(weighting="idf", idf_power=0.0).fit(CORPUS)
    np.testing.assert_allclose(weighted.encode(CORPUS), static.encode(CORPUS), atol=1e-3)


def test_idf_weighting_plays_down_words_every_text_uses(static):
    """'council' is in most texts: weighted by this corpus's IDF, two texts that share only it
    move apart, and the v2 default records the weighting in its model id."""
    weighted = registry.create("kilvoice.embed.static.v2").fit(CORPUS)
    assert weighted.model_id == "static:static-minilm-256+idf0.5" and not weighted.cacheable
    pair = ["the council should fix the buses", "the council runs a lovely park"]
    plain_sim = float(np.dot(*static.encode(pair)))
    idf_sim = float(np.dot(*weighted.encode(pair)))
    assert idf_sim < plain_sim - 0.01
    vecs = weighted.encode(pair)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_unfitted_idf_embedder_is_the_plain_mean(static):
    np.testing.assert_array_equal(StaticEmbedder(weighting="idf").encode(CORPUS[:2]), static.encode(CORPUS[:2]))


def test_unknown_weighting_is_a_clear_error():
    with pytest.raises(KilvoiceError) as err:
        StaticEmbedder(weighting="bm25")
    assert err.value.code == "K705" and "weighting" in err.value.message


def test_corpus_weighted_embeddings_are_fitted_on_the_run_and_not_cached(tmp_path):
    store = open_store(tmp_path)
    embedder = registry.create("kilvoice.embed.static.v2")
    vecs = embed_cached(embedder, CORPUS, store)
    assert vecs.shape == (len(CORPUS), 256) and embedder.token_weights_ is not None
    assert store.get_embeddings(embedder.model_id, [text_hash(t) for t in CORPUS]) == {}
    # the same texts in another corpus get other vectors: why nothing is cached by text
    other = embed_cached(registry.create("kilvoice.embed.static.v2"), CORPUS[:2] + ["a bus", "a park"], store)
    assert not np.allclose(other[0], vecs[0], atol=1e-4)


def test_idf_embedding_in_chunks_gives_the_same_vectors(monkeypatch):
    """The static embedder tokenises and weights a large corpus CHUNK texts at a time (a million
    texts' token lists would take GBs); the vectors are the same to the last bit."""
    import kilvoice.embed as embed

    words = "bus library park rent damp mould youth club doctor waiting list litter bins road pothole".split()
    rng = np.random.default_rng(3)
    texts = [" ".join(rng.choice(words, size=rng.integers(2, 12))) for _ in range(2_500)]

    def vectors():
        model = registry.create("kilvoice.embed.static.v2", idf_power=0.5)
        return embed_cached(model, texts)

    whole = vectors()
    monkeypatch.setattr(embed, "CHUNK", 333)
    assert np.array_equal(vectors(), whole)
    assert np.allclose(np.linalg.norm(whole, axis=1), 1, atol=1e-5)


def test_static_embedder_tokenises_on_every_core_with_the_same_ids(monkeypatch):
    """The idf embedder tokenises with the tokenizers library's threads on (its ids do not depend on
    them) and leaves TOKENIZERS_PARALLELISM as it found it, set or unset."""
    import os

    from kilvoice.embed import STATIC_MODEL

    seen = []
    texts = [f"The number {i} bus to the hospital is late again, said resident {i}" for i in range(3000)]
    emb = StaticEmbedder(STATIC_MODEL, weighting="idf")
    tokenize = emb.model.tokenize
    monkeypatch.setattr(emb.model, "tokenize", lambda batch: (seen.append(os.environ.get("TOKENIZERS_PARALLELISM")),
                                                              tokenize(batch))[1])
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")
    on = emb._counts(texts)
    assert seen == ["true"] and os.environ["TOKENIZERS_PARALLELISM"] == "false"
    monkeypatch.delenv("TOKENIZERS_PARALLELISM")
    emb._counts(texts[:10])
    assert "TOKENIZERS_PARALLELISM" not in os.environ
    off = StaticEmbedder(STATIC_MODEL, weighting="idf")
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "false")
    ids = off.model.tokenize(texts)  # called directly: the library's threads stay off
    assert on.shape[0] == len(ids) and all(sorted(set(row)) == list(on[i].indices) for i, row in enumerate(ids))

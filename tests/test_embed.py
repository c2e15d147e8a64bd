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

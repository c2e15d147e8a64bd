"""The bundled int8 ONNX MiniLM (kilvoice.embed.onnx.v1): offline, no torch, cached by model id."""
import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from kilvoice import registry
from kilvoice.embed import embed_cached, text_hash
from kilvoice.embed_onnx import MANIFEST, ONNX_MODEL, OnnxEmbedder
from kilvoice.errors import KilvoiceError
from kilvoice.store import open_store

TEXTS = ["The 110 bus is always late", "Buses never turn up on time round here", "I love Ryecroft Park",
         "The library is a lifeline for older people", "More for teenagers to do in the evenings",
         "Potholes on Church Lane need fixing", "The youth club closing was a big loss",
         "It would be nice if the park had more benches", "Street lights are out on my road"]


@pytest.fixture(scope="module")
def onnx():
    return registry.create("kilvoice.embed.onnx.v1", batch_size=4)


def test_bundled_model_matches_its_manifest():
    manifest = json.loads((ONNX_MODEL / MANIFEST).read_text(encoding="utf-8"))
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((ONNX_MODEL / name).read_bytes()).hexdigest() == digest, name
    assert manifest["licence"] == "Apache-2.0"
    assert (ONNX_MODEL / "MODEL_CARD.md").read_text(encoding="utf-8").count(manifest["model_onnx_sha256"]) >= 1


def test_vectors_are_unit_length_and_paraphrases_are_closer(onnx):
    vecs = onnx.encode(TEXTS[:3])
    assert vecs.dtype == np.float32 and vecs.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    sims = vecs @ vecs.T
    assert sims[0, 1] > sims[0, 2] + 0.2  # two complaints about buses vs a park


def test_input_order_does_not_change_results(onnx):
    vecs = onnx.encode(TEXTS)
    perm = np.random.default_rng(0).permutation(len(TEXTS))
    shuffled = onnx.encode([TEXTS[i] for i in perm])
    np.testing.assert_array_equal(shuffled, vecs[perm])


def test_batch_size_changes_vectors_only_within_quantisation_noise(onnx):
    """int8 dynamic quantisation scales each batch's activations together: other batch sizes move a
    vector a little, never to another meaning."""
    small = onnx.encode(TEXTS)
    one_by_one = np.vstack([onnx.encode([t]) for t in TEXTS])
    cos = (small * one_by_one).sum(axis=1)
    assert cos.min() > 0.95


def test_cached_by_model_id(tmp_path, onnx):
    store = open_store(tmp_path)
    first = embed_cached(onnx, TEXTS[:2], store)
    assert onnx.model_id.startswith("onnx:minilm-l6-onnx-int8:")
    assert len(store.get_embeddings(onnx.model_id, [text_hash(t) for t in TEXTS[:2]])) == 2

    class Exploding:
        model_id = onnx.model_id

        def encode(self, texts):
            raise AssertionError("should have come from the cache")

    np.testing.assert_array_equal(embed_cached(Exploding(), TEXTS[:2], store), first)


def test_missing_model_files_give_a_clear_error(tmp_path):
    with pytest.raises(KilvoiceError) as err:
        OnnxEmbedder(tmp_path)
    assert err.value.code == "K411"
    assert str(tmp_path) in err.value.message and "model.onnx" in err.value.message


@pytest.mark.slow  # a fresh interpreter: ~1 s idle, 5 s on a loaded 2-core machine
def test_runs_without_torch_or_transformers():
    code = ("import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
            "from kilvoice import registry\n"
            "v = registry.create('kilvoice.embed.onnx.v1').encode(['a short note about the park'])\n"
            "print(v.shape)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "(1, 384)"


def test_missing_onnxruntime_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(KilvoiceError) as err:
        OnnxEmbedder().encode(["x"])
    assert err.value.code == "K410"
    assert "onnxruntime" in err.value.message and "pip install" in err.value.message


def test_batches_hold_at_most_64_texts_and_4096_padded_tokens(onnx):
    model = OnnxEmbedder()
    ids = [[0] * n for n in [10] * 100 + [200] * 30]
    batches = list(model._batches(list(range(len(ids))), ids))
    assert sorted(i for b in batches for i in b) == list(range(len(ids)))
    assert max(len(b) for b in batches) == 64
    assert all(len(b) * max(len(ids[i]) for i in b) <= 4096 for b in batches)
    assert len(batches[-1]) <= 4096 // 200


def test_threads_that_sleep_give_the_same_vectors_and_cache_key(onnx):
    """spinning=False (auto.v2's setting) only changes how onnxruntime's idle threads wait."""
    quiet = registry.create("kilvoice.embed.onnx.v1", batch_size=4, spinning=False)
    np.testing.assert_array_equal(quiet.encode(TEXTS), onnx.encode(TEXTS))
    assert quiet._session.get_session_options().get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert quiet.model_id == onnx.model_id


def test_a_shorter_window_has_its_own_cache_key_and_reads_the_opening(onnx):
    long = " ".join(TEXTS * 6)  # ~170 word pieces
    short = registry.create("kilvoice.embed.onnx.v1", batch_size=4, max_length=32)
    assert short.model_id == onnx.model_id.replace(":len256", ":len32")
    assert [len(ids) for ids in short.tokenize([long, TEXTS[0]])] == [32, len(onnx.tokenize([TEXTS[0]])[0])]
    np.testing.assert_array_equal(short.encode(TEXTS[:4]), onnx.encode(TEXTS[:4]))  # all under 32 tokens
    first, whole = short.encode([long])[0], onnx.encode([long])[0]
    assert 0.5 < float(first @ whole) < 0.9999


def test_a_progress_bar_follows_the_batches_and_changes_no_vector(capsys):
    """A run shows a bar while MiniLM embeds (up to ~95 s on 2 cores); the bar is fed by the
    batches the embedder runs anyway, so the vectors are those of a run without it."""
    embedder = registry.create("kilvoice.embed.onnx.v2")
    texts = [f"The number {i} bus to the hospital is late again." for i in range(150)]
    plain = embed_cached(embedder, texts)
    capsys.readouterr()
    shown = embed_cached(embedder, texts, progress=True)
    err = capsys.readouterr().err
    assert np.array_equal(plain, shown)
    assert "embed:" in err and "64/150" in err and "128/150" in err and embedder.on_batch is None

"""kilvoice.embed.onnx.v2 (static int8 MiniLM) and kilvoice.embed.auto.v3: a statement gets the same
vector whatever else is embedded with it; v1 and auto.v2 are unchanged."""
import hashlib
import json
import re

import numpy as np
import pytest
from conftest import SAMPLES, write_pipeline

from kilvoice import registry
from kilvoice.embed_onnx import MANIFEST, ONNX_MODEL, ONNX_STATIC_MODEL
from kilvoice.errors import KilvoiceError

TEXTS = ["The 110 bus is always late", "Buses never turn up on time round here", "I love Ryecroft Park",
         "The library is a lifeline for older people", "More for teenagers to do in the evenings",
         "Potholes on Church Lane need fixing", "The youth club closing was a big loss",
         "It would be nice if the park had more benches", "Street lights are out on my road",
         "Nobody told us the surgery was moving and the new one is two buses away"]
# other batch-mates: longer and shorter texts with other words (other activation ranges in a batch)
MATES = ["WHY", "ok", ("The council should stop wasting money on consultants and fix the roads, the pavements, "
                       "the drains and the lights before anything else, because people are getting hurt every week"),
         "£££ 12345 !!!", "Great", "The market hall roof leaks"]


def sample_sentences(n=300):
    sentences = []
    for path in sorted((SAMPLES / "notes").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s.split()) >= 4]
    return sentences[:n]


@pytest.fixture(scope="module")
def v2():
    return registry.create("kilvoice.embed.onnx.v2")


def test_the_static_model_matches_its_manifest():
    manifest = json.loads((ONNX_STATIC_MODEL / MANIFEST).read_text(encoding="utf-8"))
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((ONNX_STATIC_MODEL / name).read_bytes()).hexdigest() == digest, name
    assert manifest["sha256"]["model.onnx"] == manifest["model_onnx_sha256"]
    q = manifest["quantization"]
    assert q["mode"] == "static" and q["reduce_range"] is True and q["per_channel"] is True
    assert re.fullmatch(r"[0-9a-f]{64}", q["calibration"]["text_sha256"])
    assert q["calibration"]["source"].startswith("corpora/samples")
    assert len(q["nodes_excluded"]) == 6 and all("/output/dense/" in n for n in q["nodes_excluded"])
    card = (ONNX_STATIC_MODEL / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert manifest["model_onnx_sha256"] in card and q["calibration"]["text_sha256"] in card
    assert all(name in card for name in q["nodes_excluded"])
    assert (ONNX_STATIC_MODEL / "model.onnx").stat().st_size < 40e6


def test_vectors_do_not_depend_on_batch_mates_or_batch_size(v2):
    """The same text, to the last bit, alone, with other mates, in batches of 1, 3 and 64."""
    together = v2.encode(TEXTS)
    with_mates = v2.encode(MATES + TEXTS[::-1] + MATES[:2])[len(MATES):len(MATES) + len(TEXTS)][::-1]
    np.testing.assert_array_equal(with_mates, together)
    for batch_size in (1, 3):
        small = registry.create("kilvoice.embed.onnx.v2", batch_size=batch_size)
        np.testing.assert_array_equal(small.encode(TEXTS[3:] + MATES), np.vstack([together[3:], v2.encode(MATES)]))
    alone = np.vstack([v2.encode([t]) for t in TEXTS])
    np.testing.assert_array_equal(alone, together)


def test_v1_vectors_do_depend_on_batch_mates():
    """The fault v2 removes (if this starts failing, v1's model changed: old pipeline files would not reproduce)."""
    v1 = registry.create("kilvoice.embed.onnx.v1")
    alone = np.vstack([v1.encode([t]) for t in TEXTS])
    assert not np.array_equal(alone, v1.encode(TEXTS))


def test_v2_is_close_to_v1_on_sample_text(v2):
    sentences = sample_sentences()
    assert len(sentences) >= 200
    a = v2.encode(sentences)
    b = registry.create("kilvoice.embed.onnx.v1").encode(sentences)
    cos = (a * b).sum(axis=1)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert cos.mean() > 0.985 and cos.min() > 0.94
    sims = a[:3] @ a[:3].T
    assert np.all(np.diag(sims) > 0.999)


def test_model_ids_name_each_model():
    v1 = registry.create("kilvoice.embed.onnx.v1")
    v2 = registry.create("kilvoice.embed.onnx.v2")
    assert v1.model_id.startswith("onnx:minilm-l6-onnx-int8:3bdee1e34e6b:")  # v1's model is the one it always was
    manifest = json.loads((ONNX_STATIC_MODEL / MANIFEST).read_text(encoding="utf-8"))
    assert v2.model_id == f"onnx:minilm-l6-onnx-int8s:{manifest['model_onnx_sha256'][:12]}:len256"
    assert registry.create("kilvoice.embed.onnx.v2", max_length=128).model_id.endswith(":len128")


def test_v2_refuses_a_dynamically_quantised_model():
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.embed.onnx.v2", path=str(ONNX_MODEL))
    assert err.value.code == "K976" and "minilm-l6-onnx-int8" in err.value.message and "'dynamic'" in err.value.message


def test_auto_v3_chooses_onnx_v2_and_auto_v2_keeps_v1():
    v3 = registry.create("kilvoice.embed.auto.v3")
    assert v3.model_id.startswith("auto3:")
    v3.encode(TEXTS)
    assert v3.choice["stage"] == "kilvoice.embed.auto.v3" and v3.choice["chosen"] == "kilvoice.embed.onnx.v2"
    assert v3.model_id.startswith("onnx:minilm-l6-onnx-int8s:")
    v2 = registry.create("kilvoice.embed.auto.v2")
    v2.encode(TEXTS)
    assert v2.choice["stage"] == "kilvoice.embed.auto.v2" and v2.choice["chosen"] == "kilvoice.embed.onnx.v1"
    assert v2.model_id.startswith("onnx:minilm-l6-onnx-int8:")
    many = registry.create("kilvoice.embed.auto.v3", max_statements=3)
    many.encode(TEXTS)
    assert many.choice["chosen"] == "kilvoice.embed.static.v2"


def test_a_pipeline_file_written_before_keeps_auto_v2_and_onnx_v1(tmp_path):
    """The main job names auto.v3 (onnx.v2); a pipeline file that names auto.v2 still runs with onnx.v1."""
    from kilvoice.pipeline import run_pipeline

    pipeline = write_pipeline(tmp_path / "p.toml", tmp_path / "store", tmp_path / "out", [SAMPLES / "notes"])
    text = pipeline.read_text(encoding="utf-8")
    assert 'stage = "kilvoice.embed.auto.v3"' in text
    pipeline.write_text(text.replace('stage = "kilvoice.embed.auto.v3"', 'stage = "kilvoice.embed.auto.v2"'),
                        encoding="utf-8")
    run_pipeline(pipeline)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    choice = manifest["embedder_choice"]
    assert choice["stage"] == "kilvoice.embed.auto.v2" and choice["chosen"] == "kilvoice.embed.onnx.v1"
    assert manifest["embedder"].startswith("onnx:minilm-l6-onnx-int8:")

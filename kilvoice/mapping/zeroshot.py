"""Zero-shot scoring of texts against framework items: pure functions over vectors.

Each item is embedded as several *prototypes*: its title + description, its keywords, and
each of its examples. A text's similarity to an item blends the cosine to the item's centroid
(all prototypes averaged) with the cosine to its closest prototype, so one well-written example
can carry an item without one odd example dominating it. Scores are cosines clipped to [0, 1].

Thresholds (see docs/FRAMEWORKS.md, "Thresholds"): a link needs a score at least the
framework's *calibrated floor* and within ``margin`` of the text's best item in that framework.
The floor is computed per framework and per run from the score distribution itself
(``mean + z * sd`` of all text-item scores, bounded below by ``min_floor``), so a framework whose
wording happens to sit closer to everything does not link everything.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kilvoice.frameworks import Framework

DEFAULT_Z = 1.5
DEFAULT_MARGIN = 0.06
DEFAULT_MIN_FLOOR = 0.2
CENTROID_WEIGHT = 0.5
CHUNK_ROWS = 65_536  # rows normalised at once: bounded temporaries at any run size


def row_chunks(n: int, rows: int | None = None) -> list[slice]:
    """``n`` rows as slices of at most ``rows`` (equal parts): what a row-wise computation over a
    million statements holds at once. Only for computations whose rows are independent to the
    bit (elementwise, a row's own norm); never a matrix product (see :func:`score_matrix`)."""
    parts = max(1, -(-n // (rows or CHUNK_ROWS)))
    bounds = [n * k // parts for k in range(parts + 1)]
    return [slice(a, b) for a, b in zip(bounds, bounds[1:])]


def normalise(vectors: np.ndarray, in_place: bool = False) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32; computed a chunk of rows at a
    time (the same numbers: each row's norm is its own), so the temporaries are a chunk's, not the
    matrix's (a million 256-d statements: 1 GB each). ``in_place``: a writeable 2-d float32
    ``vectors`` is scaled where it is and returned (the same numbers again), for a caller that
    hands its matrix over; anything else is copied as without it."""
    writeable = isinstance(vectors, np.ndarray) and vectors.dtype == np.float32 and vectors.ndim == 2 \
        and vectors.flags.writeable
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    out = vectors if in_place and writeable else np.empty(vectors.shape, dtype=np.float32)
    for part in row_chunks(vectors.shape[0]):
        norms = np.linalg.norm(vectors[part], axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        np.divide(vectors[part], norms, out=out[part])
    return out


@dataclass
class ItemIndex:
    """The embedded prototypes of one framework's items."""

    framework_id: str
    item_ids: list[str]
    centroids: np.ndarray  # (n_items, d), unit rows
    prototypes: np.ndarray  # (n_prototypes, d), unit rows
    owner: np.ndarray  # (n_prototypes,) item index of each prototype
    phrases: list[str]  # framework phrase behind each prototype (for rationales)


def item_prototype_texts(framework: Framework) -> tuple[list[str], list[int]]:
    """The texts to embed for each item and the item index each belongs to."""
    texts: list[str] = []
    owner: list[int] = []
    for j, item in enumerate(framework.items):
        head = item.title if not item.description else f"{item.title}. {item.description}"
        texts.append(head)
        owner.append(j)
        if item.keywords:
            texts.append(", ".join(item.keywords))
            owner.append(j)
        for example in item.examples:
            texts.append(example)
            owner.append(j)
    return texts, owner


def build_index(framework: Framework, embedder) -> ItemIndex:
    """Embed a framework's items with ``embedder`` (anything with ``encode(texts)``)."""
    texts, owner = item_prototype_texts(framework)
    protos = normalise(embedder.encode(texts))
    owner_arr = np.asarray(owner, dtype=np.int64)
    centroids = np.vstack([protos[owner_arr == j].mean(axis=0) for j in range(len(framework.items))])
    phrases = list(texts)
    for j, item in enumerate(framework.items):  # rationales quote a title, not a whole description
        phrases[owner.index(j)] = item.title
    return ItemIndex(framework.id, framework.item_ids, normalise(centroids), protos, owner_arr, phrases)


def score_matrix(vectors: np.ndarray, index: ItemIndex, centroid_weight: float = CENTROID_WEIGHT,
                 normalised: bool = False) -> np.ndarray:
    """Scores in [0, 1], shape (n_texts, n_items).

    The products take every row at once: OpenBLAS's result for a row depends on how the rows are
    tiled, so scoring in chunks of rows would move the last bit of some scores (tried: 40% of rows
    of a 200k x 256 matrix differed). What is held besides them is bounded instead: the normalised
    copy is made a chunk at a time (:func:`normalise`), the (n_texts, n_prototypes) product is
    freed once each item's best prototype is read, and the blend is computed in place (the same
    operations on the same float32 numbers). ``normalised``: ``vectors`` is ``normalise(v)``
    already (2-d float32), used as it is: the scores of ``v``, without a copy."""
    x = vectors if normalised else normalise(vectors)
    if x.shape[0] == 0:
        return np.zeros((0, len(index.item_ids)), dtype=np.float32)
    scores = x @ index.centroids.T
    proto = x @ index.prototypes.T
    del x
    best = np.full(scores.shape, -1.0, dtype=np.float32)
    for j in range(len(index.item_ids)):
        cols = index.owner == j
        best[:, j] = proto[:, cols].max(axis=1)
    del proto
    scores *= centroid_weight
    best *= 1.0 - centroid_weight
    scores += best
    del best
    np.clip(scores, 0.0, 1.0, out=scores)
    return scores.astype(np.float32, copy=False)


def closest_phrases(vector: np.ndarray, index: ItemIndex, item: int, k: int = 2) -> list[str]:
    """The framework phrases (title, keywords, examples) of ``item`` closest to ``vector``."""
    cols = np.flatnonzero(index.owner == item)
    sims = index.prototypes[cols] @ normalise(vector)[0]
    return [index.phrases[cols[i]] for i in np.argsort(-sims)[:k]]


def closest_phrase_each(vectors: np.ndarray, index: ItemIndex, rows: np.ndarray, items: np.ndarray,
                        normalised: bool = False) -> list[str]:
    """For each pair (``rows[n]``, ``items[n]``): the phrase of that item closest to that row of
    ``vectors`` (what :func:`closest_phrases` gives with ``k=1``), one matrix product per item
    instead of one call per link (91k statements: ~30k statement links). ``normalised``: as in
    :func:`score_matrix` (a row normalised alone is the same row of the normalised matrix)."""
    out = [""] * len(rows)
    rows, items = np.asarray(rows), np.asarray(items)
    for j in np.unique(items):
        cols = np.flatnonzero(index.owner == j)
        found = np.flatnonzero(items == j)
        for start in range(0, len(found), 50_000):  # a million links: bounded copies of their rows
            at = found[start:start + 50_000]
            sims = (vectors[rows[at]] if normalised else normalise(vectors[rows[at]])) @ index.prototypes[cols].T
            for n, best in zip(at, sims.argmax(axis=1)):
                out[n] = index.phrases[cols[best]]
    return out


def calibrated_floor(scores: np.ndarray, z: float = DEFAULT_Z, min_floor: float = DEFAULT_MIN_FLOOR) -> float:
    """The framework's score floor for this run: ``mean + z * sd`` of all scores, at least ``min_floor``.

    With fewer than 20 texts the distribution is too thin to trust and ``min_floor + 0.1`` is used.
    """
    if scores.size == 0 or scores.shape[0] < 20:
        return float(min_floor + 0.1)
    return float(max(min_floor, scores.mean() + z * scores.std()))


def select(scores: np.ndarray, floor: float, margin: float = DEFAULT_MARGIN,
           max_items: int | None = 3) -> np.ndarray:
    """Boolean (n_texts, n_items): score >= floor and within ``margin`` of the row's best.

    Multi-label: every item passing both tests is kept, at most ``max_items`` per text.
    """
    if scores.size == 0:
        return np.zeros(scores.shape, dtype=bool)
    best = scores.max(axis=1, keepdims=True)
    chosen = (scores >= floor) & (scores >= best - margin)
    if max_items is not None and scores.shape[1] > max_items:
        order = np.argsort(-scores, axis=1)
        keep = np.zeros_like(chosen)
        np.put_along_axis(keep, order[:, :max_items], True, axis=1)
        chosen &= keep
    return chosen


def keyword_overlap(item_keywords: list[str], theme_keywords: list[str]) -> list[str]:
    """Item keywords sharing a word with the theme's keywords (case-insensitive)."""
    theme_words = {w for kw in theme_keywords for w in kw.lower().split()}
    out = []
    for kw in item_keywords:
        if set(kw.lower().replace("-", " ").split()) & theme_words:
            out.append(kw)
    return out

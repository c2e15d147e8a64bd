"""The semantic safeguarding stage: sentences that *read like* a disclosure the rules did not list.

The rules (``safeguarding_rules``) are precise but only know the constructions they list; on
phrasing nobody planned for they miss most disclosures (docs/PERFORMANCE.md, Safeguarding). This
stage embeds each sentence with the bundled static model (``kilvoice.embed.static.v1``: the
plain token mean, so a sentence's score never depends on the run) and compares it with an
exemplar bank written for the project (``safeguarding_bank.json``, built by
``scripts/build_safeguarding_bank.py`` from the ``dev`` half of the written set and the invented
sample notes). A sentence is flagged when all three hold:

* it names a specific person (``PERSONAL``: I, me, my, he, she, a relative ...), as a disclosure must;
* a logistic regression on the embedding, fitted on the bank, gives ``P(disclosure) >= MIN_PROB``;
* the mean similarity to its ``K`` nearest disclosure exemplars beats that to its ``K`` nearest
  negative exemplars by ``MIN_MARGIN`` (it is *clearly* closer to disclosures than to complaints,
  policy talk or idiom).

Its categories are those of the nearest disclosure exemplar. The thresholds were set on
cross-validation within the bank and on the flag rate of the real text in ``../shared/corpora``
(every new flag read and judged: ``benchmarks/safeguarding_judgements.csv``), never on the
``test``, ``fresh`` or ``fresh2`` sets. Everything is deterministic, loaded once, and batched
(~tens of thousands of sentences a second); no torch, nothing downloaded.
"""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from kilvoice.errors import KilvoiceError

BANK = Path(__file__).with_name("safeguarding_bank.json")
# The regression fitted on the bank by scikit-learn (``write_fit``), so that a process (a pipeline
# worker) need not import scikit-learn (seconds) to redact; refitted when it does not match the bank.
FIT = Path(__file__).with_name("safeguarding_fit.json")
MIN_PROB = 0.9
MIN_MARGIN = 0.03
K = 3
C = 3.0  # inverse regularisation of the logistic regression
BLOCK = 4096  # sentences scored at once (~10 kB each against the bank)

PERSONAL = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'd|me|my|myself|meself|he|he's|hes|she|she's|shes|him|her|his|herself|himself|"
    r"our|mum|mam|dad|nan|nana|gran|grandad|son|daughter|lad|lass|fella|husband|wife|partner|boyfriend|"
    r"girlfriend|ex)\b")


class _Model(NamedTuple):
    embedder: object
    table: np.ndarray
    coef: np.ndarray
    intercept: float
    pos: np.ndarray
    neg: np.ndarray
    pos_categories: list


def _fit_key(embedder) -> str:
    """What the fit depends on: the bank's bytes, ``C`` and the embedding model."""
    return hashlib.sha256(BANK.read_bytes() + f"|C={C}|{embedder.model_id}".encode()).hexdigest()


def _fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(X, y)
    return lr.coef_[0], float(lr.intercept_[0])


def _stored_fit(key: str) -> tuple[np.ndarray, float] | None:
    try:
        saved = json.loads(FIT.read_text(encoding="utf-8"))
        if saved["key"] == key:
            return np.asarray(saved["coef"], dtype=np.float64), float(saved["intercept"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def write_fit() -> Path:
    """Fit the regression on the bank with scikit-learn and store it in ``FIT``."""
    from kilvoice.embed import StaticEmbedder

    embedder = StaticEmbedder()
    X, y, _ = _training_set(embedder)
    coef, intercept = _fit(X, y)
    FIT.write_text(json.dumps({"key": _fit_key(embedder), "coef": coef.tolist(), "intercept": intercept}) + "\n",
                   encoding="utf-8")
    return FIT


def _training_set(embedder):
    try:
        bank = json.loads(BANK.read_text(encoding="utf-8"))
        disclosures = [d["text"] for d in bank["disclosures"]]
        categories = [tuple(d["categories"]) for d in bank["disclosures"]]
        negatives = [str(t) for t in bank["negatives"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KilvoiceError("K690", path=BANK, problem=type(exc).__name__) from None
    pos = embedder.encode(disclosures)
    neg = embedder.encode(negatives)  # the same vectors as ``_encode`` (a test checks)
    X = np.vstack([pos, neg])
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    return X, y, categories


@lru_cache(maxsize=1)
def _model() -> _Model:
    """Loaded once per process: the bank's vectors and the regression (stored, or fitted here)."""
    from kilvoice.embed import StaticEmbedder

    embedder = StaticEmbedder()
    X, y, categories = _training_set(embedder)
    fitted = _stored_fit(_fit_key(embedder)) or _fit(X, y)
    n_pos = int(y.sum())
    table = np.asarray(embedder.model.embedding, dtype=np.float32)
    return _Model(embedder, table, fitted[0].astype(np.float32), fitted[1], X[:n_pos], X[n_pos:], categories)


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    k = min(k, sims.shape[1])
    return np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:].mean(axis=1)


def _encode(m: _Model, sentences: Sequence[str]) -> np.ndarray:
    """The static model's vectors (as ``StaticModel.encode``: token mean, unit length), without its
    per-call overhead (~0.6 ms), which would dominate on the pipeline's one-utterance calls."""
    ids = m.embedder.model.tokenize(list(sentences))
    out = np.zeros((len(ids), m.table.shape[1]), dtype=np.float32)
    for row, tok in enumerate(ids):
        if len(tok):
            out[row] = m.table[tok].mean(axis=0)
    if m.embedder.model.normalize:
        out /= np.linalg.norm(out, axis=1, keepdims=True) + 1e-12
    return out


def _score(m: _Model, E: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    prob = 1.0 / (1.0 + np.exp(-(E @ m.coef + m.intercept)))
    sims = E @ m.pos.T
    return prob, _top_mean(sims, K) - _top_mean(E @ m.neg.T, K), sims


def semantic_scores(sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(probability, margin)`` per sentence, before the ``PERSONAL`` gate; for the benchmark and tests."""
    if not sentences:
        return np.zeros(0), np.zeros(0)
    m = _model()
    prob, margin, _ = _score(m, _encode(m, list(sentences)))
    return prob, margin


def semantic_categories(sentences: Sequence[str]) -> list[tuple[str, ...]]:
    """Categories per sentence (empty when not flagged)."""
    out: list[tuple[str, ...]] = [() for _ in sentences]
    idx = [i for i, s in enumerate(sentences) if PERSONAL.search(s.lower())]
    if not idx:
        return out
    m = _model()
    for start in range(0, len(idx), BLOCK):  # blocks: similarities of a large batch would fill memory
        block = idx[start:start + BLOCK]
        prob, margin, sims = _score(m, _encode(m, [sentences[i] for i in block]))
        nearest = sims.argmax(axis=1)
        for j, i in enumerate(block):
            if prob[j] >= MIN_PROB and margin[j] >= MIN_MARGIN:
                out[i] = m.pos_categories[int(nearest[j])]
    return out

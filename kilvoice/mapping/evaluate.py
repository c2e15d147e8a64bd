"""Measure mapping against labelled data (``kilvoice eval mapping``).

A CSV holds a text column and a labels column of ';'-separated item ids of a framework. With
``train_per_label = K > 0``, up to K rows per item (seeded; never more than half of that
item's rows, so every item keeps rows to score) act as officer confirmations for the learned
mapper and all other rows are scored; with K = 0 every row is scored zero-shot.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from kilvoice.errors import KilvoiceError
from kilvoice.frameworks import Framework, load_framework
from kilvoice.mapping import zeroshot as zs
from kilvoice.mapping.hybrid import HybridMapper, TextFeatures
from kilvoice.mapping.hybrid5 import V5_SETTINGS, Hybrid5Mapper, features
from kilvoice.mapping.learned import LearnedMapper


def read_labelled(path: str | Path, text_column: str, labels_column: str, framework: Framework):
    """Texts and a 0/1 label matrix aligned with ``framework.items``; rows with empty text dropped."""
    from kilvoice.csvtable import read_rows

    cols = {iid: j for j, iid in enumerate(framework.item_ids)}
    texts, rows = [], []
    for n, row in read_rows(path, [text_column, labels_column]):
        text, labels = row.get(text_column) or "", row.get(labels_column) or ""
        if not text.strip():
            continue
        y = np.zeros(len(cols), dtype=int)
        for lab in (p.strip() for p in labels.split(";")):
            if not lab:
                continue
            if lab not in cols:
                raise KilvoiceError("K116", path=path, line=n, label=lab, framework=framework.id)
            y[cols[lab]] = 1
        texts.append(text)
        rows.append(y)
    Y = np.vstack(rows) if rows else np.zeros((0, len(cols)), dtype=int)
    return texts, Y


def sample_per_label(Y: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Indices of up to ``k`` rows per label (at most half of each label's rows), seeded."""
    rng = np.random.default_rng(seed)
    chosen: set[int] = set()
    for j in rng.permutation(Y.shape[1]):
        rows = np.flatnonzero(Y[:, j])
        if len(rows) < 2:
            continue
        have = [r for r in rows if r in chosen]
        want = min(k, len(rows) // 2) - len(have)
        if want > 0:
            free = np.array([r for r in rows if r not in chosen])
            chosen.update(rng.choice(free, size=min(want, len(free)), replace=False).tolist())
    return np.asarray(sorted(chosen), dtype=int)


def f1_report(Y: np.ndarray, P: np.ndarray, item_ids: list[str]) -> dict:
    """micro/macro F1 and per-item precision, recall, f1, support (macro over items with support)."""
    tp = (Y & P).sum(axis=0)
    fp = ((1 - Y) & P).sum(axis=0)
    fn = (Y & (1 - P)).sum(axis=0)
    per = {}
    f1s = []
    for j, iid in enumerate(item_ids):
        p = tp[j] / (tp[j] + fp[j]) if tp[j] + fp[j] else 0.0
        r = tp[j] / (tp[j] + fn[j]) if tp[j] + fn[j] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per[iid] = {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
                    "support": int(Y[:, j].sum())}
        if Y[:, j].sum():
            f1s.append(f)
    TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
    micro = 2 * TP / (2 * TP + FP + FN) if TP + FP + FN else 0.0
    return {"micro_f1": round(float(micro), 4), "macro_f1": round(float(np.mean(f1s)) if f1s else 0.0, 4),
            "per_item": per}


def predict(X: np.ndarray, S: np.ndarray, Y: np.ndarray, train: np.ndarray, test: np.ndarray,
            floor: float, *, margin: float = zs.DEFAULT_MARGIN, max_items: int = 3, C: float = 10.0,
            prior_weight: float = 1.0, seed: int = 0, mapper: str = "v2", texts: list[str] | None = None,
            self_training: int = 1, v5_settings: dict | None = None) -> np.ndarray:
    """0/1 predictions for the ``test`` rows: zero-shot if ``train`` is empty, else learned.

    ``mapper`` "v2" (needs ``texts``) is the hybrid mapper of ``kilvoice.map.learned.v2``,
    self-trained on the ``test`` rows' features (never their labels); "v1" the embedding-only
    :class:`LearnedMapper`. Items with no confirmed example keep the zero-shot rule in both.
    """
    if len(train) == 0:
        return zs.select(S[test], floor, margin, max_items).astype(int)
    if mapper in ("v2", "v5"):
        if texts is None:
            raise ValueError(f"mapper {mapper!r} needs the texts")
        if mapper == "v5":
            v5 = {**V5_SETTINGS, **(v5_settings or {})}
            F = features(texts, X, S, v5["word_weight"], v5["prior_weight"])
            model = Hybrid5Mapper(C=C, self_training=self_training, single_label=v5["single_label"],
                                  pseudo_one=v5["pseudo_one"], random_state=seed)
        else:
            F = TextFeatures().fit(texts).transform(texts, X)
            model = HybridMapper(C=C, self_training=self_training, random_state=seed)
        model.fit(F[train], Y[train], X_unlabelled=F[test])
        P = model.predict(F[test])
        untrained = [j for j, est in enumerate(model.estimators_) if est is None]
        empty = P.sum(axis=1) == 0
        if untrained and empty.any():  # zero-shot speaks for untrained items on rows nothing claims
            zero = zs.select(S[test], floor, margin, max_items).astype(int)
            P[np.ix_(empty, untrained)] = zero[np.ix_(empty, untrained)]
        return P
    F = np.hstack([X, S])
    model = LearnedMapper(prior_columns=S.shape[1], prior_weight=prior_weight, prior_floor=floor, C=C,
                          random_state=seed).fit(F[train], Y[train])
    return model.predict(F[test])


def eval_mapping(path: str | Path, text_column: str, labels_column: str, framework: str | Path,
                 train_per_label: int = 0, seed: int = 0, embedder=None, **settings) -> dict:
    """Score mapping on a labelled CSV; returns micro_f1, macro_f1, per_item, k, seconds, ...

    ``settings`` go to :func:`predict` (``mapper``: "v2" hybrid, the default, or "v1")."""
    start = time.perf_counter()
    fw = load_framework(framework)
    texts, Y = read_labelled(path, text_column, labels_column, fw)
    from kilvoice.embed import StaticEmbedder, fit_to_corpus

    if embedder is None:
        embedder = StaticEmbedder()
    fit_to_corpus(embedder, texts)  # a corpus-weighted embedder learns this data's IDF, as in the main job
    X = zs.normalise(embedder.encode(texts))
    index = zs.build_index(fw, embedder)
    S = zs.score_matrix(X, index)
    floor = zs.calibrated_floor(S)
    train = sample_per_label(Y, train_per_label, seed) if train_per_label > 0 else np.zeros(0, dtype=int)
    test = np.setdiff1d(np.arange(len(texts)), train)
    P = predict(X, S, Y, train, test, floor, seed=seed, texts=texts, **settings)
    report = f1_report(Y[test], P, fw.item_ids)
    report.update({"k": train_per_label, "seed": seed, "n_train": int(len(train)), "n_test": int(len(test)),
                   "framework": fw.id, "embedder": getattr(embedder, "model_id", type(embedder).__name__),
                   "floor": round(floor, 4), "mapper": settings.get("mapper", "v2") if train_per_label > 0 else "zero-shot",
                   "seconds": round(time.perf_counter() - start, 2)})
    return report

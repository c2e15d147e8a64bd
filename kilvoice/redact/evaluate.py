"""Scoring redaction against gold spans: pure functions shared by the CLI and the benchmark.

A predicted span is a true positive if it overlaps a gold span of the same label; a gold
span is found if any predicted span of its label overlaps it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Sequence

from kilvoice.errors import KilvoiceError

Span = tuple[int, int, str]


def read_gold(path: str | Path) -> list[dict]:
    """JSON lines ``{"text", "spans": [{"start", "end", "label"}]}``."""
    path = Path(path)
    if not path.is_file():
        raise KilvoiceError("K210", path=path)
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            spans = [(int(s["start"]), int(s["end"]), str(s["label"])) for s in row["spans"]]
            rows.append({"text": str(row["text"]), "spans": spans})
        except (ValueError, KeyError, TypeError):
            raise KilvoiceError("K501", path=path, line=n) from None
    return rows


def _overlaps(a: Span, b: Span) -> bool:
    return a[2] == b[2] and a[0] < b[1] and b[0] < a[1]


def count(gold: Sequence[Iterable[Span]], pred: Sequence[Iterable[Span]]) -> dict[str, dict[str, int]]:
    """Per label: tp_pred (predicted spans that hit), fp, found (gold spans hit), support."""
    counts: dict[str, dict[str, int]] = {}

    def c(label):
        return counts.setdefault(label, {"tp": 0, "fp": 0, "found": 0, "support": 0})

    for g_spans, p_spans in zip(gold, pred):
        g_spans, p_spans = list(g_spans), list(p_spans)
        for g in g_spans:
            c(g[2])["support"] += 1
            if any(_overlaps(g, p) for p in p_spans):
                c(g[2])["found"] += 1
        for p in p_spans:
            if any(_overlaps(p, g) for g in g_spans):
                c(p[2])["tp"] += 1
            else:
                c(p[2])["fp"] += 1
    return counts


def _prf(tp: int, fp: int, found: int, support: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = found / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def score(gold: Sequence[Iterable[Span]], pred: Sequence[Iterable[Span]], seconds: float = 0.0) -> dict:
    """The ``kilvoice eval redaction --json`` object."""
    counts = count(gold, pred)
    labels = {}
    for label in sorted(counts):
        k = counts[label]
        labels[label] = {**_prf(k["tp"], k["fp"], k["found"], k["support"]), "support": k["support"]}
    tot = {key: sum(k[key] for k in counts.values()) for key in ("tp", "fp", "found", "support")}
    return {"labels": labels, "micro": _prf(tot["tp"], tot["fp"], tot["found"], tot["support"]),
            "seconds": round(seconds, 3)}


def table(result: dict) -> str:
    """A readable table of a ``score`` result."""
    lines = [f"{'label':<15}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}"]
    for label, r in result["labels"].items():
        lines.append(f"{label:<15}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>8.3f}{r['support']:>9}")
    m = result["micro"]
    lines.append(f"{'micro':<15}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>8.3f}")
    lines.append(f"{result['seconds']:.2f} s")
    return "\n".join(lines)


def evaluate_redactor(redactor, rows: Sequence[dict], progress: bool = False) -> dict:
    """Run ``redactor.find_many`` over gold rows and score it (time included)."""
    import time

    start = time.perf_counter()
    found = redactor.find_many([r["text"] for r in rows], progress=progress)
    seconds = time.perf_counter() - start
    pred = [[(s.start, s.end, s.label) for s in spans] for spans in found]
    return score([r["spans"] for r in rows], pred, seconds)

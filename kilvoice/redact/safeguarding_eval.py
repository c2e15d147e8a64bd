"""Measuring the safeguarding classifier: the written evaluation set and the shared real text.

``read_set`` reads ``tests/fixtures/safeguarding/*.jsonl`` (``id``, ``text``, ``categories``;
an empty list is a hard negative). ``score_set`` gives recall on the disclosures and the
false-flag rate on the negatives. ``shared_notes`` yields ``(corpus, row id, text)`` for every
note of ``../shared/corpora`` counted as one note each (NHS comment, petition, English Pol.is
comment, Senedd turn, PII-set row); ``mix_notes`` does the same for a ``mix_notes.py`` CSV.
Nothing here logs or returns resident text beyond what the caller passed in.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

csv.field_size_limit(10**9)

Classifier = Callable[[str], list]


def read_set(path: Path) -> list[dict]:
    """Rows of a written evaluation set (JSON lines: id, text, categories)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def score_set(rows: Iterable[dict], classify: Classifier) -> dict:
    """Recall on rows with categories, false-flag rate on rows without, and the misses' ids.

    A disclosure counts as found when it is flagged at all; ``category_recall`` also needs one of
    its expected categories among those returned.
    """
    pos = neg = found = found_cat = false = 0
    missed, false_ids = [], []
    for row in rows:
        got = set(classify(row["text"]))
        if row["categories"]:
            pos += 1
            if got:
                found += 1
                found_cat += bool(got & set(row["categories"]))
            else:
                missed.append(row["id"])
        else:
            neg += 1
            if got:
                false += 1
                false_ids.append(row["id"])
    return {"disclosures": pos, "recall": found / pos if pos else 1.0,
            "category_recall": found_cat / pos if pos else 1.0, "negatives": neg,
            "false_flags": false, "false_flag_rate": false / neg if neg else 0.0,
            "missed": missed, "false_ids": false_ids}


def _rows(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8", errors="ignore", newline="") as f:
        yield from csv.DictReader(f)


def shared_notes(corpora: Path) -> Iterator[tuple[str, str, str]]:
    """``(corpus, row id, text)`` for every note of the shared corpora."""
    for r in _rows(corpora / "nhs-feedback" / "v6framework_230831.csv"):
        if (r.get("FFT answer") or "").strip():
            yield "nhs", r["Comment ID"], r["FFT answer"]
    for r in _rows(corpora / "uk-petitions" / "uk_petitions_env_sample.csv"):
        text = "\n".join(t for t in (r["action"], r["background"], r["additional_details"]) if t)
        yield "petitions", r["id"], text
    english = [r["conversation"] for r in _rows(corpora / "polis" / "conversations.csv") if r["language"] == "en"]
    for conv in english:
        for r in _rows(corpora / "polis" / conv / "comments.csv"):
            if (r.get("comment-body") or "").strip():
                yield "polis", f"{conv}/{r['comment-id']}", r["comment-body"]
    for r in _rows(corpora / "senedd-committee" / "turns.csv"):
        yield "senedd", f"{r['meeting_id']}/{r['turn']}", r["content"]
    with open(corpora / "pii" / "pii_dev.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                yield "pii", row["id"], row["text"]


def mix_notes(path: Path, corpus: str) -> Iterator[tuple[str, str, str]]:
    """``(corpus, id, text)`` for a CSV written by ``mix_notes.py``."""
    for r in _rows(path):
        yield corpus, r["id"], r["text"]


def flag_notes(notes: Iterable[tuple[str, str, str]], classify: Classifier) -> tuple[dict, list]:
    """Notes per corpus and the flagged ``(corpus, id, categories)``."""
    counts: dict[str, int] = {}
    flagged = []
    for corpus, rid, text in notes:
        counts[corpus] = counts.get(corpus, 0) + 1
        cats = classify(text)
        if cats:
            flagged.append((corpus, rid, list(cats)))
    return counts, flagged

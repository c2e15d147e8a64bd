"""Names from speaker labels: do a transcript's common words survive redaction and segmenting?

Reads ``../shared/corpora/senedd-committee/turns.csv`` (25 committee meetings, 3,961 turns) as
the pipeline does: one note per meeting, its turns as utterances with their speaker labels, the
distinct labels passed as known names (``pipeline._known_names``). Redacts with the default
redactor, segments with the default segmenter and counts, for "government", "Minister",
"public" and "opposition", the share of their occurrences kept relative to the control words
"the" and "children". Also counts PERSON spans, writes a random sample of them with context for
judging by hand (``--sample``) and lists any "Mr/Ms/Dr/Hon. <speaker surname>" left in the text.

Two label sets: ``published`` (the labels as in the record: "Lynne Neagle AM") and
``decorated`` (the same people in the label styles of other transcripts, with roles and
organisations: Teams "Neagle, Lynne (Welsh Government)", "Kirsty Williams (Minister for
Education)", "Hon. ... (Minister of Public Services and Procurement)", "...: Chair", Zoom).

It imports only the redactor's public API, so the same script measures an older checkout:

    PYTHONPATH=/work/main /work/main/.venv/bin/python benchmarks/speaker_names_bench.py   # before
    PYTHONPATH=$PWD /work/main/.venv/bin/python benchmarks/speaker_names_bench.py --sample /tmp/s.tsv
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kilvoice import registry  # noqa: E402
from kilvoice.records import Utterance  # noqa: E402

TURNS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "senedd-committee" / "turns.csv"
WORDS = ("government", "Minister", "public", "opposition")
CONTROLS = ("the", "children")
ROLES = ("Minister for Education", "Welsh Government", "Public Health Wales", "Opposition spokesperson",
         "Wakefield Council", "Deputy Minister for Health and Social Services", "Chair")
TITLED = r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Hon|Cllr)\.?\s+"


def name_of(label: str) -> tuple[str, str]:
    """(given, surname) of a published label ("Dr Frank Atherton", "Lynne Neagle AM")."""
    words = [w for w in label.split() if w not in ("AM", "MS", "Dr", "Professor")]
    return " ".join(words[:-1]), words[-1]


def decorate(label: str, i: int) -> str:
    given, surname = name_of(label)
    role = ROLES[i % len(ROLES)]
    style = i % 6
    if style == 0:
        return f"{surname}, {given} ({role})"
    if style == 1:
        return f"{given} {surname} ({role})"
    if style == 2:
        return f"Hon. {given} {surname} (Minister of Public Services and Procurement)"
    if style == 3:
        return f"{given} {surname} AM: {role}"
    if style == 4:
        return f"{given} {surname} - Head of Public Policy, {role}"
    return f"{given} {surname}"


def read_meetings(path: Path, labels: str) -> dict[str, list[Utterance]]:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    speakers = sorted({r["speaker"] for r in rows})
    rename = {s: (decorate(s, i) if labels == "decorated" else s) for i, s in enumerate(speakers)}
    meetings: dict[str, list[Utterance]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["meeting_id"], int(r["turn"]))):
        meetings[r["meeting_id"]].append(Utterance(int(r["turn"]), r["content"], speaker=rename[r["speaker"]]))
    return meetings


def count(texts, word: str) -> int:
    flags = 0 if word[0].isupper() else re.I
    return sum(len(re.findall(rf"\b{word}\b", t, flags)) for t in texts)


def run(turns: Path, labels: str, sample_path: str | None, seed: int) -> dict:
    meetings = read_meetings(turns, labels)
    ids = sorted(meetings)
    notes = [meetings[i] for i in ids]
    known = [sorted({u.speaker for u in utts if u.speaker}) for utts in notes]
    redactor = registry.create("kilvoice.redact.spacy_uk.v1", style="pseudonym")
    segmenter = registry.create("kilvoice.segment.sentences.v2")
    start = time.perf_counter()
    results = redactor.redact_many(notes, known)
    seconds = time.perf_counter() - start
    raw = [u.text for utts in notes for u in utts]
    redacted = [u.text for red, _, _ in results for u in red]
    statements = [s.text for cid, (red, _, _) in zip(ids, results) for s in segmenter.run(cid, list(red))[0]]
    counts = {w: {"raw": count(raw, w), "redacted": count(redacted, w), "statements": count(statements, w)}
              for w in WORDS + CONTROLS}
    kept = {}
    for w in WORDS:
        for c in CONTROLS:
            base = counts[c]["statements"] / counts[c]["raw"]
            kept[f"{w}/{c}"] = round(counts[w]["statements"] / counts[w]["raw"] / base, 3) if counts[w]["raw"] else None
    spans = [(utt.text, s) for utts, (_, found, _) in zip(notes, results) for utt, sp in zip(utts, found)
             for s in sp if s.label == "PERSON"]
    by_source = Counter(s.source for _, s in spans)
    texts = Counter(t[s.start:s.end] for t, s in spans)
    surnames = sorted({name_of(s)[1] for s in {r["speaker"] for r in csv.DictReader(turns.open(encoding="utf-8"))}})
    titled = re.compile(TITLED + r"(?:" + "|".join(map(re.escape, surnames)) + r")\b")
    speakers = {r["speaker"] for r in csv.DictReader(turns.open(encoding="utf-8"))}
    full = re.compile(r"\b(?:" + "|".join(re.escape(" ".join(name_of(s))) for s in speakers) + r")\b")
    parts = re.compile(r"\b(?:" + "|".join(sorted({re.escape(w) for s in speakers for w in " ".join(name_of(s)).split()},
                                                    key=len, reverse=True)) + r")\b")
    left = Counter(m.group(0) for t in redacted + statements for m in titled.finditer(t))
    recall = {"titled_speaker_surnames_raw": sum(len(titled.findall(t)) for t in raw),
              "titled_speaker_surnames_left": sum(left.values()),
              "speaker_full_names_raw": sum(len(full.findall(t)) for t in raw),
              "speaker_full_names_left": sum(len(full.findall(t)) for t in redacted),
              "speaker_name_parts_raw": sum(len(parts.findall(t)) for t in raw),
              "speaker_name_parts_left": Counter(m.group(0) for t in redacted for m in parts.finditer(t))}
    if sample_path:
        rng = random.Random(seed)
        with open(sample_path, "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, delimiter="\t")
            out.writerow(["span", "source", "context", "judged_person"])
            for text, s in rng.sample(spans, min(250, len(spans))):
                ctx = text[max(0, s.start - 40):s.start] + "<<" + text[s.start:s.end] + ">>" + text[s.end:s.end + 40]
                out.writerow([text[s.start:s.end], s.source, ctx.replace("\n", " "), ""])
    return {"labels": labels, "meetings": len(notes), "turns": len(raw), "statements": len(statements),
            "redact_seconds": round(seconds, 1), "counts": counts, "kept_relative": kept,
            "person_spans": len(spans), "person_spans_by_source": dict(by_source),
            "common_words_redacted": {w: sum(n for t, n in texts.items() if re.search(rf"\b{w}\b", t, re.I))
                                      for w in WORDS},
            "top_person_texts": texts.most_common(25), "recall": recall, "titled_left": dict(left)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", choices=("published", "decorated", "both"), default="both")
    ap.add_argument("--sample", help="write a sample of 250 PERSON spans with context here (TSV)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--turns", type=Path, default=TURNS, help="turns.csv (default: ../shared/corpora/...)")
    args = ap.parse_args(argv)
    if not args.turns.exists():
        print(f"not found: {args.turns}", file=sys.stderr)
        return 2
    sets = ("published", "decorated") if args.labels == "both" else (args.labels,)
    for labels in sets:
        sample = args.sample.replace(".tsv", f".{labels}.tsv") if args.sample else None
        print(json.dumps(run(args.turns, labels, sample, args.seed), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write kilvoice/redact/safeguarding_bank.json, the semantic stage's exemplar bank (and
safeguarding_fit.json, the regression fitted on it).

    PYTHONPATH=. .venv/bin/python scripts/build_safeguarding_bank.py

Disclosures: each sentence of a ``dev`` or ``test`` disclosure that the rules flag (the whole row
when it is one sentence), with the row's categories. Negatives: every sentence of a ``dev`` or
``test`` hard negative, the sentences of buried disclosures the rules do not flag, every sentence
of the invented sample notes and transcripts in ``corpora/samples`` (ordinary
council-conversation text; transcript lines without their speaker label) that the rules do not
flag, and ``bank_negatives.txt`` (invented patient-feedback and family
sentences, written for the bank after reading the semantic stage's false flags on real NHS
feedback: illness, accidents, praise and complaints about care). ``test`` was held back until the
first version of the stage had been measured on it (docs/PERFORMANCE.md); ``fresh`` and
``fresh2`` are never used for anything but measuring. All of this text was written for the project.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from kilvoice.redact.safeguarding import rule_sentence_categories, sentence_spans
from kilvoice.redact.safeguarding_eval import read_set
from kilvoice.redact.safeguarding_semantic import write_fit

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "kilvoice" / "redact" / "safeguarding_bank.json"
SETS = REPO / "tests" / "fixtures" / "safeguarding"
SAMPLES = REPO / "corpora" / "samples"
_CUE = re.compile(r"^\s*(?:\d+|WEBVTT|NOTE|\S+:\s*\S*$|.*-->.*)\s*$")  # counters, timings, header lines
_LABEL = re.compile(r"^\s*(?:<v\s+[^>]*>|[^:]{1,40}:\s)")  # "<v Name>", "Resident (Pam): "


def sample_texts() -> list[str]:
    """Texts of the invented sample notes and transcripts (transcripts: one a cue line, unlabelled)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "notes").glob("*.txt"))]
    for path in sorted((SAMPLES / "transcripts").glob("*.[sv][rt][tt]")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not _CUE.match(line):
                texts.append(_LABEL.sub("", line).replace("</v>", ""))
    return texts


def main() -> None:
    disclosures, negatives = [], []
    rows = read_set(SETS / "dev.jsonl") + read_set(SETS / "test.jsonl")
    for row in rows:
        text = row["text"]
        spans = sentence_spans(text)
        if not row["categories"]:
            negatives += [text[s:e] for s, e in spans]
            continue
        if len(spans) == 1:
            disclosures.append({"text": text[spans[0][0]:spans[0][1]], "categories": row["categories"]})
            continue
        hits = {(s, e) for s, e, _ in rule_sentence_categories(text)}
        for s, e in spans:
            if (s, e) in hits:
                disclosures.append({"text": text[s:e], "categories": row["categories"]})
            else:
                negatives.append(text[s:e])
    for text in sample_texts():
        flagged = {(s, e) for s, e, _ in rule_sentence_categories(text)}
        negatives += [text[s:e] for s, e in sentence_spans(text) if (s, e) not in flagged and e - s > 15]
    negatives += [line.strip() for line in (SETS / "bank_negatives.txt").read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    bank = {"disclosures": disclosures, "negatives": sorted(set(negatives))}
    OUT.write_text(json.dumps(bank, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(REPO)}: {len(disclosures)} disclosures, {len(bank['negatives'])} negatives")
    print(f"{write_fit().relative_to(REPO)}: the regression fitted on it")


if __name__ == "__main__":
    main()

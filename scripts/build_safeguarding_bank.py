"""Write kilvoice/redact/safeguarding_bank.json, the semantic stage's exemplar bank.

    PYTHONPATH=. .venv/bin/python scripts/build_safeguarding_bank.py

Disclosures: each sentence of a ``dev`` or ``test`` disclosure that the rules flag (the whole row
when it is one sentence), with the row's categories. Negatives: every sentence of a ``dev`` or
``test`` hard negative, the sentences of buried disclosures the rules do not flag, every sentence
of the invented sample notes in ``corpora/samples/notes`` (ordinary council-conversation text)
that the rules do not flag, and ``bank_negatives.txt`` (invented patient-feedback and family
sentences, written for the bank after reading the semantic stage's false flags on real NHS
feedback: illness, accidents, praise and complaints about care). ``test`` was held back until the
first version of the stage had been measured on it (docs/PERFORMANCE.md); ``fresh`` and
``fresh2`` are never used for anything but measuring. All of this text was written for the project.
"""
from __future__ import annotations

import json
from pathlib import Path

from kilvoice.redact.safeguarding import rule_sentence_categories, sentence_spans
from kilvoice.redact.safeguarding_eval import read_set

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "kilvoice" / "redact" / "safeguarding_bank.json"
SETS = REPO / "tests" / "fixtures" / "safeguarding"


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
    for path in sorted((REPO / "corpora" / "samples" / "notes").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        flagged = {(s, e) for s, e, _ in rule_sentence_categories(text)}
        negatives += [text[s:e] for s, e in sentence_spans(text) if (s, e) not in flagged and e - s > 15]
    negatives += [line.strip() for line in (SETS / "bank_negatives.txt").read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    bank = {"disclosures": disclosures, "negatives": sorted(set(negatives))}
    OUT.write_text(json.dumps(bank, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(REPO)}: {len(disclosures)} disclosures, {len(bank['negatives'])} negatives")


if __name__ == "__main__":
    main()

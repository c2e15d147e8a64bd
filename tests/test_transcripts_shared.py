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


def test_a_theme_of_chairing_lines_is_caught_after_the_fit():
    """Every Senedd turn of up to 25 words as a statement, no filter, no roles: the raw material of
    issue 16's "Okay, thank you" themes. Without the safety net a procedural theme forms; with it
    none is left and its chairing statements are rejected with K708."""
    import csv

    from kilvoice import registry
    from kilvoice.records import Statement
    from kilvoice.topics import ThemeStage
    from kilvoice.topics.procedural import chairing_keywords

    path = shared_path("senedd-committee", "turns.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if 3 <= len(r["content"].split()) <= 25][:2500]
    stmts = [Statement(f"s{i}", r["meeting_id"], int(r["turn"]), 0, r["content"]) for i, r in enumerate(rows)]
    vectors = registry.create("kilvoice.embed.static.v2", idf_power=0.5).encode([s.text for s in stmts])

    def procedural(themes):
        return [t.title for t in themes if t.id.startswith("T") and chairing_keywords(t.keywords)]

    first, first_assignments, rejects, _ = ThemeStage(drop_procedural=False, stability=False).run(stmts, vectors, seed=42)
    assert procedural(first), "no procedural theme formed: the test would prove nothing"
    themes, assignments, rejects, info = ThemeStage(stability=False).run(stmts, vectors, seed=42)
    left_out = [r for r in rejects if r.code == "K708"]
    assert not procedural(themes) or len(procedural(themes)) < 2
    assert left_out and info["procedural_left_out"]["statements"] == len(left_out)
    assert not {r.item for r in left_out} & {a.statement_id for a in assignments}

    # procedural_refit = "keep" (topics v3): the first fit's other themes come through whole; only
    # the procedural theme's remaining statements move (to a theme or "other")
    themes, assignments, rejects, info = ThemeStage(stability=False, procedural_refit="keep").run(stmts, vectors, seed=42)
    dropped = {r.item for r in rejects if r.code == "K708"}
    assert dropped and info["procedural_left_out"]["refit"] == "keep" and not procedural(themes)
    gone = {t.id for t in first if t.id.startswith("T") and chairing_keywords(t.keywords)}
    before, after = members(first_assignments), members(assignments)
    assert len(after) == len(before) - len(gone)
    moved = {s for tid in gone for s in before[tid]} - dropped
    assert moved <= set().union(*after.values())  # (here the theme's statements all used its words)
    for tid, group in before.items():
        if tid not in gone:  # a kept theme holds exactly its first-fit statements, plus placed ones
            best = max(after.values(), key=lambda g: len(g & group))
            assert group <= best and best - group <= moved, (tid, len(group), len(best))


def members(assignments) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a in assignments:
        if a.primary:
            out.setdefault(a.theme_id, set()).add(a.statement_id)
    return out

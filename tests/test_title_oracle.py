"""The title-agreement oracle (benchmarks/title_agreement.py ``--oracle``): what it counts as reachable.

MiniLM lives in the bench venv only, so the encoder here is a fixed table of vectors: the test is of the
bound's bookkeeping (wordings, carried shares, the chosen title), not of the model."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import title_agreement as ta  # noqa: E402

NAMES = ["Timeliness of care", "Staff manner", "Parking", "Food", "Positive experience"]


class TableModel:
    """Encodes a text as the label vector its table names (unit vectors on the label axes)."""

    def __init__(self, table):
        self.table = table

    def encode(self, texts, normalize_embeddings=True):
        out = np.zeros((len(texts), len(NAMES)))
        for i, text in enumerate(texts):
            out[i, NAMES.index(self.table.get(text, "Parking"))] = 1.0
        return out


def theme(title, majority, size, candidates, agrees=False):
    return {"title": title, "majority": majority, "size": size, "candidates": candidates, "agrees": agrees}


def bounds(table, themes):
    model = TableModel(table)
    L = np.eye(len(NAMES))
    return ta.oracle_bounds(model, L, NAMES, themes)


def test_variants_keep_a_name_capitalised():
    assert ta.oracle_variants("friendly staff") == ["Friendly staff", "Praise for the friendly staff",
                                                    "Problems with the friendly staff"]
    assert ta.oracle_variants("NHS") == ["NHS", "Praise for the NHS", "Problems with the NHS"]


def test_a_candidate_counts_only_when_carried_by_the_bound_share():
    # the top 3 of 5 labels are a text's own and the two first in order (tied at 0), so the
    # majorities here are later labels, which only their own text reaches
    table = {"Waiting time": "Food", "Hospital": "Parking"}
    themes = [theme("Hospital", "Food", 100, [("hospital", 90), ("waiting time", 12)]),
              theme("Hospital", "Food", 100, [("hospital", 90), ("waiting time", 5)])]
    got = bounds(table, themes)
    assert got == {"oracle_0": 1.0, "oracle_0.1": 0.5, "oracle_0.15": 0.0}
    assert themes[0]["oracle"] == [("Waiting time", 12)]


def test_the_chosen_title_counts_whatever_its_candidates():
    themes = [theme("General praise", "Positive experience", 50, [], agrees=True),
              theme("Hospital", "Positive experience", 50, [("hospital", 45)])]
    assert bounds({}, themes) == {"oracle_0": 0.5, "oracle_0.1": 0.5, "oracle_0.15": 0.5}


def test_a_stance_wording_can_agree_where_the_bare_phrase_does_not():
    table = {"Praise for the crew": "Positive experience"}
    themes = [theme("Crew", "Positive experience", 40, [("crew", 8)])]
    assert bounds(table, themes)["oracle_0.15"] == pytest.approx(1.0)
    assert themes[0]["oracle"] == [("Praise for the crew", 8)]

"""Theme links by agreement (``kilvoice.map.learned.v6``, ``ThemeLinkRule.agree_with``): a theme's
best-scoring candidate links only when its statements' vote and its own title + keywords name
the same item; otherwise every candidate stays "possible". The rule compares items with each
other, so one rule serves every embedder."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import shared_path
from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.mapping.themelinks import AGREEMENT_SETTINGS, ThemeLinkRule, decide, lineage, score_links
from kilvoice.records import Assignment, Statement, Theme
from test_mapping import BagOfWords, fw_path  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]


def test_the_leader_links_only_when_vote_and_title_agree():
    rule = ThemeLinkRule(**AGREEMENT_SETTINGS)
    assert rule.agree_with == ("vote", "title") and rule.min_value == 0.05 and rule.max_links == 1
    score = np.array([[0.30, 0.10, 0.05]] * 4)  # item 0 leads every theme by a mile
    votes = np.array([[0.6, 0.3, 0.1], [0.3, 0.6, 0.1], [0.6, 0.3, 0.1], [0.0, 0.0, 0.0]])
    title = np.array([[0.4, 0.1, 0.0], [0.4, 0.1, 0.0], [0.1, 0.4, 0.0], [0.4, 0.1, 0.0]])
    cand = np.array([[1, 1, 0]] * 4, dtype=bool)
    status = decide(score, cand, rule, votes, signals={"title": title})
    # agreeing / the vote names item 1 / the title names item 1 / no statements: the vote says nothing
    assert status.tolist() == [[2, 1, 0], [1, 1, 0], [1, 1, 0], [2, 1, 0]]
    # without agree_with the same thresholds link item 0 everywhere: the test is what made them possible
    loose = ThemeLinkRule(**{**AGREEMENT_SETTINGS, "agree_with": ()})
    assert decide(score, cand, loose, votes)[:, 0].tolist() == [2, 2, 2, 2]
    with pytest.raises(ValueError, match="title"):
        decide(score, cand, rule, votes)  # the rule names a signal it was not given


def test_agreement_counts_a_lineage_and_ties():
    rule = ThemeLinkRule(**AGREEMENT_SETTINGS)
    related = lineage([None, 0, None])  # item 1 is item 0's child
    score = np.array([[0.30, 0.25, 0.05], [0.30, 0.25, 0.05]])
    votes = np.array([[0.2, 0.5, 0.3], [0.4, 0.2, 0.4]])  # the child holds the vote / a tie with item 2
    title = np.array([[0.3, 0.4, 0.1], [0.4, 0.1, 0.0]])  # the child's title leads
    cand = np.ones((2, 3), dtype=bool)
    got = decide(score, cand, rule, votes, related, {"title": title})
    assert got[0].tolist() == [2, 2, 1]  # parent and child are one lineage: they agree
    assert got[1].tolist() == [2, 2, 1]  # a tie for the most votes includes the leader: agreement
    tie = decide(score[1:], cand[1:], rule, votes[1:], None, {"title": title[1:]})
    assert tie.tolist() == [[2, 1, 1]]  # flat: the tie still agrees
    assert decide(score, cand, rule, votes, None, {"title": title})[0].tolist() == [1, 1, 1]  # flat: no


def test_agree_with_is_checked_and_read_from_a_pipeline_list():
    assert ThemeLinkRule.from_settings({**AGREEMENT_SETTINGS, "agree_with": ["title"]}).agree_with == ("title",)
    for bad in ("vote", ["votes"], [1]):
        with pytest.raises(KilvoiceError) as err:
            ThemeLinkRule.from_settings({"agree_with": bad})
        assert err.value.code == "K520" and "agree_with" in err.value.message


# -- the stage ------------------------------------------------------------------------------------
TEXTS = ["the bus never comes", "more bus routes to work", "bus fares are too dear",
         "the youth club closed", "teenagers need a youth club", "kids and teenagers need a youth club"]


def statuses(fw_path, stage, title, keywords, model_id="test:bow"):  # noqa: F811
    emb = BagOfWords()
    emb.model_id = model_id
    st = [Statement(f"s{i}", f"c{i}", 0, 0, t) for i, t in enumerate(TEXTS)]
    themes = [Theme("T1", title, keywords=keywords)]
    assignments = [Assignment(f"s{i}", "T1", 1.0) for i in (0, 1, 2, 3)]  # 3 of 4 about the bus
    mapper = registry.create(stage, frameworks=[str(fw_path)], threshold=0.3, margin=0.5)
    links, _, _ = mapper.run(themes, assignments, st, emb.encode(TEXTS), emb, {}, None)
    return {lk.item_id: lk.status for lk in links if lk.source_kind == "theme"}


def test_learned_v6_needs_the_title_to_agree_on_every_embedder(fw_path):  # noqa: F811
    """A bus theme titled for buses links to "bus" under v6 whatever model embedded it; the same
    statements under a title about the youth club (the labeller misread them) are only a possible
    link, where v4 links the theme's best-scoring item anyway."""
    stage = registry.create("kilvoice.map.learned.v6", frameworks=[str(fw_path)])
    assert stage.name == "kilvoice.map.learned.v6" and stage.theme_links == AGREEMENT_SETTINGS
    assert stage.theme_links_by_model == {}
    for model in ("test:bow", "onnx:minilm"):
        assert statuses(fw_path, "kilvoice.map.learned.v6", "Bus routes", ["bus", "routes"], model)["bus"] == "link"
        off = statuses(fw_path, "kilvoice.map.learned.v6", "Youth club", ["youth club", "teenagers"], model)
        assert off.get("bus") == "possible" and "link" not in off.values()
    assert statuses(fw_path, "kilvoice.map.learned.v4", "Youth club", ["youth club", "teenagers"])["bus"] == "link"
    # v4 and v3 are unchanged: old pipeline files reproduce
    v4 = registry.create("kilvoice.map.learned.v4", frameworks=[str(fw_path)])
    assert v4.theme_links["agree_with"] == () and v4.theme_links_by_model["onnx:"]["agree_with"] == ()


# -- a real labelled set, real embeddings ----------------------------------------------------------
@pytest.mark.shared
@pytest.mark.slow
def test_agreement_links_on_petitions_are_precise():
    """UK petitions (label: responding department), themed by the main job's theme stage on the
    static model and mapped zero-shot onto the departments: v6's links are right at least 80% of
    the time, more often than every candidate as a link, and the rule the bench scores is the rule
    the stage applies."""
    shared_path("uk-petitions", "uk_petitions_env_sample.csv")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import themelinks_bench as bench

    data = bench.collect("petitions", 3000, "static")
    title = np.asarray(data["score_own"]) - data["floor"]
    assert title.shape == np.asarray(data["score"]).shape
    v6 = bench.score(data, AGREEMENT_SETTINGS)
    assert v6["n_links"] >= 5 and v6["precision"] >= 0.8
    assert bench.score(data, None)["precision"] <= v6["precision"] - 0.15
    labels = dict(zip(data["themes"], data["labels"]))
    assert score_links({t: [] for t in labels}, labels)["majority_share"] == 0.0


def test_bench_counts_links_of_themes_whose_category_is_missing():
    """themelinks_bench.gap_check: with item "a" dropped from the framework, a theme that is all "a"
    still links to "b" when "b" is its best remaining item by a wide margin and a loose rule is
    used; a floor that "b" does not reach leaves it unlinked. The candidates are recomputed as the
    map stage finds them (no cached candidate of the full framework is reused)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import themelinks_bench as bench

    rng = np.random.default_rng(0)
    n = 40
    S = np.column_stack([rng.uniform(0.7, 0.8, n), rng.uniform(0.45, 0.5, n)] + [rng.uniform(0.0, 0.1, n)] * 4)
    d = {"items": list("abcdef"), "themes": ["T1"], "labels": [["a"] * n], "members": [list(range(n))],
         "S": S.tolist(), "floor": 0.3, "score": [[0.45, 0.18] + [-0.25] * 4], "score_own": [[0.7, 0.45] + [0.05] * 4]}
    loose = {"metric": "score", "min_value": 0.0, "min_margin": 0.0, "max_links": 1, "min_vote": 0.0}
    assert bench.gap_check(d, loose) == {"gap_themes": 1, "gap_links": 1, "gap_wrong": 1}
    assert bench.gap_check(d, {**loose, "min_value": 0.5})["gap_wrong"] == 0
    assert bench.gap_check({k: v for k, v in d.items() if k != "S"}, loose)["gap_themes"] == 0  # an old cache

"""Mapping: multi-label links, thresholds, officer decisions, learning, gaps, eval, estimator contract."""
from __future__ import annotations

import json
import re
import zlib

import numpy as np
import pytest
from click.testing import CliRunner

from kilvoice import registry
from kilvoice.cli import main
from kilvoice.mapping import zeroshot as zs
from kilvoice.mapping.evaluate import eval_mapping, f1_report, sample_per_label
from kilvoice.mapping.hybrid import HybridMapper, TextFeatures
from kilvoice.mapping.learned import LearnedMapper, training_set
from kilvoice.records import Assignment, Statement, Theme

FRAMEWORK = """\
id: town
title: Town plan
items:
  - id: bus
    title: Better buses
    examples: [the bus never comes, more bus routes to work]
    keywords: [bus, buses, transport]
  - id: youth
    title: Things for young people
    examples: [a youth club for teenagers, somewhere for kids to go]
    keywords: [youth club, teenagers, kids]
  - id: shops
    title: Local shops
    parent: town
    examples: [support the local shops]
    keywords: [shops, high street]
  - id: town
    title: Thriving town centre
    keywords: [town centre]
  - id: logistics
    title: Inward investment in logistics parks
    keywords: [inward investment, warehousing]
"""


class BagOfWords:
    """A deterministic stand-in embedder: hashed word counts, unit length."""

    model_id = "test:bow"

    def encode(self, texts):
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[i, zlib.crc32(word.rstrip("s").encode()) % 256] += 1.0
        return zs.normalise(out) if len(texts) else out


TEXTS = [
    "the bus never comes and the youth club closed",  # two items at once
    "more buses to work please",
    "nothing for teenagers, bring back the youth club",
    "support the local shops on the high street",
    "the weather was nice",
]


@pytest.fixture(scope="module")
def fw_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("fw") / "town.yaml"
    path.write_text(FRAMEWORK, encoding="utf-8")
    return path


def statements():
    return [Statement(f"s{i}", f"c{i % 3}", 0, i, t) for i, t in enumerate(TEXTS)]


def run(fw_path, stage="kilvoice.map.zeroshot.v1", themes=(), assignments=(), confirmed=None, **settings):
    emb = BagOfWords()
    st = statements()
    conv = {"c0": {"area": "KV1", "setting": "work", "age_band": "25-34"},
            "c1": {"area": "KV2", "setting": "social"}, "c2": {"area": "KV1", "setting": "work"}}
    mapper = registry.create(stage, frameworks=[str(fw_path)], **settings)
    return mapper.run(list(themes), list(assignments), st, emb.encode(TEXTS), emb, conv, confirmed)


def pairs(links, kind="statement"):
    return {(l.source_id, l.item_id) for l in links if l.source_kind == kind}


def test_multi_label_statement_links(fw_path):
    links, rejects, info = run(fw_path, threshold=0.25, margin=0.5)
    got = pairs(links)
    assert {("s0", "bus"), ("s0", "youth")} <= got
    assert ("s1", "bus") in got and ("s2", "youth") in got
    assert ("s3", "shops") in got and ("s3", "town") in got  # a child link rolls up to its parent
    assert not any(sid == "s4" for sid, _ in got)
    assert rejects == []
    for link in links:
        assert 0.0 <= link.score <= 1.0 and link.framework_id == "town"
        assert link.evidence == [link.source_id]


def test_threshold_and_margin(fw_path):
    assert pairs(run(fw_path, threshold=0.99)[0]) == set()
    narrow = pairs(run(fw_path, threshold=0.25, margin=0.0)[0])
    assert ("s0", "bus") in narrow or ("s0", "youth") in narrow
    assert not {("s0", "bus"), ("s0", "youth")} <= narrow  # margin 0: only the best item
    _, _, info = run(fw_path)
    assert info["thresholds"]["town"]["floor"] == pytest.approx(zs.DEFAULT_MIN_FLOOR + 0.1)  # < 20 texts


def test_select_and_calibrated_floor():
    scores = np.array([[0.9, 0.86, 0.5], [0.2, 0.1, 0.15], [0.7, 0.69, 0.68]], dtype=np.float32)
    chosen = zs.select(scores, floor=0.4, margin=0.05, max_items=2)
    assert chosen.tolist() == [[True, True, False], [False, False, False], [True, True, False]]
    rng = np.random.default_rng(0)
    many = rng.uniform(0, 0.4, size=(100, 5)).astype(np.float32)
    assert zs.calibrated_floor(many, z=1.5) == pytest.approx(many.mean() + 1.5 * many.std(), rel=1e-5)
    assert zs.calibrated_floor(np.zeros((100, 5), np.float32)) == zs.DEFAULT_MIN_FLOOR


def test_themes_gaps_and_conversation_counts(fw_path):
    themes = [Theme("t-bus", "bus service", keywords=["bus", "routes"]), Theme("t-weather", "weather", keywords=["weather"])]
    assignments = [Assignment("s0", "t-bus", 1.0), Assignment("s1", "t-bus", 1.0), Assignment("s4", "t-weather", 1.0)]
    links, _, info = run(fw_path, themes=themes, assignments=assignments, threshold=0.3, margin=0.5)
    theme_links = [l for l in links if l.source_kind == "theme"]
    bus = [l for l in theme_links if l.source_id == "t-bus" and l.item_id == "bus"]
    assert bus and bus[0].evidence[:2] in (["s1", "s0"], ["s0", "s1"])
    assert "shared keywords: bus" in bus[0].rationale
    assert "never comes" not in bus[0].rationale.replace("the bus never comes", "")  # only framework phrases
    assert info["unmapped_themes"] == ["t-weather"]
    items = {it["id"]: it for it in info["frameworks"]["town"]["items"]}
    assert items["logistics"]["gap"] is True and "logistics" in info["frameworks"]["town"]["gaps"]
    assert items["bus"]["gap"] is False
    assert items["bus"]["n_statements"] == 2 and items["bus"]["n_conversations"] == 2
    assert items["bus"]["areas"] == {"KV1": 1, "KV2": 1}
    assert items["bus"]["age_bands"] == {"25-34": 1, "not recorded": 1}
    assert items["shops"]["parent"] == "town"


def test_officer_decisions_override(fw_path):
    confirmed = [{"statement_id": "s4", "framework_id": "town", "item_id": "logistics", "accepted": True},
                 {"statement_id": "s1", "framework_id": "town", "item_id": "bus", "accepted": False},
                 {"statement_id": "s2", "framework_id": "town", "item_id": "nope", "accepted": True}]
    links, rejects, _ = run(fw_path, threshold=0.3, margin=0.5, confirmed=confirmed)
    got = pairs(links)
    assert ("s4", "logistics") in got and ("s1", "bus") not in got
    assert [(r.item, r.code, r.reason) for r in rejects] == [
        ("s2", "K115", "officer decision names item 'nope', which is not in framework 'town'; decision ignored")]


def test_learning_from_confirmations_moves_predictions():
    """Zero-shot sends 'parking' statements nowhere near item 1; confirmations teach it."""
    rng = np.random.default_rng(0)
    d = 16
    base = rng.normal(size=(2, d))
    parking = rng.normal(size=d)
    X = np.vstack([base[0] + 0.3 * rng.normal(size=(20, d)), parking + 0.3 * rng.normal(size=(20, d))])
    X = zs.normalise(X)
    prior = np.column_stack([X @ zs.normalise(base[0])[0], X @ zs.normalise(base[1])[0]]).clip(0, 1)
    F = np.hstack([X, prior])
    Y = np.zeros((40, 2), dtype=int)
    Y[:20, 0] = 1
    Y[20:, 1] = 1
    train, test = np.r_[0:5, 20:25], np.r_[5:20, 25:40]
    before = LearnedMapper(prior_columns=2, prior_floor=0.5).fit(F[train][:5], Y[train][:5])
    after = LearnedMapper(prior_columns=2, prior_floor=0.5, random_state=0).fit(F[train], Y[train])
    s_before = before.predict_scores(F[25:40])[:, 1]
    s_after = after.predict_scores(F[25:40])[:, 1]
    assert s_after.mean() > s_before.mean() + 0.2
    assert after.predict(F[test]).tolist() == Y[test].tolist()


def test_learned_stage_uses_decisions(fw_path):
    confirmed = [{"statement_id": f"s{i}", "framework_id": "town", "item_id": item, "accepted": True}
                 for i, item in [(0, "bus"), (1, "bus"), (2, "youth"), (3, "shops"), (4, "logistics")]]
    links, _, info = run(fw_path, stage="kilvoice.map.learned.v1", confirmed=confirmed, threshold=0.3, margin=0.5)
    assert info["thresholds"]["town"]["method"] == "learned"
    assert info["thresholds"]["town"]["n_decisions"] == 5
    assert ("s4", "logistics") in pairs(links)
    _, _, info0 = run(fw_path, stage="kilvoice.map.learned.v1", threshold=0.3)
    assert info0["thresholds"]["town"]["method"] == "zero-shot"


def test_training_set_from_decisions():
    decisions = [{"statement_id": "a", "framework_id": "f", "item_id": "x", "accepted": True},
                 {"statement_id": "a", "framework_id": "f", "item_id": "y", "accepted": False},
                 {"statement_id": "b", "framework_id": "f", "item_id": "y", "accepted": True},
                 {"statement_id": "c", "framework_id": "other", "item_id": "y", "accepted": True}]
    rows, Y = training_set(decisions, "f", ["x", "y"], ["a", "b", "c"])
    assert rows.tolist() == [0, 1] and Y.tolist() == [[1, 0], [0, 1]]


def test_sample_per_label_and_f1():
    Y = np.array([[1, 0], [1, 0], [1, 1], [0, 1], [1, 0], [0, 1]])
    rows = sample_per_label(Y, 2, seed=1)
    assert rows.tolist() == sorted(rows.tolist()) and len(rows) <= 4
    assert all(Y[rows, j].sum() >= 1 for j in range(2))
    assert sample_per_label(Y, 2, seed=1).tolist() == rows.tolist()
    r = f1_report(np.array([[1, 0], [0, 1]]), np.array([[1, 1], [0, 0]]), ["x", "y"])
    assert r["micro_f1"] == pytest.approx(0.5) and r["per_item"]["x"]["precision"] == 1.0
    assert r["per_item"]["y"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def labelled_csv(tmp_path):
    rows = ["text,labels"]
    for i in range(6):
        rows += [f"the bus number {i} never comes,bus", f"youth club for teenagers {i},youth",
                 f"bus late and kids bored {i},bus;youth", f"local shops {i} on the high street,shops;town"]
    path = tmp_path / "labelled.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_eval_mapping_library(tmp_path, fw_path):
    data = labelled_csv(tmp_path)
    zero = eval_mapping(data, "text", "labels", fw_path, 0, embedder=BagOfWords())
    assert set(zero) >= {"micro_f1", "macro_f1", "per_item", "k", "seconds"}
    assert zero["k"] == 0 and zero["n_test"] == 24 and zero["per_item"]["bus"]["support"] == 12
    for mapper in ("v1", "v2"):
        learned = eval_mapping(data, "text", "labels", fw_path, 2, seed=0, embedder=BagOfWords(), mapper=mapper)
        assert learned["k"] == 2 and learned["n_train"] + learned["n_test"] == 24
        assert learned["mapper"] == mapper and learned["micro_f1"] >= 0.8, learned


def test_eval_mapping_cli(tmp_path, fw_path):
    data = labelled_csv(tmp_path)
    runner = CliRunner()
    out = runner.invoke(main, ["eval", "mapping", str(data), "--text-column", "text", "--labels-column", "labels",
                               "--framework", str(fw_path), "--train-per-label", "2", "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["k"] == 2 and 0 <= report["micro_f1"] <= 1 and "bus" in report["per_item"]
    # the default static embedder is weighted by the data's IDF, as in the main job
    assert report["embedder"] == "static:static-minilm-256+idf0.5"

    out = runner.invoke(main, ["eval", "mapping", str(data), "--text-column", "nope", "--labels-column", "labels",
                               "--framework", str(fw_path)])
    assert out.exit_code == 1
    assert out.stderr == f"Error: K502 {data}: column 'nope' not found; columns: text, labels\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("text,labels\nhello,bus;trains\n", encoding="utf-8")
    out = runner.invoke(main, ["eval", "mapping", str(bad), "--text-column", "text", "--labels-column", "labels",
                               "--framework", str(fw_path)])
    assert out.exit_code == 1
    assert out.stderr == (f"Error: K116 {bad}: line 2: label 'trains' is not an item of framework 'town'. "
                          "Use the item ids of the framework file\n")


def test_eval_mapping_fits_a_corpus_weighted_embedder(tmp_path, fw_path):
    from kilvoice.embed import StaticEmbedder

    embedder = StaticEmbedder(weighting="idf")
    eval_mapping(labelled_csv(tmp_path), "text", "labels", fw_path, 0, embedder=embedder)
    assert embedder.token_weights_ is not None

@pytest.mark.slow
def test_bundled_frameworks_with_static_model():
    """The real bundled model on the real frameworks: obvious statements land where expected."""
    from kilvoice.embed import StaticEmbedder

    emb = StaticEmbedder()
    texts = ["The council should buy from local firms and keep the money in the town",
             "If the youth club had been open my son would not have got into trouble",
             "There is no bus from Castlebeck after six so I can't do evening shifts"] * 8
    st = [Statement(f"s{i}", f"c{i}", 0, i, t) for i, t in enumerate(texts)]
    mapper = registry.create("kilvoice.map.zeroshot.v1",
                             frameworks=["keep-it-local", "kelvale-corporate-plan", "kelvale-economic-wellbeing"])
    links, _, info = mapper.run([], [], st, emb.encode(texts), emb, {})
    got = {(l.source_id, l.item_id) for l in links}
    assert ("s0", "kil-3") in got and ("s0", "ew-1") in got
    assert ("s1", "kil-4") in got
    assert ("s2", "ew-5") in got
    assert "ew-7" in info["frameworks"]["kelvale-economic-wellbeing"]["gaps"]


def test_estimator_contract():
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(LearnedMapper(random_state=0))


def words_only_multi_label():
    """Features, labels, train and test rows of two items and rows with both, whose embeddings
    carry nothing (all equal): only the word n-grams can separate the items."""
    texts = [f"bus route {i} late" for i in range(6)] + [f"youth club {i} shut" for i in range(6)] \
        + [f"bus and youth club {i}" for i in range(6)]
    Y = np.array([[1, 0]] * 6 + [[0, 1]] * 6 + [[1, 1]] * 6)
    F = TextFeatures().fit(texts).transform(texts, np.ones((len(texts), 4)))
    return F, Y, np.r_[0:3, 6:9, 12:15], np.r_[3:6, 9:12, 15:18]


def test_hybrid_mapper_uses_words_and_is_multi_label():
    """Embeddings carry nothing here (all equal): only the word n-grams can separate the items."""
    F, Y, train, test = words_only_multi_label()
    model = HybridMapper(random_state=0).fit(F[train], Y[train], X_unlabelled=F[test])
    assert model.n_pseudo_ == len(test)
    assert model.predict(F[test]).tolist() == Y[test].tolist()
    plain = HybridMapper(self_training=0, random_state=0).fit(F[train], Y[train])
    assert plain.n_pseudo_ == 0 and plain.predict(F[test]).tolist() == Y[test].tolist()
    # at_least_one: a row below threshold on every item still gets its best item
    strict = HybridMapper(threshold=1.0, self_training=0, random_state=0).fit(F[train], Y[train])
    assert (strict.predict(F[test]).sum(axis=1) == 1).all()
    assert (HybridMapper(threshold=1.0, at_least_one=False, self_training=0).fit(F[train], Y[train])
            .predict(F[test]).sum() == 0)


def test_self_training_follows_the_unlabelled_pool():
    """Confirmations under-represent item 0; pseudo-labelling the pool moves the model towards it."""
    rng = np.random.default_rng(0)
    centre = rng.normal(size=(2, 8))
    X = np.vstack([centre[0] + 2.0 * rng.normal(size=(200, 8)), centre[1] + 2.0 * rng.normal(size=(20, 8))])
    Y = np.zeros((220, 2), dtype=int)
    Y[:200, 0] = 1
    Y[200:, 1] = 1
    train = np.r_[0:3, 200:215]  # 3 of item 0's 200 rows, 15 of item 1's 20
    pool = np.setdiff1d(np.arange(220), train)
    before = HybridMapper(self_training=0, class_weight=None, random_state=0).fit(X[train], Y[train])
    after = HybridMapper(self_training=2, class_weight=None, random_state=0).fit(X[train], Y[train],
                                                                             X_unlabelled=X[pool])
    assert after.predict_scores(X[pool])[:, 0].mean() > before.predict_scores(X[pool])[:, 0].mean()
    exact_before = (before.predict(X[pool]) == Y[pool]).all(axis=1).mean()
    exact_after = (after.predict(X[pool]) == Y[pool]).all(axis=1).mean()
    assert exact_after > exact_before + 0.02


def test_learned_v2_stage_uses_decisions(fw_path):
    confirmed = [{"statement_id": f"s{i}", "framework_id": "town", "item_id": item, "accepted": True}
                 for i, item in [(0, "bus"), (1, "bus"), (2, "youth"), (3, "shops"), (4, "logistics")]]
    links, _, info = run(fw_path, stage="kilvoice.map.learned.v2", confirmed=confirmed, threshold=0.3, margin=0.5)
    assert info["thresholds"]["town"]["method"] == "learned-hybrid"
    assert info["thresholds"]["town"]["n_decisions"] == 5
    assert {("s4", "logistics"), ("s1", "bus")} <= pairs(links)
    _, _, info0 = run(fw_path, stage="kilvoice.map.learned.v2", threshold=0.3)
    assert info0["thresholds"]["town"]["method"] == "zero-shot"


def test_hybrid_estimator_contract():
    from sklearn.utils.estimator_checks import check_estimator

    # scikit-learn's checks expect predict == round(predict_proba): the neutral decision rule
    check_estimator(HybridMapper(threshold=0.5, at_least_one=False, random_state=0))


def test_catch_all_items_only_on_rows_without_a_specific_item():
    texts = [f"bus {i} late" for i in range(4)] + [f"youth club {i}" for i in range(4)] \
        + [f"nothing to say {i}" for i in range(4)] + ["bus late nothing to say", "youth club nothing to say"] \
        + [f"bus late and youth club {i}" for i in range(2)]
    Y = np.array([[1, 0, 0]] * 4 + [[0, 1, 0]] * 4 + [[0, 0, 1]] * 4 + [[1, 0, 0], [0, 1, 0]] + [[1, 1, 0]] * 2)
    F = TextFeatures().fit(texts).transform(texts, np.ones((len(texts), 2)))
    train = np.r_[0:3, 4:7, 8:11, 14:16]
    model = HybridMapper(threshold=0.3, self_training=0, random_state=0).fit(F[train], Y[train])
    assert model.exclusive_.tolist() == [2]
    assert model.predict(F[[12, 13, 11]]).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    off = HybridMapper(threshold=0.3, self_training=0, solo_share=None, random_state=0).fit(F[train], Y[train])
    assert off.exclusive_.tolist() == [] and off.predict(F[[12, 13]])[:, 2].sum() >= 1


def test_closest_phrase_each_is_closest_phrases_per_link(fw_path):
    """The per-item matrix product names the same phrase as one ``closest_phrases`` call per link."""
    from kilvoice.frameworks import load_frameworks

    fw = load_frameworks([str(fw_path)])[0]
    index = zs.build_index(fw, BagOfWords())
    vectors = BagOfWords().encode([s.text for s in statements()] + ["buses to the town centre shops"])
    rows = np.array([0, 0, 1, 2, 3, len(vectors) - 1, len(vectors) - 1])
    items = np.array([0, 1, 1, 2, 0, 2, 3])
    got = zs.closest_phrase_each(vectors, index, rows, items)
    assert got == [zs.closest_phrases(vectors[i], index, j, 1)[0] for i, j in zip(rows, items)]
    assert len(set(got)) > 2  # not one phrase for everything

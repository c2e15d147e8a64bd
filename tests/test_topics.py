"""Theme stage: determinism, outlier bound, multi-label, titles, stance, metrics, eval CLI."""
from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest

from kilvoice.records import flat
from sklearn.utils.estimator_checks import parametrize_with_checks

from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.records import Statement
from kilvoice.topics import OTHER, ThemeModel, ThemeStage
from kilvoice.topics.labels import (STOPWORDS, CoverageKeywords, PhraseAnalyzer, common_answer, keyword_coverage,
                                    make_titles, pick_keywords, title_coverage)
from kilvoice.topics.metrics import agreement, diversity, npmi
from kilvoice.topics.stance import stance_of, stance_of_text

THEMES = {
    "bus": [
        "The 110 bus only runs once an hour and stops at six in the evening.",
        "Buses into town are always late and the bus station is grim.",
        "We need a bus route to the hospital, the 110 is not enough.",
        "Bus fares are too high for young people getting to college.",
        "The evening bus service was cut so I can't get home from work.",
        "More frequent buses would help older people get to the shops.",
        "The bus timetable changes without warning, [PERSON_1] missed her appointment.",
        "A cheaper bus pass for teenagers would make a big difference.",
    ],
    "parks": [
        "The park by the river is lovely and the green spaces are well kept.",
        "We love walking the dog in the country park and the woods.",
        "The playground in the park needs new swings and a roundabout.",
        "Green spaces and trees make this a nice place to grow up.",
        "The park gardens and flower beds are beautiful in summer.",
        "More benches and bins in the park would be good for families.",
        "The nature reserve and the canal towpath are great for walks.",
        "Keep the parks open and protect the fields from building.",
    ],
    "youth": [
        "There is nothing for teenagers to do in the evenings since the youth club closed.",
        "Bring back the youth club so young people have somewhere safe to go.",
        "Kids hang around the shops because there are no youth activities.",
        "A skate park and youth centre would keep young people busy.",
        "The youth workers at the club were brilliant with my son.",
        "Young people need clubs, sports and somewhere to meet friends.",
        "Youth provision has been cut and teenagers are bored.",
        "Holiday activities for children and teenagers should be free.",
    ],
    "housing": [
        "Rents are too high and young families cannot afford a house here.",
        "We need more affordable homes and council housing for local people.",
        "House prices have gone up so my children had to move away.",
        "Private landlords let houses fall into disrepair with damp and mould.",
        "Social housing waiting lists are years long.",
        "New housing estates are built without doctors or schools.",
        "Affordable rent for first homes would keep young people in the town.",
        "Call [PHONE_1] about the housing repairs, nobody ever comes.",
    ],
    "litter": [
        "Litter and fly-tipping on the back lanes are terrible.",
        "Dog mess and rubbish on the pavements make the streets dirty.",
        "The bins are overflowing and the council rarely empties them.",
        "Fly-tipped mattresses have been in the alley for weeks.",
        "Volunteer litter picks keep the high street clean.",
        "More litter bins and fines for dropping rubbish would help.",
        "Recycling collections are missed and rubbish blows everywhere.",
        "The streets are filthy with litter and chewing gum.",
    ],
    "health": [
        "You can't get a doctor's appointment at the GP surgery for weeks.",
        "The walk-in health centre closed so people go to A&E.",
        "Mental health support for young people has long waiting lists.",
        "The GP practice and the pharmacy staff are caring and helpful.",
        "We need a dentist taking NHS patients in the town.",
        "Care homes and home carers for older people are stretched.",
        "Doctors and nurses at the surgery are brilliant but overworked.",
        "Health visitors and the baby clinic helped me as a new mum.",
    ],
}


def _statements() -> list[Statement]:
    out = []
    i = 0
    for theme, texts in THEMES.items():
        for j, text in enumerate(texts):
            question = "future" if j % 2 else "strong"
            out.append(Statement(id=f"s{i:03d}", conversation_id=f"c{i // 3}", utterance_index=0,
                                 index=j, text=text, question=question))
            i += 1
    out.append(Statement(id="s_empty", conversation_id="c0", utterance_index=0, index=99,
                         text="[PERSON_2] ... !!", question=None))
    return out


SETTINGS = dict(min_themes=4, max_themes=8)


@pytest.fixture(scope="session")
def statements():
    return _statements()


@pytest.fixture(scope="session")
def embeddings(statements):
    from kilvoice.embed import StaticEmbedder

    return StaticEmbedder().encode([s.text for s in statements])


@pytest.fixture(scope="session")
def result(statements, embeddings):
    stage = registry.create("kilvoice.topics.bertopic.v1", **SETTINGS)
    return stage.run(statements, embeddings, 7)


def _comparable(res):
    themes, assignments, rejects, info = res
    info = {k: v for k, v in info.items() if k != "timings"}
    return [flat(t) for t in themes], [flat(a) for a in assignments], [flat(r) for r in rejects], info


def test_registered_stage_returns_records(result):
    themes, assignments, rejects, info = result
    ids = [t.id for t in themes]
    topics = [t for t in themes if t.id.startswith("T")]
    assert ids[: len(topics)] == [f"T{i + 1:02d}" for i in range(len(topics))]
    assert OTHER in ids
    assert info["n_themes"] == len(topics) >= 4
    sizes = [t.size for t in topics]
    assert sizes == sorted(sizes, reverse=True)
    for key in ("n_themes", "outlier_share", "stability", "params", "timings"):
        assert key in info
    assert -1.0 <= info["stability"] <= 1.0


def test_deterministic(statements, embeddings, result):
    again = registry.create("kilvoice.topics.bertopic.v1", **SETTINGS).run(statements, embeddings, 7)
    assert _comparable(again) == _comparable(result)


def test_themes_do_not_move_with_input_order_or_ids(statements, embeddings, result):
    """Statement ids come from file paths: a clone elsewhere, or the same notes in another order,
    must give the same themes (CI once saw the sample stability drop 0.67 -> 0.60 from that alone)."""
    order = np.random.default_rng(3).permutation(len(statements))
    moved = [dataclasses.replace(statements[i], id="x" + statements[i].id[::-1],
                                 conversation_id="y" + statements[i].conversation_id) for i in order]
    themes, assignments, _, info = registry.create("kilvoice.topics.bertopic.v1", **SETTINGS).run(
        moved, embeddings[order], 7)
    text_of = {s.id: s.text for s in statements} | {s.id: s.text for s in moved}

    def members(ts, asg):
        return {t.title: sorted(text_of[a.statement_id] for a in asg if a.primary and a.theme_id == t.id)
                for t in ts}
    assert members(themes, assignments) == members(result[0], result[1])
    assert info["stability"] == result[3]["stability"]


def test_themes_do_not_move_with_line_endings(statements, embeddings, result):
    """The same CSV saved with Windows line endings (or stray spaces) gives the same themes."""
    crlf = [dataclasses.replace(s, text=" " + s.text.replace(" ", "\r\n", 1) + "\r\n") for s in statements]
    assert sum(a.text != b.text for a, b in zip(crlf, statements)) == len(statements)
    themes, assignments, _, info = registry.create("kilvoice.topics.bertopic.v1", **SETTINGS).run(
        crlf, embeddings, 7)
    members = {t.title: sorted(a.statement_id for a in assignments if a.primary and a.theme_id == t.id)
               for t in themes}
    assert members == {t.title: sorted(a.statement_id for a in result[1] if a.primary and a.theme_id == t.id)
                       for t in result[0]}
    assert info["stability"] == result[3]["stability"]


def test_outlier_bound_and_other_shown(result):
    themes, assignments, _, info = result
    other = next(t for t in themes if t.id == OTHER)
    assert info["outlier_share"] <= 0.10
    assert other.size == sum(1 for a in assignments if a.primary and a.theme_id == OTHER)


def test_every_statement_has_one_primary(statements, result):
    themes, assignments, rejects, _ = result
    used = [s.id for s in statements if s.id not in {r.item for r in rejects}]
    primaries = [a.statement_id for a in assignments if a.primary]
    assert sorted(primaries) == sorted(used)
    sizes = {t.id: t.size for t in themes}
    for t in themes:
        if t.id.startswith("T") or t.id == OTHER:
            assert sorted(t.representative) == sorted(
                a.statement_id for a in assignments if a.primary and a.theme_id == t.id)
            assert sizes[t.id] == len(t.representative)


def test_multilabel_secondary_assignments(statements, embeddings):
    stage = ThemeStage(secondary_threshold=0.0, secondary_margin=1.0, max_secondary=2,
                       stability=False, **SETTINGS)
    _, assignments, _, info = stage.run(statements, embeddings, 7)
    secondary = [a for a in assignments if not a.primary]
    assert secondary and info["n_secondary"] == len(secondary)
    primary_of = {a.statement_id: a.theme_id for a in assignments if a.primary}
    for a in secondary:
        assert a.theme_id != primary_of[a.statement_id] and a.theme_id.startswith("T")
    per_statement = {}
    for a in secondary:
        per_statement[a.statement_id] = per_statement.get(a.statement_id, 0) + 1
    assert max(per_statement.values()) <= 2


def test_rejects_empty_without_text(result):
    _, _, rejects, _ = result
    assert [(r.item, r.code) for r in rejects] == [("s_empty", "K701")]
    assert "PERSON" not in rejects[0].reason


def test_titles_specific_unique_and_clean(result):
    themes, _, _, _ = result
    titles = [t.title for t in themes]
    assert len(set(t.lower() for t in titles)) == len(titles)
    for t in themes:
        words = re.findall(r"[a-z']+", t.title.lower())
        assert t.title and not all(w in STOPWORDS or w == "and" for w in words)
        assert "[" not in t.title and "person" not in t.title.lower()
        for kw in t.keywords:
            assert not all(w in STOPWORDS for w in kw.split())
            assert not re.search(r"person|phone|_\d", kw)
        if t.size:
            assert t.description.endswith(".") and t.description.count(". ") <= 1


def test_hierarchy_parents(result):
    themes, _, _, _ = result
    parents = {t.id: t for t in themes if t.id.startswith("P")}
    children = [t for t in themes if t.id.startswith("T")]
    if len(children) >= 6:
        assert parents and all(t.parent in parents for t in children)
        assert sum(p.size for p in parents.values()) == sum(t.size for t in children)


def test_a_group_is_named_by_its_children_with_a_subject():
    """A catch-all child ("Mixed: work experience...") led its group's name ("Work experience and
    police"); its words now come after every other child's."""
    from kilvoice.topics import merge_by_depth

    lists = [["work experience", "allowance"], ["police", "estate"], ["friends group", "loneliness"]]
    assert merge_by_depth(lists, [True, False, False], 2) == [
        "police", "friends group", "estate", "loneliness", "work experience", "allowance"]
    assert merge_by_depth(lists, [False, False, False], 1) == ["work experience", "police", "friends group"]
    assert merge_by_depth([["bus", "fares"], ["bus", "pass"]], [False, False], 2) == ["bus", "fares", "pass"]


def test_title_coverage_counts_statements_using_a_title_phrase():
    texts = ["My bus passes are gone", "fare rises again", "the buses", "Fares!", "far away", "a pass"]
    assert title_coverage("Bus pass and fares", texts) == 3
    assert title_coverage("Libraries", ["the library", "Libraries shut", "librarian"]) == 2


def test_titles_name_their_themes(statements, result):
    """A phrase title names a theme when its statements use its head noun (phrase_coverage)."""
    from kilvoice.topics.phrases import phrase_coverage

    themes, assignments, _, _ = result
    text = {s.id: s.text for s in statements}
    for t in themes:
        if t.id.startswith("T"):
            named = phrase_coverage(t.title, [text[a.statement_id] for a in assignments
                                              if a.primary and a.theme_id == t.id])
            assert named >= 0.15 * t.size, (t.title, named, t.size)
            assert "title's words appear in only" not in t.description


def test_make_titles_never_duplicates():
    titles = make_titles([["bus", "route", "fares"], ["bus", "route", "fares"], ["bus"]])
    assert len(set(titles)) == 3
    assert titles[0] == "Bus and route"


def test_keyword_phrases_are_words_written_together():
    """"the youth club, the church" is not the phrase "club church"; nor does a phrase
    span a stopword ("care and attention") or a redaction placeholder."""
    words = PhraseAnalyzer(STOPWORDS)("The youth club, the church. Care and attention; rang [PERSON_1] waiting list")
    phrases = {w for w in words if " " in w}
    assert phrases == {"youth club", "waiting list"}
    assert {"youth", "club", "church", "care", "attention", "rang", "waiting", "list"} <= set(words)
    assert PhraseAnalyzer()("the bus") == ["the", "bus", "the bus"]  # no stopword list: every word


def test_a_phrase_ranks_above_the_word_it_mostly_carries():
    import pandas as pd

    docs = ["on the waiting list for months", "waiting list is long", "GP waiting list", "the list of shops",
            "waiting list again", "respite care"] * 2
    documents = pd.DataFrame({"Document": docs, "Topic": [0] * len(docs)})
    words = {0: [("list", 0.9), ("waiting", 0.8), ("respite", 0.5), ("waiting list", 0.4)]}
    ranked = CoverageKeywords(PhraseAnalyzer(STOPWORDS), top_n=10).extract_topics(None, documents, None, words)[0]
    assert [w for w, _ in ranked][:2] == ["waiting list", "list"]  # 8 of the 10 uses of "list"
    kept = CoverageKeywords(PhraseAnalyzer(STOPWORDS), top_n=10, absorb=0.9).extract_topics(None, documents, None, words)[0]
    assert [w for w, _ in kept][0] == "list"


def test_keywords_count_statements_not_themes():
    """BERTopic fits the vectorizer on one joined document per theme: with scikit-learn's
    min_df=2 there, a phrase only one theme uses ("waiting list") was dropped and the theme was
    titled "List and waiting". The floor now counts statements: kept when three say it."""
    from sklearn.feature_extraction.text import CountVectorizer

    from kilvoice.topics.labels import make_vectorizer

    waiting = ["physio waiting list is 9 months", "ESOL waiting list is over 200", "allotment waiting list of 40"]
    buses = ["the bus is late", "no bus after six", "bus fares went up", "green folk fiver", "green folk again"]
    texts = waiting + buses + [f"filler statement number {i}" for i in range(60)]
    vectorizer = make_vectorizer(texts)
    theme_docs = [" ".join(waiting), " ".join(buses)]
    vocab = set(vectorizer.fit(theme_docs).vocabulary_)
    assert {"waiting list", "waiting", "list", "bus"} <= vocab
    assert "green folk" not in vocab and "physio" not in vocab  # said in two statements, one
    old = CountVectorizer(analyzer=PhraseAnalyzer(STOPWORDS), min_df=2).fit(theme_docs + ["waiting for the bus"])
    assert "waiting" in old.vocabulary_ and "waiting list" not in old.vocabulary_
    assert "physio" in make_vectorizer(texts[:20]).fit(theme_docs).vocabulary_  # under 60 statements: every word


def test_a_run_reads_each_statement_once_and_gets_the_same_words():
    """The fits of one run share a memo of each statement's tokens (make_vectorizer(memo=)): a
    vectorizer with it counts the same words as one without, a clone shares it, the stop words
    key it, and joined theme documents are not kept in it."""
    from sklearn.base import clone

    from kilvoice.topics.labels import make_vectorizer

    texts = [f"The youth club, the church and bus {i}. Waiting list for [PERSON_1] again" for i in range(70)]
    texts += ["bus fares went up", "the waiting list is long", "youth club closed"] * 5
    plain = make_vectorizer(texts, exclude={"church"})
    memo: dict = {}
    kept = make_vectorizer(texts, exclude={"church"}, memo=memo)
    assert len(memo) == 1 and len(next(iter(memo.values()))) == len(set(texts))
    for a, b in [(plain, kept), (plain, clone(kept))]:
        ma, mb = a.fit_transform(texts), b.fit_transform(texts)
        assert a.vocabulary_ == b.vocabulary_ and (ma != mb).nnz == 0
    assert clone(kept).analyzer.memo is kept.analyzer.memo
    assert kept.analyzer(texts[0]) == plain.analyzer(texts[0]) and "church" not in kept.analyzer(texts[0])
    every = make_vectorizer(texts, stopwords=False, memo=memo)  # other stop words: its own entries
    assert len(memo) == 2 and "the" in every.analyzer(texts[0])
    joined = " ".join(texts)
    kept.analyzer(joined)
    assert joined not in memo[kept.analyzer.stop_words]


def test_theme_words_match_the_stage_test_statement_by_statement():
    """ThemeWords reads each document once; its coverage is keyword_coverage of its own keywords."""
    from kilvoice.topics.labels import make_vectorizer
    from kilvoice.topics.rescue import ThemeWords

    texts = ([f"the bus to town is late again {i}" for i in range(30)] + [f"library opening hours cut {i}" for i in range(30)]
             + [f"{a} {b}" for a, b in zip("park canal woods moor fields pond hill market shops road".split() * 2,
                                        "noise dogs litter bins parking benches trees lights signs paths".split() * 2)])
    labels = np.array([0] * 30 + [1] * 30 + [2] * 20)
    words = ThemeWords(texts, make_vectorizer(texts))
    kws = words.keywords(labels, [0, 1, 2])
    assert "bus" in kws[0] and "library" in kws[1]
    cov = words.coverage_of(labels, [0, 1, 2])
    for t in (0, 1, 2):
        assert cov[t] == pytest.approx(keyword_coverage(kws[t][:5], [x for x, lab in zip(texts, labels) if lab == t]))
    assert cov[0] == 1.0 and cov[2] < 0.5


def test_pick_keywords_drops_stopwords():
    assert pick_keywords([("the", 1.0), ("of the", 0.9), ("park", 0.8), ("park", 0.7)]) == ["park"]


def test_errors(statements, embeddings):
    with pytest.raises(KilvoiceError) as err:
        ThemeStage(colour="blue")
    assert err.value.code == "K704"
    with pytest.raises(KilvoiceError) as err:
        ThemeStage(n_themes="many")
    assert err.value.code == "K705"
    with pytest.raises(KilvoiceError) as err:
        ThemeStage().run(statements, embeddings[:5], 1)
    assert err.value.code == "K706"
    with pytest.raises(KilvoiceError) as err:
        ThemeStage().run(statements[:3], embeddings[:3], 1)
    assert err.value.code == "K403"
    with pytest.raises(KilvoiceError) as err:
        ThemeStage(reducer="tsne", stability=False).run(statements, embeddings, 1)
    assert err.value.code == "K702"


@pytest.mark.parametrize("text,question,expected", [
    ("I love the park, the staff are great.", "strong", "strength"),
    ("The youth club closed and there is nothing to do.", "strong", "problem"),
    ("It would be nice to have more benches.", "future", "aspiration"),
    ("The buses are dangerous at night, not enough lighting.", None, "problem"),
    ("We should reopen the library.", None, "aspiration"),
    ("The market on Saturdays.", "strong", "strength"),
    ("The market on Saturdays.", "future", "aspiration"),
])
def test_stance(text, question, expected):
    assert stance_of_text(text, question) == expected
    st = Statement(id="x", conversation_id="c", utterance_index=0, index=0, text=text, question=question)
    assert stance_of(st) == expected


def test_stance_counts(result):
    themes, _, _, _ = result
    for t in themes:
        assert set(t.stance) == {"strength", "problem", "aspiration"}
        assert sum(t.stance.values()) == t.size


def test_metrics():
    docs = ["bus route late", "bus route fares", "park trees", "park trees green"]
    analyzer = str.split
    assert npmi([["bus", "route"], ["park", "trees"]], docs, analyzer) == pytest.approx(1.0)
    assert npmi([["bus", "trees"]], docs, analyzer) == -1.0
    assert diversity([["a", "b"], ["b", "c"]]) == 0.75
    assert agreement([0, 0, 1, 1], [5, 5, -1, -1])["ari"] == 1.0


def test_theme_model_clone_and_params(embeddings):
    from sklearn.base import clone

    model = ThemeModel(n_themes=3, random_state=3)
    assert clone(model).get_params() == model.get_params()
    fitted = model.fit(embeddings)
    assert fitted is model and model.labels_.shape == (embeddings.shape[0],)
    assert model.transform(embeddings).shape == (embeddings.shape[0], model.n_themes_)
    again = clone(model).fit(embeddings)
    assert np.array_equal(again.labels_, model.labels_)
    assert not hasattr(clone(model), "labels_")


@parametrize_with_checks([ThemeModel(n_themes=3, min_themes=2, max_themes=4, n_components=4)])
def test_theme_model_estimator_contract(estimator, check):
    check(estimator)


def test_eval_topics_cli_json(tmp_path):
    import csv

    from click.testing import CliRunner

    from kilvoice.cli import main

    path = tmp_path / "tiny.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["comment", "theme"])
        for theme, texts in THEMES.items():
            writer.writerows([t, theme] for t in texts)
    args = ["eval", "topics", str(path), "--text-column", "comment", "--label-column", "theme", "--json",
            "--seed", "3", "--embedder", "tfidf"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout.strip().splitlines()[-1])
    for key in ("ari", "ami", "nmi", "n_topics", "outlier_share", "npmi", "diversity", "stability", "seconds"):
        assert key in result
    assert result["n_rows"] == 48 and result["n_topics"] >= 2
    assert 0 <= result["outlier_share"] <= 0.1 and 0 < result["diversity"] <= 1
    assert result["embedder"].startswith("tfidf")
    assert 0 <= result["themes_holding"] <= 1
    bad = CliRunner().invoke(main, ["eval", "topics", str(path), "--text-column", "nope", "--json"])
    assert bad.exit_code == 1 and "Error: K502" in bad.output


def test_eval_topics_output_writes_themes_and_row_assignments(tmp_path):
    import csv

    from click.testing import CliRunner

    from kilvoice.cli import main

    path = tmp_path / "tiny.csv"
    rows = [[t, theme] for theme, texts in THEMES.items() for t in texts]
    rows.insert(5, ["", "parks"])  # no text: skipped, and the rows after it keep their own numbers
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["comment", "theme"], *rows])
    out = tmp_path / "out"
    args = ["eval", "topics", str(path), "--text-column", "comment", "--label-column", "theme", "--json",
            "--seed", "3", "--embedder", "tfidf", "--output", str(out)]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 0, run.output
    result = json.loads(run.stdout.strip().splitlines()[-1])
    with (out / "themes.csv").open(newline="", encoding="utf-8") as f:
        themes = list(csv.DictReader(f))
    with (out / "assignments.csv").open(newline="", encoding="utf-8") as f:
        assigned = list(csv.DictReader(f))
    assert list(themes[0]) == ["id", "title", "description", "keywords", "size", "parent"]
    assert [t["title"] for t in themes if t["id"].startswith("T")] == result["titles"]
    assert all(t["title"] and t["keywords"] for t in themes if t["id"].startswith("T"))
    assert [int(a["row"]) for a in assigned] == [i for i, r in enumerate(rows) if r[0]]
    ids = {t["id"] for t in themes} | {"other"}
    assert {a["theme_id"] for a in assigned} <= ids
    for t in themes:  # each leaf theme's size is the number of rows whose primary theme it is
        if t["id"].startswith("T"):
            assert int(t["size"]) == sum(a["theme_id"] == t["id"] for a in assigned), t["id"]
    # joined to the gold labels by row number, the files give the scores the command printed
    gold = [rows[int(a["row"])][1] for a in assigned]
    again = agreement(gold, [a["theme_id"] for a in assigned])
    assert round(again["ari"], 4) == result["ari"] and round(again["ami"], 4) == result["ami"]
    shuffled = agreement(gold[1:] + gold[:1], [a["theme_id"] for a in assigned])
    assert round(shuffled["ari"], 4) != result["ari"]
    blocked = tmp_path / "a-file"
    blocked.write_text("x", encoding="utf-8")
    bad = CliRunner().invoke(main, args[:-1] + [str(blocked / "out")])
    assert bad.exit_code == 1 and "Error: K510" in bad.output


CORPORA = __import__("pathlib").Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


@pytest.mark.shared
@pytest.mark.skipif(not (CORPORA / "polis").is_dir(), reason="needs ../shared/corpora")
def test_eval_on_polis_bowling_green_outlier_bound(tmp_path):
    import csv

    from kilvoice.topics.evaluate import evaluate_topics

    src = CORPORA / "polis" / "american-assembly.bowling-green" / "comments.csv"
    path = tmp_path / "bg.csv"
    with src.open(newline="", encoding="utf-8") as f, path.open("w", newline="", encoding="utf-8") as g:
        writer = csv.writer(g)
        writer.writerow(["text"])
        writer.writerows([r["comment-body"]] for r in csv.DictReader(f) if r["moderated"] != "-1")
    result = evaluate_topics(path, "text", limit=300, seed=1)
    assert result["ari"] is None and result["n_rows"] == 300
    assert result["outlier_share"] <= 0.10 and 8 <= result["n_topics"] <= 25
    assert len(set(result["titles"])) == len(result["titles"])


def test_stopword_only_statements_still_get_clean_titles():
    from kilvoice.embed import StaticEmbedder

    texts = ["it is what it is"] * 4 + ["we are where we are"] * 4
    st = [Statement(id=f"s{i}", conversation_id="c", utterance_index=0, index=i, text=t) for i, t in enumerate(texts)]
    themes, assignments, _, _ = ThemeStage(stability=False).run(st, StaticEmbedder().encode(texts), 1)
    assert sum(a.primary for a in assignments) == len(texts)
    assert all(not set(t.title.lower().split()) <= STOPWORDS for t in themes)


def test_titles_do_not_repeat_a_word_in_plural():
    titles = make_titles([["bus late", "buses", "route"], ["park", "park park", "parks", "trees"]])
    assert titles == ["Bus late and route", "Park and trees"]


def test_descriptions_never_quote_statements(statements, result):
    themes, _, _, _ = result
    texts = [s.text.lower() for s in statements]
    for t in themes:
        assert '"' not in t.description
        for text in texts:
            if len(text.split()) >= 5:
                assert text.rstrip(".") not in t.description.lower()


def test_title_phrases_drop_generic_and_non_nouns():
    from kilvoice.topics.labels import title_phrases

    nouns = {"work": 1.0, "kids": 1.0, "waiting": 0.1, "youth": 0.6, "club": 1.0, "list": 1.0, "bus": 1.0}
    assert title_phrases(["work", "kids", "waiting", "youth club", "waiting list", "bus"], nouns) == [
        "youth club", "waiting list", "bus"]
    # without a tagger only generic words go; with nothing left, keywords are kept
    assert title_phrases(["work", "waiting"], {}) == ["waiting"]
    assert title_phrases(["work"], {}) == ["work"]


def test_make_description_describes_stance_without_quotes():
    from kilvoice.topics.labels import make_description

    d = make_description(["buses", "the 110 route", "bus pass"], {"strength": 1, "problem": 2, "aspiration": 7}, 10)
    assert d == "10 statements about buses, the 110 route and bus pass; mostly aspirations."


def test_titles_never_a_generic_word_alone(result):
    from kilvoice.topics.labels import GENERIC

    themes, _, _, _ = result
    for t in themes:
        if t.id == OTHER:
            continue
        parts = [p.strip().lower() for p in re.split(r",| and ", t.title) if p.strip()]
        assert not all(p in GENERIC for p in parts), t.title


def test_common_answer_is_a_short_answer_given_word_for_word_in_several_conversations():
    texts = ["Nothing.", "nothing", "NOTHING!", "Nothing in my case.", "Everything was good"]
    assert common_answer(texts) == ("Nothing", 3)
    assert common_answer(texts[:3], groups=["c1", "c1", "c2"]) == ("", 0)  # two conversations only
    assert common_answer(["Call [PERSON_1]"] * 4) == ("", 0)  # never a redacted value
    assert common_answer(["the buses into town are far too dear for families"] * 4) == ("", 0)  # too long


def test_keyword_coverage_counts_statements_using_any_keyword():
    texts = ["The buses are late", "bus pass gone", "a pass", "the library", "Pass the bus"]
    assert keyword_coverage(["bus"], texts) == 3 / 5
    assert keyword_coverage(["bus pass"], texts) == 2 / 5
    assert keyword_coverage([], texts) == 0.0


def _named(title, keywords, texts):
    stmts = [Statement(id=f"s{i}", conversation_id=f"c{i}", utterance_index=0, index=0, text=t)
             for i, t in enumerate(texts)]
    stances = [stance_of(s) for s in stmts]
    return ThemeStage()._name("T01", title, keywords, np.arange(len(stmts)), stmts, stances, 0,
                              list(keywords))


def test_a_theme_of_one_repeated_answer_is_titled_with_it():
    theme = _named("Work hard and absolutely", ["absolutely", "work hard"],
                   ["Nothing."] * 8 + ["Nothing!", "They work hard", "Absolutely nothing to add", "All fine"])
    assert theme.title == '"Nothing"'
    assert theme.description.startswith('12 statements; 9 of them say only "Nothing", the others mention absolutely')


def test_a_theme_whose_statements_share_no_keyword_is_called_mixed():
    texts = [f"remark number {w} about something" for w in
             ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]]
    texts += ["the bus was late", "a bus pass"]
    theme = _named("Bus and pass", ["bus", "pass", "late", "zebra", "yak"], texts)
    assert theme.title == "Mixed: bus and pass"
    assert "Only 2 of its 12 statements use any of its five main keywords" in theme.description
    focused = _named("Bus and pass", ["bus", "pass", "late", "zebra", "yak"], texts[-2:] * 6)
    assert focused.title == "Bus and pass" and "Only" not in focused.description


def test_a_theme_all_giving_one_answer_says_so_without_others():
    theme = _named("Absolutely", ["absolutely"], ["Nothing."] * 6 + ["nothing!"] * 4)
    assert theme.title == '"Nothing"'
    assert theme.description.startswith('10 statements; 10 of them say only "Nothing"')
    assert "others" not in theme.description and theme.description.endswith(".")

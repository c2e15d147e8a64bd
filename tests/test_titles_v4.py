"""The "phrases4" labeller: titles many statements carry, no general heads, residents' casing, a
title to the theme it fits best; groups without catch-alls and never a list of unrelated titles."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from kilvoice import registry
from kilvoice.records import is_catch_all
from kilvoice.topics import phrases3, phrases4
from kilvoice.topics.groups import form_groups
from kilvoice.topics.phrases import (GROUP_OTHER, Phrase, Postings, ScoredPhrase, group_title, key_of,
                                     pick_titles)
from test_titles import inputs, needs_parser  # noqa: F401 - the module fixture
from test_topics import SETTINGS


def phrase(text: str) -> Phrase:
    key = key_of(text)
    return Phrase(key, key[-1], Counter({text: 1}))


def _theme():
    """60 statements: the first 40 a theme in which 28 say "bus fares" and 3 "phone calls"."""
    texts = ([f"The bus fares went up again, number {i}." for i in range(28)]
             + [f"Phone calls to the depot go unanswered {i}." for i in range(3)]
             + [f"Something else entirely {i}." for i in range(9)]
             + [f"The library opening hours {i}." for i in range(20)])
    return texts, Postings(texts), np.arange(40)


def test_a_title_few_statements_carry_ranks_after_one_many_carry():
    texts, postings, members = _theme()
    cands = {ph.key: ph for ph in (phrase("phone calls"), phrase("bus fares"))}
    centroid = np.array([1.0, 0.0], dtype=np.float32)
    # "phone calls" is nearer the centroid: phrases3 takes it, though 3 of the 40 statements say it
    vectors = {("phone", "call"): np.array([1.0, 0.0]), ("bus", "fare"): np.array([0.3, 0.95])}
    assert phrases3.score_phrases(cands, members, postings, centroid, vectors)[0].phrase.text == "phone calls"
    ranked = phrases4.score_phrases(cands, members, postings, centroid, vectors)
    assert [sp.phrase.text for sp in ranked] == ["bus fares", "phone calls"]
    assert [sp.tier for sp in ranked] == [0, 1]
    # when no phrase reaches COVER_MIN, the best stays
    only = {("phone", "call"): cands[("phone", "call")]}
    assert phrases4.score_phrases(only, members, postings, centroid, vectors)[0].phrase.text == "phone calls"


@pytest.mark.parametrize("text", ["Change", "Rights", "Workers", "Long time", "Better people", "Good progress",
                                  "Length of time", "Weeks and 5 days", "Past year", "Individual positions"])
def test_general_heads(text):
    assert phrases4.general(phrase(text.lower()))


@pytest.mark.parametrize("text", ["Climate change", "Human rights", "Key workers", "Waiting times",
                                  "Appointment times", "Bus fares", "Time for the bus", "Friends group"])
def test_specific_phrases_are_not_general(text):
    assert not phrases4.general(phrase(text.lower()))


def test_a_general_head_ranks_after_a_specific_phrase_of_the_same_cover():
    texts = [f"Climate change worries me {i}." for i in range(10)] + [f"Other things {i}." for i in range(10)]
    postings, members = Postings(texts), np.arange(10)
    cands = {ph.key: ph for ph in (phrase("change"), phrase("climate change"))}
    vectors = {("change",): np.array([1.0, 0.0]), ("climate", "change"): np.array([0.6, 0.8])}
    ranked = phrases4.score_phrases(cands, members, postings, np.array([1.0, 0.0], np.float32), vectors)
    assert [sp.phrase.text for sp in ranked] == ["climate change", "change"]


def test_casing_is_the_one_residents_use_never_one_statement_s_shouting():
    texts = ["Co2 CARBON EMISSIONS MUST FALL.", "We need lower carbon emissions now.",
             "The carbon emissions from the plant.", "I love the coffee bar.", "The Coffee Bar is great.",
             "the coffee bar opens late", "Trips to Wakefield are cheap.", "I went to Wakefield.", "Use the NHS app."]
    words = {"co2", "carbon", "emissions", "coffee", "bar", "wakefield", "nhs"}
    casings = phrases4._casings(texts, words)
    assert phrases4.recase("Co2 CARBON EMISSIONS", casings) == "CO2 carbon emissions"
    assert phrases4.recase("Coffee Bar", casings) == "coffee bar"
    assert phrases4.recase("trips to wakefield", casings) == "trips to Wakefield"
    assert phrases4.recase("nhs app", casings) == "NHS app"
    # a word only one statement writes, in capitals of more than four letters: lower case
    assert phrases4.recase("RECYCLING", phrases4._casings(["RECYCLING IS KEY"], {"recycling"})) == "recycling"


def test_a_title_goes_to_the_theme_it_fits_best():
    exp = phrase("experience")
    first = [ScoredPhrase(exp, 0.008, 3, tier=1)]
    second = [ScoredPhrase(exp, 0.019, 5, tier=1)]
    # phrases3: the larger (first) theme takes it and the one it names better is left with nothing
    assert [t for t, _ in pick_titles([first, second], [{}, {}], [228, 147])] == ["Experience", "Mixed statements"]
    assert [t for t, _ in phrases4.pick_titles([first, second], [{}, {}], [228, 147])] == ["Mixed statements",
                                                                                           "Experience"]
    # the tier comes before the score: a phrase a theme's statements carry goes to that theme
    carried = [ScoredPhrase(exp, 0.001, 30, tier=0)]
    assert [t for t, _ in phrases4.pick_titles([carried, second], [{}, {}], [228, 147])] == ["Experience",
                                                                                             "Mixed statements"]
    # a theme that loses asks for its next phrase
    second = [ScoredPhrase(exp, 0.019, 5, tier=1), ScoredPhrase(phrase("ward staff"), 0.01, 4, tier=1)]
    assert [t for t, _ in phrases4.pick_titles([carried, second], [{}, {}], [228, 147])] == ["Experience",
                                                                                             "Ward staff"]


def test_catch_alls_stand_alone_when_groups_leave_them_out():
    rng = np.random.default_rng(0)
    centres = np.eye(3)
    cents = np.vstack([centres[i % 3] + 0.05 * rng.standard_normal(3) for i in range(8)] + [np.ones(3)])
    flags = [False] * 8 + [True]
    before = form_groups(cents, flags, group_catch_alls=True)
    assert any(8 in g and len(g) > 1 for g in before)  # average linkage puts it somewhere
    after = form_groups(cents, flags, group_catch_alls=False)
    assert [8] in after and sorted(p for g in after for p in g) == list(range(9))
    assert [g for g in after if 8 not in g] == [[p for p in g if p != 8] for g in before if [p for p in g if p != 8]]


def test_a_group_sharing_nothing_lists_two_children_and_is_no_group_beyond():
    """With ``list_max`` a group of more children that share nothing gets no title (None): the
    theme stage then shows each alone; it never lists unrelated titles nor names a catch-all."""
    postings = Postings(["a"] * 4)
    empty = [np.arange(2), np.arange(2, 4)]
    three = ["Phone calls", "Higher education", "Canal festival"]
    assert group_title(empty, [[], []], postings, set(), child_titles=three) == "Phone calls, Higher education and 1 more"
    assert group_title(empty, [[], []], postings, set(), child_titles=three, list_max=2) is None
    assert group_title(empty, [[], []], postings, {GROUP_OTHER.lower()}, child_titles=three,
                       list_max=2) is None
    assert group_title(empty, [[], []], postings, set(), child_titles=three, list_max=3) == (
        "Phone calls, Higher education and 1 more")
    assert group_title(empty, [[], []], postings, set(), child_titles=three[:2], list_max=2) == (
        "Phone calls / Higher education")
    long = ["Waiting times for GP appointments at the surgery", "Street lighting on the towpath by the lane"]
    assert group_title(empty, [[], []], postings, set(), child_titles=long, list_max=2) is None
    six = ["Waiting times for GP appointments at the surgery", "Parks", "Buses"]  # once "3 themes"
    assert group_title(empty, [[], []], postings, set(), child_titles=six) == "3 themes"
    assert group_title(empty, [[], []], postings, set(), child_titles=six, list_max=2) is None
    assert group_title(empty, [[], []], postings, set()) == GROUP_OTHER  # no titles, no list_max: as before
    # children that share a phrase are named by it, list_max or not
    shared = Postings(["bus fares", "bus stops", "bus lanes", "late bus"])
    cands = [[ScoredPhrase(Phrase(("bus",), "bus", Counter({"bus": 1})), 1.0, 2)]] * 2
    assert group_title(empty, cands, shared, set(), child_titles=three, list_max=2) == "Bus"


@needs_parser
def test_stage_with_phrases4_and_groups_without_catch_alls(inputs):  # noqa: F811 - the fixture
    from kilvoice.embed import StaticEmbedder

    stage = registry.create("kilvoice.topics.bertopic.v1", **{**SETTINGS, "labeller": "phrases4",
                                                                "group_catch_alls": False})
    themes, assignments, _, info = stage.run(*inputs, 7, embed=StaticEmbedder().encode)
    assert info["params"]["group_catch_alls"] is False and info["params"]["labeller"] == "phrases4"
    children = [t for t in themes if t.id.startswith("T")]
    titles = [t.title for t in children]
    assert len(set(t.lower() for t in titles)) == len(titles)
    groups = [t for t in themes if t.id.startswith("P")]
    for t in children:
        if is_catch_all(t.title) or t.title.startswith('"'):
            assert t.parent is None
    for g in groups:
        held = [t for t in children if t.parent == g.id]
        assert len(held) >= 2
        assert " more" not in g.title and not g.title.endswith(" themes")
        assert not g.title.endswith("community issues")  # themes sharing nothing are no group
        assert len(g.title.split()) <= 8

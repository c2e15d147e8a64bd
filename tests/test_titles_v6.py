"""The "phrases6" labeller: what residents said of a subject (kilvoice.topics.phrases6)."""
from __future__ import annotations

import numpy as np
import pytest

from kilvoice.tagger import load_parser
from kilvoice.topics import phrases5, phrases6
from kilvoice.topics.phrases import Postings, key_of
from test_titles import inputs, needs_parser  # noqa: F401 - the module fixture
from test_titles_v5 import stage_themes

AMBULANCE = [
    "The ambulance took more than 2 hours to arrive.", "Ambulance arrived in less than 1hr and the crew were kind.",
    "The ambulance arrived 6 hours after the call.", "Ambulance arrived pretty quickly.",
    "It took 3 hrs for the ambulance to come.", "The ambulance came within 20mins of me calling.",
]


@pytest.mark.parametrize("text, subjects", [
    ("The ambulance took more than 2 hours to arrive.", ["waiting time for an ambulance"]),
    ("It took 3 hrs for the ambulance to come.", ["waiting time for an ambulance"]),
    ("The buses are always late.", ["waiting time for buses"]),
    ("The nurse turned up late.", ["waiting time for a nurse"]),
    # no arrival: how long something took is not a wait for it
    ("The council took 6 weeks to reply.", []),
    ("The council spent months trying to get permission.", []),
    ("The engineer came in the morning.", []),  # a time of day, no span
    ("The weather turned quickly.", []),
])
@needs_parser
def test_waiting_time_is_said_of_what_arrives(text, subjects):
    doc = load_parser()(text)
    assert [phrases6._waiting_title(s) for s in phrases6._timed_subjects(doc)] == subjects


@needs_parser
def test_waiting_time_candidate_stands_for_the_subject_said_with_a_time():
    texts = AMBULANCE + ["The ambulance crew were lovely.", "Paramedics were kind.", "The ambulance was clean."]
    docs = list(load_parser().pipe(texts))
    found = phrases6.candidates(docs, frozenset(), texts)
    ph = found[key_of("waiting time for an ambulance")]
    assert ph.text == "waiting time for an ambulance" and ph.cover == ("ambulance", phrases6.TIMED)
    postings = phrases6._Timed(Postings(texts))
    # those that say a span of time or a speed in a word, not the crew, the paramedics or the
    # cleaning; a figure glued to its unit ("1hr", "20mins") is no word the postings hold
    assert postings.using(ph.cover).tolist() == [True, False, True, True, True, False, False, False, False]
    assert key_of("waiting time for an ambulance") not in phrases5.candidates(docs, frozenset(), texts)


@pytest.mark.parametrize("title, stance, expected", [
    ("Excellent service", {"strength": 40, "problem": 10}, "Praise for the service"),
    ("Good staff", {"strength": 40, "problem": 20}, "Praise for the staff"),
    ("Very good buses", {"strength": 30, "problem": 5}, "Praise for buses"),
    ("Excellent GP", {"strength": 30}, "Praise for the GP"),
    ("Lovely Wakefield", {"strength": 30}, "Praise for Wakefield"),
    ("Poor service", {"strength": 5, "problem": 30}, "Problems with the service"),
    ("Excellent service", {"strength": 20, "problem": 15}, None),  # no lean: the title stands
    ("Excellent service", {"strength": 5, "problem": 30}, None),  # praise word, a theme of problems
    ("Friendly staff", {"strength": 40}, None),  # an aspect, not a verdict
    ("Service", {"strength": 40}, None),
    ("Excellent", {"strength": 40}, None),  # no subject left
])
def test_a_verdict_title_says_what_the_theme_leans_to(title, stance, expected):
    assert phrases6.verdict_title(title, stance) == expected


def test_verdict_titles_in_picking():
    from collections import Counter

    from kilvoice.topics.phrases import Phrase, ScoredPhrase

    ph = Phrase(key_of("excellent service"), "service", Counter({"excellent service": 1}), plain=False)
    ranked = [[ScoredPhrase(ph, 1.0, 10)]]
    assert phrases6.pick_titles(ranked, [{"strength": 30, "problem": 5}], [40])[0][0] == "Praise for the service"
    assert phrases5.pick_titles(ranked, [{"strength": 30, "problem": 5}], [40])[0][0] == "Excellent service"


@needs_parser
def test_no_candidate_glues_a_symbol_to_a_word():
    """"Candidates by% of votes" (a real mix): the tokenizer keeps "by%" as one token."""
    texts = ["If electoral college stays, then they should be divided among candidates by% of votes earned.",
             "Seats divided among candidates by% of votes.", "The general election candidates."]
    docs = list(load_parser().pipe(texts))
    six = [ph.text for ph in phrases6.candidates(docs, frozenset(), texts).values()]
    assert six and not any("%" in t for t in six)
    assert any("%" in ph.text for ph in phrases5.candidates(docs, frozenset(), texts).values())


def test_a_phrase_said_only_in_one_repeated_sentence_is_screened_out():
    from collections import Counter

    from kilvoice.topics.phrases import Phrase

    texts = ["Tracking the public attitudes will go on at regular points."] * 2 + [
        "Public transport attitudes matter.", "Regular buses please.", "Attitudes to buses."]
    found = {key_of(t): Phrase(key_of(t), key_of(t)[-1], Counter({t: 1}))
             for t in ("public attitudes", "regular points", "attitudes", "buses")}
    kept = phrases6.screen(found, texts)
    # "regular points": two statements, one sentence; "public attitudes": two different sentences
    assert set(kept) == {key_of("public attitudes"), key_of("attitudes"), key_of("buses")}


def test_two_themes_that_share_nothing_are_no_group():
    from kilvoice.topics.labellers import labeller
    from kilvoice.topics.phrases import group_title

    postings = Postings(["a school", "the children"])
    empty = [np.array([0]), np.array([1])]
    two = ["Excellent service", "Mental health"]
    five = labeller("phrases5")
    assert group_title(empty, [[], []], postings, set(), child_titles=two, list_max=five.group_list_max,
                       own_top=five.group_own_top) == "Excellent service / Mental health"
    six = labeller("phrases6")
    assert group_title(empty, [[], []], postings, set(), child_titles=two, list_max=six.group_list_max,
                       own_top=six.group_own_top) is None


@needs_parser
def test_stage_with_phrases6(inputs):  # noqa: F811 - the fixture
    themes = stage_themes(inputs, "phrases6")
    assert not any(" / " in t.title for t in themes if t.id.startswith("P"))

"""The "phrases9" labeller: a catch-all named by the stance most of it says, "nothing to improve" read
as praise, and a negated problem word ("could not fault") no subject (kilvoice.topics.phrases9)."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from kilvoice.records import Statement
from kilvoice.topics import phrases7, phrases8, phrases9
from kilvoice.topics.phrases import Phrase, ScoredPhrase, key_of
from test_titles import inputs, needs_parser  # noqa: F401 - the module fixture
from test_titles_v5 import stage_themes


@pytest.mark.parametrize("text, stance", [
    ("You could have not done anything better.", "strength"),  # phrases7: a problem ("not")
    ("I don't feel like anything could have been done any better.", "strength"),
    ("Everything was champion, nothing in my opinion needs to change.", "strength"),
    ("No change necessary", "strength"),
    ("No one could do better.", "strength"),
    ("Cannot think of anything off hand.", None),  # a null answer: no stance
    ("Nothing at the minute.", None),
    ("At the moment, nothing.", None),
    ("No suggestions", None),
    ("Nothing was done about it.", "problem"),  # what is not said of an improvement stays a problem
    ("The service is not getting better.", "problem"),
    ("Nothing has been explained to me and no one listened.", "problem"),
])
def test_nothing_to_improve_is_praise_and_a_null_answer_no_stance(text, stance):
    assert phrases9.said_stances([text]) == ({stance: 1} if stance else {})


def test_phrases7_read_those_answers_as_problems():
    texts = ["You could have not done anything better.", "Cannot think of anything off hand.", "No change necessary"]
    assert phrases7.said_stances(texts) == {"problem": 3}
    assert phrases9.said_stances(texts) == {"strength": 2}


def test_a_catch_all_that_leans_is_named_by_its_stance():
    assert phrases9.catch_all_name({"strength": 80, "problem": 30}, 190) == "mostly praise"
    assert phrases9.catch_all_name({"strength": 10, "problem": 90}, 150) == "mostly complaints"
    assert phrases9.catch_all_name({"strength": 60, "problem": 40}, 190) is None  # no lean (< 2/3)
    assert phrases9.catch_all_name({"strength": 80, "problem": 10}, 200) is None  # too few say a stance
    assert phrases9.catch_all_name({}, 0) is None


def _catch_all(labeller, taken=frozenset()):
    """The theme stage's naming of a catch-all (none of its five keywords in a quarter of it) whose
    statements mostly say there is nothing to improve; its phrase title is "Fault"."""
    from kilvoice import registry
    from kilvoice.topics.labellers import labeller as named

    texts = ["Could not fault them.", "Nothing could have been better.", "You could have not done anything better.",
             "Everything was perfect.", "No complaints at all.", "The wait was long.", "Parking is awful.",
             "Lovely staff.", "No change necessary.", "I was very happy.", "Spot on.", "The food was cold."]
    stmts = [Statement(id=f"s{i}", conversation_id=f"c{i}", utterance_index=0, index=0, text=t)
             for i, t in enumerate(texts)]
    stage = registry.create("kilvoice.topics.bertopic.v1", labeller=labeller)
    mixed = named(labeller).catch_all_name()
    counts = named(labeller).said_stances()(texts)
    label = {"about": "fault", "said": [], "approx": False, "cover": None, "stands_for": None,
             "catch_all": mixed(counts, len(texts)) if mixed else None}
    kw = ["fault", "perfect", "ambulance", "ward", "doctor"]  # 2 of the 12 use one: "Mixed" by keywords
    return stage._name("T01", "Fault", kw, np.arange(len(stmts)), stmts, ["strength"] * len(stmts), 0, [],
                       taken=taken, label=label).title


def test_the_stage_names_a_leaning_catch_all_by_its_stance():
    assert _catch_all("phrases9") == "Mixed: mostly praise"
    assert _catch_all("phrases8") == "Mixed: fault"  # as before
    # a second catch-all that leans the same way keeps its keyword: no two titles the same
    assert _catch_all("phrases9", taken=frozenset({"mixed: mostly praise"})) == "Mixed: fault"


def _found(*texts):
    return {key_of(t): Phrase(key_of(t), key_of(t)[-1], Counter({t: 1})) for t in texts}


def test_a_problem_word_said_negated_is_no_subject():
    praise = ["Could not fault them.", "Can't fault the team.", "I couldn't fault it.", "No faults.",
              "The team were great.", "It's not the fault of the crew."]
    screened = phrases9.screen(_found("fault", "team"), praise)
    assert key_of("fault") not in screened and key_of("team") in screened
    assert key_of("fault") in phrases8.screen(_found("fault", "team"), praise)
    complaints = ["The fault was never fixed.", "A fault in the lift.", "Could not fault them.", "Report the fault."]
    assert key_of("fault") in phrases9.screen(_found("fault"), complaints)  # mostly a fault: a subject


def _sp(text, tier, count):
    return ScoredPhrase(Phrase(key_of(text), key_of(text)[-1], Counter({text: 1})), 0.1, count, tier=tier)


def test_general_praise_goes_to_the_theme_most_nearly_all_praise():
    """Two themes with no subject leaning to praise: phrases8 gives "General praise" to the larger,
    phrases9 to the one more of whose statements say it; the other asks for its next title."""
    big = [_sp("comments", 2, 3), _sp("occasion", 6, 3)]
    small = [_sp("nice crew", 2, 4), _sp("crew", 2, 9)]
    stances = [{"strength": 85, "problem": 20}, {"strength": 91, "problem": 7}]
    old = [t for t, _ in phrases8.pick_titles([big, small], stances, [190, 127])]
    new = [t for t, _ in phrases9.pick_titles([big, small], stances, [190, 127])]
    assert old[0] == "General praise" and old[1] != "General praise"
    assert new[1] == "General praise" and new[0] == "Comments"


@needs_parser
def test_stage_with_phrases9(inputs):  # noqa: F811 - the fixture
    themes = stage_themes(inputs, "phrases9")
    assert [t.title for t in themes] == [t.title for t in stage_themes(inputs, "phrases8")]  # nothing to praise here


def _carried(text, head, tier, count, carried, score):
    sp = ScoredPhrase(Phrase(key_of(text), head, Counter({text: 1})), score, count, tier=tier)
    sp.carried = carried
    return sp


def test_a_name_is_carried_by_its_whole_name():
    """The samples' street-care theme (85 statements) was "Pit Lane": a street said in 2 of them, carried
    by every "lane"."""
    street = [_carried("Pit Lane", "lane", 2, 2, 8, 0.101), _carried("main road", "road", 2, 2, 6, 0.095),
              _carried("lanes", "lane", 2, 8, 8, 0.080)]
    assert [sp.phrase.text for sp in phrases9.rerank(street)] == ["main road", "lanes", "Pit Lane"]
    said = [_carried("Kelvale General", "general", 0, 9, 9, 0.2), _carried("wards", "ward", 0, 10, 10, 0.1)]
    assert phrases9.rerank(said)[0].phrase.text == "Kelvale General"  # said whole by as many: a subject
    title_case = [_carried("Members of Parliament", "member", 0, 2, 10, 0.2), _carried("MPs", "mp", 0, 9, 9, 0.1)]
    assert phrases9.rerank(title_case)[0].phrase.text == "Members of Parliament"  # its head is its first word

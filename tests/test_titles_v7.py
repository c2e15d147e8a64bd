"""The "phrases7" labeller: the manner, the action and the stance residents said (kilvoice.topics.phrases7)."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from kilvoice.records import Statement
from kilvoice.tagger import load_parser
from kilvoice.topics import phrases, phrases6, phrases7
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, joins_different_statements, key_of
from test_titles import inputs, needs_parser  # noqa: F401 - the module fixture
from test_titles_v5 import stage_themes

# how drivers were, mostly without naming them ("They were very helpful")
DRIVERS = [
    "Very helpful and pleasant.", "The driver was very helpful.", "Pleasant and polite.",
    "They were helpful and kind.", "Helpful and pleasant to talk to.", "Very polite and helpful.",
    "The driver was pleasant.", "Extremely helpful people.", "Always on time.", "The car was clean.",
]


def _found(texts):
    docs = list(load_parser().pipe(texts))
    return phrases7.candidates(docs, frozenset(), texts)


@needs_parser
def test_a_theme_of_manner_is_titled_by_the_manner_of_staff():
    found = _found(DRIVERS)
    ph = found[key_of("helpful, pleasant staff")]
    assert ph.text == "helpful, pleasant staff"  # "driver": named by 2 of the 8 that say a manner
    said = phrases7._AnyOf(Postings(DRIVERS)).using(ph.cover)
    assert said.tolist() == [True] * 8 + [False, False]
    # the two manners are said together by one statement: no "X and Y" of different statements
    assert not joins_different_statements("Helpful, pleasant staff", DRIVERS)


@needs_parser
def test_the_manner_title_keeps_the_people_most_of_it_names():
    texts = ["The drivers were very helpful.", "Helpful and polite drivers.", "Our driver was polite and helpful.",
             "A polite driver.", "Drivers are friendly and helpful.", "The bus was late."]
    ph = _found(texts)[key_of("helpful, polite drivers")]
    # the residents' own wording of it kept, standing for every statement saying a manner
    assert ph.text == "helpful and polite drivers" and ph.cover == (phrases7.any_of(["friendly", "helpful", "polite"]),)


@needs_parser
def test_no_manner_title_where_few_say_a_manner():
    texts = ["The buses are late.", "Bus fares are too high.", "More evening buses.", "The driver was helpful.",
             "Buses to the hospital.", "Cheaper fares for students.", "The bus station is dirty."]
    assert not any(ph.text.endswith(" staff") for ph in _found(texts).values())


@needs_parser
def test_what_was_done_is_a_title_and_a_demand_is_not():
    listened = ["They listened to me.", "Listening to my concerns.", "She listened and explained.",
                "The nurse listened carefully.", "Not listening to patients.", "Clear advice from the nurse."]
    ph = _found(listened)[key_of("listening")]
    assert ph.text == "listening"
    assert phrases7._AnyOf(Postings(listened)).using(ph.cover).tolist() == [True] * 5 + [False]
    # "Ban the sale of ...": a demand in the base form (phrases2's verb phrases title it), no "Banning"
    banned = ["Ban the sale of fireworks.", "Ban fireworks now.", "Banning fireworks would help pets.",
              "Ban all private fireworks.", "Fireworks scare animals."]
    assert key_of("banning") not in _found(banned)


@pytest.mark.parametrize("text, stance", [
    ("Nothing.", {}),  # a null answer says no stance ...
    ("Can't think of anything", {}),
    ("No complaints at all", {"strength": 1}),  # ... a negated problem says praise
    ("Nothing could have been done better", {"strength": 1}),
    ("I don't think you could do anything better.", {"strength": 1}),
    ("No improvement needed", {"strength": 1}),
    ("Could not fault it", {"strength": 1}),
    ("Nothing, it was perfect.", {"strength": 1}),
    ("The bus is no better than before", {"problem": 1}),  # "no better than" is a complaint
    ("Not enough buses, it needs improving", {"problem": 1}),
    ("No buses on Sunday", {"problem": 1}),
    ("The staff were lovely", {"strength": 1}),
])
def test_a_negated_problem_is_praise_and_a_null_answer_no_stance(text, stance):
    assert phrases7.said_stances([text]) == stance


def test_the_old_reading_counted_negated_problems_as_problems():
    texts = ["Nothing.", "No complaints at all", "Nothing could have been done better", "Could not fault it"]
    assert phrases.said_stances(texts) == {"problem": 4}
    assert phrases7.said_stances(texts) == {"strength": 3}


def _scored(text, tier, count=3):
    return ScoredPhrase(Phrase(key_of(text), key_of(text)[-1], Counter({text: 1})), 0.1, count, tier=tier)


def test_a_theme_of_opinion_alone_is_general_praise():
    loose = [_scored("improvement", 2), _scored("experience", 6)]  # neither carried by a tenth of it
    sp = phrases7.opinion(loose, {"strength": 133, "problem": 27}, 217)
    assert sp.phrase.text == "general praise" and sp.phrase.stands_for == 133
    assert phrases7.pick_titles([loose], [{"strength": 133, "problem": 27}], [217])[0][0] == "General praise"
    assert phrases7.opinion(loose, {"strength": 20, "problem": 100}, 150).phrase.text == "general complaints"
    # a carried subject keeps its title; no lean, or too few saying a stance: no opinion title
    assert phrases7.opinion([_scored("ambulance", 0)] + loose, {"strength": 133, "problem": 27}, 217) is None
    assert phrases7.opinion(loose, {"strength": 80, "problem": 60}, 217) is None
    assert phrases7.opinion(loose, {"strength": 60, "problem": 5}, 217) is None
    assert phrases6.pick_titles([loose], [{"strength": 133, "problem": 27}], [217])[0][0] == "Improvement"


def _name(label, kw):
    from kilvoice import registry

    texts = ["Everything was perfect.", "No complaints at all.", "Could not fault it.", "All good, thank you.",
             "Spot on.", "It was all excellent.", "Brilliant from start to finish.", "Nothing to improve.",
             "Everything was great.", "Very happy with it all.", "Top marks.", "Well done everyone."]
    stmts = [Statement(id=f"s{i}", conversation_id=f"c{i}", utterance_index=0, index=0, text=t)
             for i, t in enumerate(texts)]
    stage = registry.create("kilvoice.topics.bertopic.v1", labeller="phrases7")
    idx = np.arange(len(stmts))
    return stage._name("T01", "General praise", kw, idx, stmts, ["strength"] * len(stmts), 0, [], label=label)


def test_general_praise_is_no_catch_all_when_that_many_say_it():
    kw = ["perfect", "spot", "wonderful", "superb", "lovely"]  # 2 of the 12 use one: "Mixed" by keywords
    label = {"about": "general praise", "said": [], "approx": False, "cover": None}
    assert _name({**label, "stands_for": 9}, kw).title == "General praise"
    assert _name({**label, "stands_for": 2}, kw).title == "Mixed: general praise"
    assert _name(label, kw).title == "Mixed: general praise"  # phrases6's label: the keyword test alone


@needs_parser
def test_stage_with_phrases7(inputs):  # noqa: F811 - the fixture
    themes = stage_themes(inputs, "phrases7")
    assert not any(" / " in t.title for t in themes if t.id.startswith("P"))


def test_a_near_tie_goes_to_the_phrase_more_statements_say(monkeypatch):
    """"Clear advice" (3 statements say it) scored 0.15004 and "Listening" (31) 0.14996 on NHS
    comments: closer than the ONNX batch noise, so the one more statements say goes first."""
    clear = ScoredPhrase(Phrase(key_of("clear advice"), "advice", Counter({"clear advice": 1})), 0.15004, 3)
    listening = ScoredPhrase(Phrase(key_of("listening"), "listening", Counter({"listening": 1})), 0.14996, 31)
    far = ScoredPhrase(Phrase(key_of("advice"), "advice", Counter({"advice": 1})), 0.12, 40)
    monkeypatch.setattr(phrases6, "score_phrases", lambda *args: [clear, listening, far])
    ranked = phrases7.score_phrases({}, np.arange(3), Postings(["a", "b", "c"]), None, {})
    assert [sp.phrase.text for sp in ranked] == ["listening", "clear advice", "advice"]  # 0.12: no tie
    listening.tier = 1  # another tier: no tie
    assert [sp.phrase.text for sp in phrases7.score_phrases({}, np.arange(3), Postings(["a"]), None, {})] == [
        "clear advice", "listening", "advice"]

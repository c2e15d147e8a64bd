"""The "phrases10" labeller: phrases9, with what residents say of things that do not get better read as a
complaint, as stance cues.v4 reads it (kilvoice.topics.phrases10)."""
from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from kilvoice.records import Statement
from kilvoice.topics import phrases9, phrases10
from kilvoice.topics.phrases import Phrase, ScoredPhrase, key_of
from kilvoice.topics.stance import stance_of_text
from test_titles import inputs, needs_parser  # noqa: F401 - the module fixture
from test_titles_v5 import stage_themes

GLOOM = ["Nothing has improved since the pit closed.", "Nothing ever gets better round here.",
         "I can't see it getting any better.", "Nothing is improving on the estate.",
         "The roads aren't improving, nothing gets better.", "Nothing has got better for young people."]


@pytest.mark.parametrize("text, v9, v10", [
    ("Nothing has improved since the pit closed.", None, "problem"),  # phrases9: praise and "closed", a tie
    ("Nothing ever gets better round here.", "strength", "problem"),
    ("I can't see it getting any better.", "strength", "problem"),
    ("Nothing could have been better.", "strength", "strength"),  # a counterfactual: praise, as before
    ("Could not get any better.", "strength", "strength"),
    ("No complaints at all.", "strength", "strength"),
    ("Nothing at the minute.", None, None),  # a null answer: no stance
    ("The food was awful.", "problem", "problem"),
])
def test_nothing_gets_better_is_a_complaint(text, v9, v10):
    assert phrases9.said_stances([text]) == ({v9: 1} if v9 else {})
    assert phrases10.said_stances([text]) == ({v10: 1} if v10 else {})
    if v10:  # the titles read it as the counts do
        assert stance_of_text(text, None, "cues.v4") == v10


def _sp(text, tier, count):
    return ScoredPhrase(Phrase(key_of(text), key_of(text)[-1], Counter({text: 1})), 0.1, count, tier=tier)


def test_a_theme_of_things_not_getting_better_is_not_general_praise():
    """phrases9 counted these as praise, so a theme of them with no subject was offered "General praise"
    while its description (cues.v4) counted problems."""
    texts = GLOOM + ["Lovely people though.", "It is what it is."]
    ranked = [[_sp("round here", 6, 2), _sp("estate", 6, 1)]]
    old = phrases9.pick_titles(ranked, [phrases9.said_stances(texts)], [len(texts)])[0][0]
    new = phrases10.pick_titles(ranked, [phrases10.said_stances(texts)], [len(texts)])[0][0]
    assert old == "General praise"
    assert new != "General praise" and not new.startswith("Praise")
    assert Counter(stance_of_text(t, None, "cues.v4") for t in GLOOM) == {"problem": len(GLOOM)}


def test_the_stage_names_such_a_catch_all_by_its_complaints():
    from kilvoice import registry
    from kilvoice.topics.labellers import labeller as named

    texts = GLOOM + ["Lovely staff.", "The wait was long.", "Parking is awful.", "Spot on.", "The bins stink.",
                     "Too much litter."]
    stmts = [Statement(id=f"s{i}", conversation_id=f"c{i}", utterance_index=0, index=0, text=t)
             for i, t in enumerate(texts)]
    titles = {}
    for lab in ("phrases9", "phrases10"):
        stage = registry.create("kilvoice.topics.bertopic.v2", labeller=lab)
        counts = named(lab).said_stances()(texts)
        label = {"about": "estate", "said": [], "approx": False, "cover": None, "stands_for": None,
                 "catch_all": named(lab).catch_all_name()(counts, len(texts))}
        kw = ["estate", "pit", "ambulance", "ward", "doctor"]  # 2 of the 12 use one: "Mixed" by keywords
        titles[lab] = stage._name("T01", "Estate", kw, np.arange(len(stmts)), stmts, ["problem"] * len(stmts), 0,
                                  [], label=label).title
    assert titles["phrases10"] == "Mixed: mostly complaints"
    assert titles["phrases9"] != "Mixed: mostly complaints"


@needs_parser
def test_stage_with_phrases10(inputs):  # noqa: F811 - the fixture
    themes = stage_themes(inputs, "phrases10")
    assert [t.title for t in themes] == [t.title for t in stage_themes(inputs, "phrases9")]  # no such statement here


def test_a_narrow_title_still_says_what_else_its_theme_mentions():
    """The samples' street-care theme is titled by a road 6 of its 85 statements name; phrases9's
    description said only that the title may be too narrow, phrases10's also says what the rest mention."""
    from kilvoice import registry

    texts = ["The street lights on Pit Lane are out."] + [f"The street lights by the bins are out again ({i})."
                                                          for i in range(7)] + [
        "Bins left on the pavement.", "Litter by the bins.", "Pavements are cracked.", "Fix the street lights."]
    stmts = [Statement(id=f"s{i}", conversation_id=f"c{i}", utterance_index=0, index=0, text=t)
             for i, t in enumerate(texts)]
    said = [("street lights", 9), ("bins", 9), ("pavements", 2)]
    descriptions = {}
    for lab in ("phrases9", "phrases10"):
        stage = registry.create("kilvoice.topics.bertopic.v2", labeller=lab)
        label = {"about": "Pit Lane", "said": said, "approx": False, "cover": None, "stands_for": None,
                 "catch_all": None}
        theme = stage._name("T01", "Pit Lane", ["street", "lights", "bins", "pavements", "litter"],
                            np.arange(len(stmts)), stmts, ["problem"] * len(stmts), 0, [], label=label)
        assert theme.title == "Pit Lane"
        descriptions[lab] = theme.description
    assert all("the title may be too narrow" in d for d in descriptions.values())
    assert "Also mentioned" not in descriptions["phrases9"]
    assert "statements, which also mention street lights (9), bins (9) and pavements (2): the title may be too narrow" \
        in descriptions["phrases10"]
    assert len(re.findall(r"\.(?:\s|$)", descriptions["phrases10"])) <= 2  # one or two sentences, as issue 21 asks


def test_a_word_said_as_part_of_a_phrase_is_listed_as_the_phrase():
    from kilvoice.topics import phrases

    scored = [_sp("mental", 0, 25), _sp("mental health", 0, 24), _sp("NHS", 0, 13), _sp("pandemic", 0, 11),
              _sp("Covid-19 pandemic", 0, 6), _sp("patients", 0, 5)]
    assert phrases.mentions(scored, ("care",)) == [("mental", 25), ("mental health", 24), ("NHS", 13)]
    assert phrases10.mentions(scored, ("care",)) == [("mental health", 24), ("NHS", 13), ("pandemic", 11)]
    assert phrases10.mentions(scored, ("mental", "health")) == [("NHS", 13), ("pandemic", 11), ("patients", 5)]

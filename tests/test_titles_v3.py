"""The "phrases3" labeller: the aspect residents judge when they name no subject, and no odd titles."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from kilvoice import registry
from kilvoice.tagger import load_parser
from kilvoice.topics import phrases2, phrases3
from kilvoice.topics.phrases import Phrase, Postings, joins_different_statements, key_of
from test_titles import inputs  # noqa: F401 - the module fixture
from test_topics import SETTINGS

needs_parser = pytest.mark.skipif(load_parser() is None, reason="spaCy's small English pipeline is not installed")


def phrase(text: str) -> Phrase:
    """A candidate as a keyphrase would be: head = its last content word."""
    key = key_of(text)
    return Phrase(key, key[-1] if key else "", Counter({text: 1}))


def _found(texts, exclude=frozenset()):
    docs = list(load_parser().pipe(texts))
    return phrases3.candidates(docs, exclude, texts)


@needs_parser
def test_adjectives_said_of_unnamed_people_take_the_people_noun_the_theme_uses():
    texts = ["They were very caring.", "Very caring and compassionate.", "The staff answered the phone.",
             "Staff came on time.", "He was very polite."]
    found = _found(texts)
    by_text = {ph.text: ph for ph in found.values()}
    assert "caring staff" in by_text and "caring and compassionate staff" in by_text
    assert "polite staff" in by_text
    # it stands for the statements that say "caring", not those that say "staff"
    assert by_text["caring staff"].cover == ("caring",)
    assert by_text["caring and compassionate staff"].cover == ("caring", "compassionate")
    # no people noun said by two statements of the theme: nothing is made up
    assert not any(t.endswith("staff") for t in (ph.text for ph in _found(texts[:2] + texts[4:]).values()))


@needs_parser
def test_no_adjective_title_from_a_negation_or_a_word_said_of_anything():
    texts = ["They were not caring.", "Very good.", "Excellent.", "They were difficult.", "The staff came.",
             "Our staff."]
    found = {ph.text for ph in _found(texts).values()}
    assert not any(t.startswith(("caring", "good", "excellent", "difficult")) for t in found), found
    assert "polite staff" in {ph.text for ph in _found(texts + ["They were polite."]).values()}


@needs_parser
def test_waiting_for_something_is_a_candidate_standing_for_who_waited_for_it():
    texts = ["I waited 4 hours for an ambulance.", "We were waiting for the ambulance all night.",
             "Waited for an hour.", "The ambulance crew were great."]
    by_text = {ph.text: ph for ph in _found(texts).values()}
    assert "waiting for an ambulance" in by_text
    assert by_text["waiting for an ambulance"].cover == (phrases3.WAITING, "ambulance")
    assert not any("hour" in t and t.startswith("waiting") for t in by_text)  # how long, not what for
    cands = {k: ph for k, ph in _found(texts).items() if ph.text in ("waiting for an ambulance", "ambulance")}
    members = np.arange(4)
    centroid = np.ones(2, np.float32) / np.sqrt(2)
    vectors = {k: centroid for k in cands}
    ranked = {s.phrase.text: s.count for s in phrases3.score_phrases(cands, members, Postings(texts), centroid,
                                                                        vectors)}
    assert ranked["waiting for an ambulance"] == 2  # "waited ... ambulance", "waiting ... ambulance"
    assert ranked["ambulance"] == 3


ODD = ["Good of the people", "Best possible opportunity", "Desperate need of care", "Ban", "Safe environment",
       "Sustained challenges of its evidence", "Use of wildlife", "Ban the sale", "Great deal", "Piece of work",
       "Argue that act", "Potential of those young people", "Particular qualification", "Different offer",
       "Survive such a devastating event", "sein", "Wachstum durch"]
FINE = ["Waiting times for GP appointments", "Protect our wildlife", "Cost of energy", "Friendly staff",
        "Safe cycling routes", "Caring and compassionate staff", "Waiting for an ambulance", "Mental health",
        "Development of green land", "Natural environment", "Argue for the act", "Potential of young people",
        "Vocational qualification", "Childcare offer", "Survive a devastating event",
        "EU students", "Economic growth"]


@pytest.mark.parametrize("title", ODD)
def test_odd_titles(title):
    assert phrases3.odd(phrase(title.lower()))
    assert not phrases3.odd(phrase(FINE[ODD.index(title)].lower()))


def test_odd_candidates_are_never_scored():
    texts = ["the use of wildlife corridors", "use of wildlife in farming", "wildlife corridors on farms",
             "wildlife corridors please", "other", "more other"]
    postings = Postings(texts)
    cands = {key_of(t): phrase(t) for t in ("use of wildlife", "wildlife corridors")}
    vectors = {k: np.ones(2, np.float32) / np.sqrt(2) for k in cands}
    ranked = [s.phrase.text for s in phrases3.score_phrases(cands, np.arange(4), postings,
                                                             np.ones(2, np.float32) / np.sqrt(2), vectors)]
    assert ranked == ["wildlife corridors"]
    # phrases2 scores it
    assert "use of wildlife" in [s.phrase.text for s in phrases2.score_phrases(
        cands, np.arange(4), postings, np.ones(2, np.float32) / np.sqrt(2), vectors)]


@needs_parser
def test_stage_with_phrases3_titles(inputs):  # noqa: F811
    from kilvoice.embed import StaticEmbedder
    from test_titles_v2 import stage_titles

    themes, assignments, texts = stage_titles(inputs, "phrases3")
    for t in themes:
        if t.id.startswith("T") and not t.title.startswith(('"', "Mixed statements")):
            assert not phrases3.odd(phrase(t.title.removeprefix("Mixed: ").lower())), t.title
            assert not joins_different_statements(t.title, texts.get(t.id, [])), t.title
    # the same themes as phrases2, to the statement: only the names differ
    v2 = registry.create("kilvoice.topics.bertopic.v1", labeller="phrases2", **SETTINGS).run(
        *inputs, 7, embed=StaticEmbedder().encode)
    assert [(a.statement_id, a.theme_id) for a in assignments] == [(a.statement_id, a.theme_id) for a in v2[1]]


def test_a_title_for_unnamed_people_counts_the_statements_that_say_its_adjectives():
    texts = ["They were very caring.", "So caring.", "Caring and kind.", "The staff waited with me.",
             "Staff were there.", "I waited ages for the bus."]
    assert phrases3.cover_count(("caring",), texts) == 3
    assert phrases3.cover_count((phrases3.WAITING, "bus"), texts) == 1
    assert phrases3.cover_count((phrases3.WAITING,), texts) == 2
    assert phrases3.cover_count(("caring",), []) == 0

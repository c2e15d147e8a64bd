"""The "phrases8" labeller: a subject's noun, not a word that qualifies one, in the number residents
write it (kilvoice.topics.phrases8)."""
from __future__ import annotations

from collections import Counter

import numpy as np

from kilvoice.tagger import load_parser
from kilvoice.topics import phrases7, phrases8
from kilvoice.topics.phrases import Phrase, Postings, ScoredPhrase, key_of
from test_titles import inputs, needs_parser  # noqa: F401 - the module fixture
from test_titles_v5 import stage_themes

# residents asking to ban the sale of fireworks: "public" qualifies the sale and the displays
FIREWORKS = [
    "Ban the public sale of fireworks.", "Fireworks only at public displays.", "Public displays should be licensed.",
    "Ban fireworks except for organised displays.", "Stop the sale of fireworks to the general public.",
    "Fireworks frighten pets and wildlife.", "Only allow silent fireworks.", "Public events only, please.",
]


def _screened(texts):
    docs = list(load_parser().pipe(texts))
    found = phrases8.candidates(docs, frozenset(), texts)
    for kw in ("public", "fireworks"):  # the keyphrases join before the screen, as in rank_phrases
        found.setdefault(key_of(kw), Phrase(key_of(kw), key_of(kw)[-1], Counter({kw: 1})))
    return found, phrases8.screen(found, texts)


@needs_parser
def test_a_word_that_qualifies_another_noun_is_found_by_the_parse():
    words = phrases8.qualifiers(load_parser().pipe(FIREWORKS))
    assert "public" in words  # "public sale", "public displays", "public events"
    assert "firework" not in words and "display" not in words  # the things residents name


@needs_parser
def test_the_screen_marks_qualifiers_and_drops_its_mark():
    found, screened = _screened(FIREWORKS)
    assert phrases8.MARK in found and phrases8.MARK not in screened  # never a title, never embedded
    assert isinstance(screened[("public",)], phrases8.Qualifier)
    assert not isinstance(screened[("firework",)], phrases8.Qualifier)
    general = screened.get(key_of("general public"))
    assert general is None or isinstance(general, phrases8.Qualifier)


def _sp(text, tier=0, count=10, score=0.1, cls=Phrase):
    key = key_of(text)
    return ScoredPhrase(cls(key, key[-1], Counter({text: 1})), score, count, tier=tier)


def test_a_qualifier_ranks_with_the_general_heads(monkeypatch):
    """"Public" (18 statements, scored 0.083) before "Fireworks" (11, 0.059) with phrases7; a word the
    statements use to qualify another noun ranks after every specific candidate."""
    public = _sp("public", count=18, score=0.083, cls=phrases8.Qualifier)
    general = _sp("general public", count=2, score=0.082, cls=phrases8.Qualifier)
    fireworks = _sp("fireworks", count=11, score=0.059)
    law = _sp("law", tier=2, count=6, score=0.045)
    monkeypatch.setattr(phrases7, "score_phrases", lambda *args: [public, general, fireworks, law])
    ranked = phrases8.score_phrases({}, np.arange(3), Postings(["a", "b", "c"]), None, {})
    assert [sp.phrase.text for sp in ranked] == ["fireworks", "law", "public", "general public"]
    assert public.tier == phrases8.GENERAL and law.tier == 2


def test_a_qualifier_gives_way_to_the_phrase_it_qualifies(monkeypatch):
    """"Energy" -> "Energy costs": the phrase most statements say whole that the word qualifies takes
    its place; one said by fewer than QUALIFIER_MIN does not."""
    energy = _sp("energy", count=60, score=0.3, cls=phrases8.Qualifier)
    price = _sp("price of fuel", count=3, score=0.096)
    costs = _sp("energy costs", tier=1, count=21, score=0.288)
    companies = _sp("energy companies", tier=1, count=20, score=0.268)
    once = _sp("energy drinks", count=1, score=0.5)
    monkeypatch.setattr(phrases7, "score_phrases", lambda *args: [energy, price, costs, companies, once])
    ranked = phrases8.score_phrases({}, np.arange(3), Postings(["a", "b", "c"]), None, {})
    assert [sp.phrase.text for sp in ranked][:3] == ["energy costs", "price of fuel", "energy drinks"]
    assert costs.tier == 0 and companies.tier == 1 and energy.tier == phrases8.GENERAL


def test_a_name_that_qualifies_is_still_a_subject(monkeypatch):
    nhs = _sp("NHS", count=30, score=0.2, cls=phrases8.Qualifier)  # "NHS staff", "NHS funding"
    covid = _sp("Covid-19", count=20, score=0.1, cls=phrases8.Qualifier)
    other = _sp("waiting lists", count=5, score=0.05)
    monkeypatch.setattr(phrases7, "score_phrases", lambda *args: [nhs, covid, other])
    ranked = phrases8.score_phrases({}, np.arange(3), Postings(["a", "b", "c"]), None, {})
    assert [sp.phrase.text for sp in ranked] == ["NHS", "Covid-19", "waiting lists"]
    # a longer qualifier whose other words name something is a subject too ("Online voting")
    assert not phrases8._qualifying(_sp("online voting", cls=phrases8.Qualifier))
    assert phrases8._qualifying(_sp("general public", cls=phrases8.Qualifier))


SCHOOLS = ["Schools need more money.", "The schools are full.", "My school is good.",
           "Schools should open later.", "Teachers in schools are tired."]


def test_a_noun_alone_takes_the_number_residents_write():
    school = Phrase(("school",), "school", Counter({"school": 3}))
    bus = Phrase(("bus",), "bus", Counter({"bus": 1}))
    nhs = Phrase(("nhs",), "nhs", Counter({"NHS": 1}))
    pair = Phrase(key_of("school meals"), "meal", Counter({"school meals": 1}))
    found = {("school",): school, ("bus",): bus, ("nhs",): nhs, pair.key: pair}
    phrases8.written_number(found, SCHOOLS + ["The bus is late.", "NHS staff."])
    assert school.written == "schools" and school.text == "school"  # the text embedded is unchanged
    assert not hasattr(bus, "written") and not hasattr(nhs, "written") and not hasattr(pair, "written")
    titles = phrases8.pick_titles([[ScoredPhrase(school, 0.2, 5)]], [{}], [5])
    assert titles[0][0] == "Schools"
    assert phrases7.pick_titles([[ScoredPhrase(school, 0.2, 5)]], [{}], [5])[0][0] == "School"


def test_a_tie_in_number_keeps_the_form_found():
    taxes = Phrase(("tax",), "tax", Counter({"taxes": 1}))
    phrases8.written_number({("tax",): taxes}, ["Taxes are high.", "Cut the tax."])
    assert not hasattr(taxes, "written")
    phrases8.written_number({("tax",): taxes}, ["Taxes are high.", "Cut the tax.", "Tax the rich."])
    assert taxes.written == "tax"


@needs_parser
def test_stage_with_phrases8(inputs):  # noqa: F811 - the fixture
    themes = stage_themes(inputs, "phrases8")
    assert not any(" / " in t.title for t in themes if t.id.startswith("P"))


def test_a_qualified_phrase_already_ahead_is_not_placed_twice(monkeypatch):
    costs = _sp("energy costs", count=21, score=0.4)
    energy = _sp("energy", count=60, score=0.3, cls=phrases8.Qualifier)
    price = _sp("price of fuel", count=3, score=0.096)
    monkeypatch.setattr(phrases7, "score_phrases", lambda *args: [costs, energy, price])
    ranked = phrases8.score_phrases({}, np.arange(3), Postings(["a", "b", "c"]), None, {})
    assert [sp.phrase.text for sp in ranked] == ["energy costs", "price of fuel", "energy"]

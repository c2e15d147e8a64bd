"""The "phrases11" labeller: phrases10, with a compound's first noun kept where an English stop-word
list holds it ("Call handlers", not "Handler"; kilvoice.topics.phrases11)."""
from __future__ import annotations

import pytest

from kilvoice import registry
from kilvoice.records import Statement
from kilvoice.topics import phrases10, phrases11
from test_titles import inputs, needs_parser  # noqa: F401 - the module fixture
from test_titles_v5 import stage_themes

HANDLERS = ["The call handler was calm and kind.", "The call handler stayed on the line with me.",
            "Call handler was reassuring.", "The 111 call handler listened to everything.",
            "Our call handler sent an ambulance quickly.", "The call handler explained what would happen.",
            "A very patient call handler talked me through it.", "The call handler was rude to my wife.",
            "The call handler asked the same questions twice.", "The call handlers were all very helpful."]
BUSES = ["The buses are always late in the evening.", "The bus to Leeds stops at six.",
         "Buses are too expensive for young people.", "We need more buses on Sundays.",
         "The bus station is dirty.", "The number 9 bus never comes on time.",
         "Bus fares went up again.", "The buses are packed at school time.",
         "There is no bus to the hospital.", "The bus drivers are friendly."]
PARKS = ["The park is lovely in summer.", "The park needs more benches.", "Kids play in the park every day.",
         "The park cafe is always busy.", "The park gates are locked at dusk.", "Dogs foul the park paths.",
         "The park has a new play area.", "The park toilets are closed.", "The park is safe now.",
         "We walk round the park each morning."]


@needs_parser
@pytest.mark.parametrize("texts, v10, v11", [
    (HANDLERS, "handler", "call handler"),
    (["I had bad side effects from the tablets.", "The side effects were awful.", "Side effects were explained."],
     "effects", "side effects"),
    (["Interest rates are too high.", "Interest rates went up again.", "Mortgage interest rates hurt."],
     "rates", "interest rates"),
    (["The front door was broken.", "Someone kicked the front door in."], "door", "front door"),
])
def test_a_stop_word_noun_stays_in_its_compound(texts, v10, v11):
    from kilvoice.tagger import load_parser

    docs = list(load_parser().pipe(texts))
    old = phrases10.candidates(docs, texts=texts)
    new = phrases11.candidates(docs, texts=texts)
    assert old.keys() == new.keys()  # what carries a candidate does not move, only how it is written
    assert v10 in {ph.text for ph in old.values()}
    assert v11 in {ph.text for ph in new.values()} and v10 not in {ph.text for ph in new.values()}


@needs_parser
def test_a_handler_said_without_call_keeps_its_own_form():
    from kilvoice.tagger import load_parser

    texts = ["The call handler was calm.", "The handler was calm too.", "A call handler rang back."]
    found = phrases11.candidates(list(load_parser().pipe(texts)), texts=texts)
    forms = next(ph.forms for key, ph in found.items() if key == ("handler",))
    assert forms == {"call handler": 2, "handler": 1}


@needs_parser
def test_the_stage_titles_call_handlers_by_their_compound():
    from kilvoice.embed import StaticEmbedder

    texts = HANDLERS + BUSES + PARKS
    stmts = [Statement(id=f"s{i}", conversation_id=f"c{i}", utterance_index=0, index=0, text=t)
             for i, t in enumerate(texts)]
    vectors = StaticEmbedder().encode(texts)
    titles = {}
    for lab in ("phrases10", "phrases11"):
        stage = registry.create("kilvoice.topics.bertopic.v2", labeller=lab, n_themes=3, stability=False,
                                 group_catch_alls=False)
        themes, assignments, _, _ = stage.run(stmts, vectors, 7, embed=StaticEmbedder().encode)
        first = {a.statement_id: a.theme_id for a in assignments if a.primary}
        theme_of_handlers = first["s0"]
        titles[lab] = next(t.title for t in themes if t.id == theme_of_handlers)
    assert "handler" in titles["phrases10"].lower() and "call" not in titles["phrases10"].lower(), titles
    assert "call handler" in titles["phrases11"].lower(), titles


@needs_parser
def test_stage_with_phrases11(inputs):  # noqa: F811 - the fixture
    themes = stage_themes(inputs, "phrases11")
    assert [t.title for t in themes] == [t.title for t in stage_themes(inputs, "phrases10")]  # no such compound here


def test_praise_said_as_a_limit_reached_counts_as_praise():
    texts = ["The drivers could not have been more helpful.", "They could not do enough for us.",
             "Nothing was too much trouble.", "Couldn't get any better."]
    assert phrases11.said_stances(texts) == {"strength": 4}
    assert phrases10.said_stances(texts).get("strength", 0) < 4

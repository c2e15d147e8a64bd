"""The "phrases12" labeller: phrases11, with the broad subject most of a theme's statements use ("Work")
as its title when no narrower candidate names a tenth of it (kilvoice.topics.phrases12)."""
from __future__ import annotations

import numpy as np
import pytest

from kilvoice.topics import phrases, phrases12
from kilvoice.topics.labellers import labeller
from test_titles import inputs, needs_parser  # noqa: F401 - the module fixture
from test_titles_v5 import stage_themes

# 20 statements about work, each naming something no other one names: no narrower candidate is
# carried by a tenth of them (2 statements)
WORK = ["I go to work by bus.", "She returned to work in May.", "They cannot find work.",
        "We need work that pays.", "He left work early on Friday.", "I travel to work before dawn.",
        "My son looks for work every day.", "She lost work after the flood.", "They walk to work together.",
        "I finish work at midnight.", "Nobody offers work to the over fifties.", "I start work at six.",
        "We drive to work through the village.", "He wants work near the coast.", "I cycle to work in summer.",
        "She found work in Leeds.", "They do work for the hospice.", "I rush to work after the nursery run.",
        "He missed work with flu.", "We share lifts to work with neighbours."]
PARKS = ["The park is lovely in summer.", "The park needs more benches.", "Kids play in the park every day.",
         "The park cafe is always busy.", "The park gates are locked at dusk.", "Dogs foul the park paths.",
         "The park has a new play area.", "The park toilets are closed.", "The park is safe now.",
         "We walk round the park each morning."]
# work said in most statements, but the bus in half of them: a narrower candidate names the theme
BUS_TO_WORK = [f"The bus to work is late again on route {i}." for i in range(10)] + WORK[:10]


def ranked(themes: list[list[str]], name: str):
    from kilvoice.embed import StaticEmbedder

    texts = [t for theme in themes for t in theme]
    members, start = [], 0
    for theme in themes:
        members.append(np.arange(start, start + len(theme)))
        start += len(theme)
    vectors = StaticEmbedder().encode(texts)
    out, _ = phrases.rank_phrases(texts, members, [[] for _ in themes], vectors, StaticEmbedder().encode,
                                  **labeller(name).rank())
    return out


@needs_parser
def test_work_titles_a_theme_nothing_narrower_names():
    work, parks = ranked([WORK, PARKS], "phrases12")
    assert work[0].phrase.key == ("work",) and work[0].carried == 20
    assert parks[0].phrase.key == ("park",)  # a theme with a subject of its own keeps it
    before, _ = ranked([WORK, PARKS], "phrases11")
    assert ("work",) not in {sp.phrase.key for sp in before}  # phrases11 never lets "work" title alone
    # and nothing it could title the theme with names a tenth of it
    assert max((sp.carried or sp.count for sp in before), default=0) < phrases12.COVER_MIN * len(WORK)


@needs_parser
def test_work_stays_out_where_a_narrower_candidate_names_a_tenth():
    bus, _ = ranked([BUS_TO_WORK, PARKS], "phrases12")
    assert ("work",) not in {sp.phrase.key for sp in bus}
    assert "bus" in bus[0].phrase.key  # "Bus to work"


@needs_parser
def test_a_subject_needs_most_statements():
    from kilvoice.tagger import load_parser

    few = WORK[:4] + PARKS  # "work" in 4 of 14
    found = phrases12.candidates(list(load_parser().pipe(few)), texts=few)
    assert ("work",) not in found
    found = phrases12.candidates(list(load_parser().pipe(WORK)), texts=WORK)
    assert ("work",) in found


@pytest.mark.parametrize("word", ["problem", "issue", "point", "lot", "week", "morning"])
def test_words_that_name_no_subject_are_never_subjects(word):
    assert word not in phrases12.SUBJECT


@needs_parser
def test_stage_with_phrases12(inputs):  # noqa: F811 - the fixture
    themes = stage_themes(inputs, "phrases12")
    assert [t.title for t in themes] == [t.title for t in stage_themes(inputs, "phrases11")]  # no such theme here

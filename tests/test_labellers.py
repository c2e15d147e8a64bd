"""Each labeller version is one object chosen once by name (kilvoice.topics.labellers)."""
from __future__ import annotations

import pytest

from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.topics import phrases, phrases2, phrases3, phrases4
from kilvoice.topics.labellers import LABELLERS, labeller


def test_each_version_names_its_own_parts():
    assert labeller("phrases").rank() == {} and labeller("phrases").pick() is phrases.pick_titles
    assert labeller("phrases2").rank() == {"scorer": phrases2.score_phrases, "spans": phrases2.spans}
    assert labeller("phrases3").rank() == {"scorer": phrases3.score_phrases, "candidates": phrases3.candidates}
    assert labeller("phrases3").pick() is phrases.pick_titles
    four = labeller("phrases4")
    assert four.rank() == {"scorer": phrases4.score_phrases, "candidates": phrases4.candidates}
    assert four.pick() is phrases4.pick_titles and four.group_list_max == 2
    assert labeller("phrases3").group_list_max is None
    assert not labeller("keywords").phrases and labeller("llm").llm and labeller("llm").rank() == {}


def test_the_stage_accepts_exactly_the_registered_names():
    from kilvoice.topics import ThemeStage

    assert ThemeStage.LABELLERS == tuple(LABELLERS)
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.topics.bertopic.v1", labeller="phrases99")
    assert err.value.code == "K705"

"""Issue 16, the theme side of transcripts: a theme of procedure caught after the fit
(kilvoice.topics.procedural) and titles that name the subject, not the meeting."""
from __future__ import annotations

from kilvoice.records import Assignment, Statement, Theme
from kilvoice.topics.procedural import chairing_keywords, chairing_only, procedural_members


def test_a_theme_is_procedural_when_half_its_top_keywords_are_chairing_words():
    assert chairing_keywords(["member", "question", "honourable member", "thank", "bus", "route", "stop", "fare"]) \
        == {"member", "question", "honourable member", "thank"}
    # a residents' group theme: meetings and committees are a subject, and three of eight is not half
    assert chairing_keywords(["meeting", "committee", "members", "residents", "hall", "monthly", "chair",
                              "volunteers"]) == set()
    assert chairing_keywords([]) == set()


def test_only_members_using_the_chairing_words_are_left_out():
    themes = [Theme(id="T01", title="Member and question", keywords=["member", "question", "thank", "okay", "bus"]),
              Theme(id="T02", title="Buses", keywords=["bus", "route", "fare", "stop"]),
              Theme(id="other", title="Other statements", keywords=["question", "okay", "thank", "member"])]
    stmts = [Statement("s1", "c1", 0, 0, "I thank the member for the question."),
             Statement("s2", "c1", 1, 0, "The bus fare went up again this spring."),
             Statement("s3", "c1", 2, 0, "Okay, the bus."),
             Statement("s4", "c1", 3, 0, "Question, member, thank."),]
    assignments = [Assignment("s1", "T01", 0.9), Assignment("s2", "T01", 0.5), Assignment("s3", "T02", 0.8),
                   Assignment("s4", "other", 0.2), Assignment("s3", "T01", 0.4, primary=False)]
    assert procedural_members(themes, assignments, stmts) == {"s1": "T01"}


def test_a_title_of_chairing_words_only_names_the_meeting():
    assert chairing_only("Answer") and chairing_only("Questions and evidence") and chairing_only("Final question")
    assert not chairing_only("Evidence of damp") and not chairing_only("Bus questions fare") and not chairing_only("")


def test_a_kept_refit_numbers_the_other_themes_and_places_the_procedural_ones():
    import numpy as np
    import pytest

    from kilvoice import registry
    from kilvoice.errors import KilvoiceError
    from kilvoice.topics.procedural import PLACE, PlaceInThemes, kept_labels

    themes = [Theme(id="T01", title="Member and question"), Theme(id="T02", title="Buses"),
              Theme(id="T03", title="Parks"), Theme(id="other", title="Other statements")]
    assignments = [Assignment("s1", "T01", 0.9), Assignment("s2", "T01", 0.5), Assignment("s3", "T02", 0.8),
                   Assignment("s4", "other", 0.2), Assignment("s5", "T03", 0.7), Assignment("s3", "T01", 0.4, primary=False)]
    kept = kept_labels(themes, assignments, {"s1": "T01"})
    assert kept == {"s2": PLACE, "s3": 0, "s4": -1, "s5": 1}

    # two clusters along the axes; the rows to place go to the nearer one, or to "other" when no
    # centroid is within the threshold (cosine)
    X = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [0.95, 0.05], [-1, -1], [0, 0.5]], dtype=float)
    given = [3, 3, 0, 0, PLACE, PLACE, PLACE]  # labels need not be 0..k-1: kept order gives the numbers
    fitted = PlaceInThemes(given, threshold=0.35).fit(X)
    assert fitted.labels_.tolist() == [1, 1, 0, 0, 1, -1, 0]
    assert fitted.placed_ == {"statements": 3, "to_themes": 2}
    assert PlaceInThemes(given, threshold=1.01).fit(X).labels_.tolist() == [1, 1, 0, 0, -1, -1, -1]
    # "other" holds at most max_outlier_share of the rows (1 of 7 here): the farthest row goes there,
    # the others join their nearest theme, as the fit's own outlier rule does
    assert PlaceInThemes(given, threshold=1.01, max_outlier_share=0.15).fit(X).labels_.tolist() == [1, 1, 0, 0, 1, -1, 0]
    assert PlaceInThemes([0, -1, PLACE], threshold=1.01, max_outlier_share=0.34).fit(X[:3]).labels_.tolist() == [0, -1, 0]
    with pytest.raises(ValueError):
        PlaceInThemes(given[:3], threshold=0.35).fit(X)

    assert registry.create("kilvoice.topics.bertopic.v3").settings["procedural_refit"] == "keep"
    assert registry.create("kilvoice.topics.bertopic.v2").settings["procedural_refit"] == "fit"
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.topics.bertopic.v3", procedural_refit="again")
    assert err.value.code == "K705"

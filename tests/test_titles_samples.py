"""Theme titles on the real sample run (the session's ``sample_runs`` pipeline fixture): what an
officer reads first. No title over 8 words, no two the same, no "X and Y" that no one statement
says, no group of one, and descriptions that count."""
from __future__ import annotations

import csv
import json
import re

import pytest

from kilvoice.topics.phrases import TITLE_MAX_WORDS, joins_different_statements

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_themes(sample_runs):
    out = sample_runs["out1"]
    with open(out / "themes.csv", encoding="utf-8") as fh:
        themes = list(csv.DictReader(fh))
    with open(out / "statements.csv", encoding="utf-8") as fh:
        statements = list(csv.DictReader(fh))
    texts: dict[str, list[str]] = {}
    for s in statements:
        texts.setdefault(s["theme_ids"].split(";")[0], []).append(s["text"])
    return themes, texts, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_titles_are_short_and_never_repeat(sample_themes):
    themes, _, _ = sample_themes
    titles = [t["title"] for t in themes]
    assert len({t.lower() for t in titles}) == len(titles), titles
    assert all(len(t.split()) <= TITLE_MAX_WORDS for t in titles), titles


def test_no_title_joins_words_from_different_statements(sample_themes):
    themes, texts, _ = sample_themes
    for t in themes:
        if t["theme_id"].startswith("T"):
            assert not joins_different_statements(t["title"], texts[t["theme_id"]]), t["title"]


def test_no_title_is_about_a_vague_word(sample_themes):
    """phrases2: no "Great deal", "Piece of work", "Important issue"; phrases3: no "Use of wildlife",
    "Ban", "Safe environment"."""
    from kilvoice.topics.phrases import key_of, strip_prefix
    from kilvoice.topics.phrases3 import VAGUE_HEADS, odd
    from test_titles_v3 import phrase

    from kilvoice.topics.phrases import GROUP_OTHERS

    themes, _, _ = sample_themes
    for t in themes:
        if t["kind"] == "group" and re.sub(r" \(\d+\)$", "", t["title"]) in GROUP_OTHERS:
            continue  # the honest name of a group whose themes share nothing, not a phrase
        words = re.findall(r"[a-z]+", t["title"].lower())
        assert not (key_of(t["title"]) and key_of(t["title"])[-1] in VAGUE_HEADS), t["title"]
        assert not (len(words) > 1 and words[1] == "of" and words[0] in VAGUE_HEADS), t["title"]
        if t["theme_id"].startswith("T") and not t["title"].startswith(('"', "Mixed statements", "Other")):
            assert not odd(phrase(strip_prefix(t["title"]))), t["title"]


def test_a_group_of_one_is_shown_as_its_theme_alone(sample_themes):
    themes, _, _ = sample_themes
    for g in (t for t in themes if t["kind"] == "group"):
        kids = [t for t in themes if t["parent"] == g["theme_id"]]
        assert len(kids) >= 2, g["title"]
        assert all(k["title"] != g["title"] for k in kids)


def test_a_catch_all_stands_alone_and_no_group_lists_unrelated_titles(sample_themes):
    """phrases4/5 and ``group_catch_alls = false``: a "Mixed: ..." theme is in no group, and a group
    whose themes share no phrase is "Other community issues" (or lists its two themes), never
    "A, B and 6 more" or "3 themes"."""
    themes, _, manifest = sample_themes
    assert manifest["topics"]["params"]["group_catch_alls"] is False
    for t in themes:
        if t["title"].startswith("Mixed: "):
            assert not t["parent"], t["title"]
        if t["kind"] == "group":
            assert not re.search(r" and \d+ more$|^\d+ themes$", t["title"]), t["title"]


def test_descriptions_count_what_residents_said(sample_themes):
    themes, _, manifest = sample_themes
    assert manifest["topics"]["labeller"] == {"name": "phrases12"}  # as pipelines/big-conversation.toml names it
    for t in themes:
        if t["theme_id"].startswith("T") and not t["title"].startswith('"'):
            d = t["description"]
            assert d.startswith(f"{t['statements']} statements from {t['conversations']} conversations about "), d
            assert d.endswith(".") and len(re.findall(r"\.(?:\s|$)", d)) <= 2, d
            assert '"' not in d  # never quotes a resident

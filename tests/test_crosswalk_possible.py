"""A crosswalk row lists an item's possible themes the most similar first, and names at most
POSSIBLE_SHOWN of them: on 600 real mixed notes one item had ten, in theme-id order."""
from __future__ import annotations

from kilvoice.frameworks import load_framework
from kilvoice.mapping.gaps import summarise
from kilvoice.records import POSSIBLE, Link, Theme
from kilvoice.report.render import POSSIBLE_SHOWN, crosswalk_cell


def test_possible_themes_come_most_similar_first_and_a_row_names_at_most_five():
    fw = load_framework("keep-it-local")
    item = fw.items[0]
    scores = [0.31, 0.52, 0.40, 0.47, 0.29, 0.44, 0.50, 0.35]  # T01..T08
    themes = [Theme(id=f"T{i + 1:02d}", title=f"Theme {i + 1}") for i in range(len(scores))]
    links = [Link("theme", t.id, fw.id, item.id, s, [], "", POSSIBLE) for t, s in zip(themes, scores)]
    links.append(Link("theme", "T03", fw.id, item.id, 0.55, [], "", POSSIBLE))  # the same theme twice: its best
    info = summarise([fw], themes, links, [], {}, {})
    row = next(it for it in info["frameworks"][fw.id]["items"] if it["id"] == item.id)
    assert row["possible_themes"] == ["T03", "T02", "T07", "T04", "T06", "T08", "T01", "T05"]
    assert row["linked_themes"] == [] and row["gap"]  # possible links never close a gap

    cell = crosswalk_cell(row, {"theme_titles": {t.id: t.title for t in themes}})
    named = cell.split("Possible: ")[1].split("; and ")[0].split("; ")
    assert named == ["Theme 3", "Theme 2", "Theme 7", "Theme 4", "Theme 6"] and len(named) == POSSIBLE_SHOWN
    assert cell.endswith("and 3 more, each shown in its theme's section")
    few = {**row, "possible_themes": row["possible_themes"][:2]}
    assert crosswalk_cell(few, {"theme_titles": {}}).endswith("Possible: T03; T02")

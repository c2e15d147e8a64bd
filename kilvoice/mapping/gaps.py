"""Gap analysis both ways, counted in conversations (not rows).

* Per framework item: the themes linked to it, how many statements and conversations bear on it,
  broken down by area, setting and age band; ``gap`` is true when no resident statement or theme
  links to it ("no resident raised this"). ``possible_themes`` lists the themes only possibly
  linked to it (:mod:`kilvoice.mapping.themelinks`), the most similar first: shown, never counted.
* ``unmapped_themes``: themes linked to no item of any framework (resident priorities no
  objective covers).
* ``crosswalk``: for each pair of frameworks, the items that share linked themes.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from kilvoice.frameworks import Framework
from kilvoice.records import POSSIBLE, Link, Statement, Theme

UNKNOWN = "not recorded"


def _breakdown(conv_ids: set[str], conversations: dict[str, dict], key: str) -> dict[str, int]:
    counts = Counter((conversations.get(c) or {}).get(key) or UNKNOWN for c in conv_ids)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def summarise(frameworks: list[Framework], themes: list[Theme], links: list[Link],
              statements: list[Statement], conversations: dict[str, dict], thresholds: dict) -> dict:
    """The ``info`` dict of the map stage (documented in docs/FRAMEWORKS.md)."""
    conv_of = {s.id: s.conversation_id for s in statements}
    theme_items: dict[tuple[str, str], list[str]] = defaultdict(list)
    item_stmts: dict[tuple[str, str], set[str]] = defaultdict(set)
    linked_themes: set[str] = set()
    possible: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for link in links:
        key = (link.framework_id, link.item_id)
        if link.status == POSSIBLE:
            possible[key][link.source_id] = max(link.score, possible[key].get(link.source_id, float("-inf")))
        elif link.source_kind == "theme":
            theme_items[key].append(link.source_id)
            linked_themes.add(link.source_id)
            item_stmts[key].update(link.evidence)
        else:
            item_stmts[key].add(link.source_id)
    out: dict = {"frameworks": {}, "thresholds": thresholds}
    for fw in frameworks:
        items = []
        for item in fw.items:
            key = (fw.id, item.id)
            sids = {s for s in item_stmts.get(key, set()) if s in conv_of}
            convs = {conv_of[s] for s in sids}
            items.append({
                "id": item.id, "title": item.title, "parent": item.parent,
                "linked_themes": sorted(set(theme_items.get(key, []))),
                "possible_themes": sorted(possible.get(key, {}), key=lambda t: (-possible[key][t], t)),
                "n_statements": len(sids), "n_conversations": len(convs),
                "areas": _breakdown(convs, conversations, "area"),
                "settings": _breakdown(convs, conversations, "setting"),
                "age_bands": _breakdown(convs, conversations, "age_band"),
                "gap": not sids and not theme_items.get(key),
            })
        out["frameworks"][fw.id] = {"title": fw.title, "items": items,
                                    "gaps": [it["id"] for it in items if it["gap"]]}
    out["unmapped_themes"] = [t.id for t in themes if t.id not in linked_themes and t.id != "other"]
    out["crosswalk"] = crosswalk(frameworks, links)
    return out


def crosswalk(frameworks: list[Framework], links: list[Link]) -> list[dict]:
    """Pairs of items in different frameworks that share at least one linked theme."""
    by_theme: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for link in links:
        if link.source_kind == "theme" and link.status != POSSIBLE:
            by_theme[link.source_id].append((link.framework_id, link.item_id))
    pairs: dict[tuple, set[str]] = defaultdict(set)
    for theme_id, items in by_theme.items():
        for a in items:
            for b in items:
                if a[0] < b[0]:
                    pairs[(a, b)].add(theme_id)
    return [{"a": {"framework_id": a[0], "item_id": a[1]}, "b": {"framework_id": b[0], "item_id": b[1]},
             "themes": sorted(t)} for (a, b), t in sorted(pairs.items())]

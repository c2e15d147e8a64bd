"""Helpers every renderer shares: the section order, hostile-text neutralisers and small lookups.

The writers live in ``html.py``, ``markdown.py``, ``docx.py`` and ``tabular.py``; each takes the
report context and an output folder and returns the files written.
"""
from __future__ import annotations

import re

from kilvoice.records import UNSTATED, is_catch_all

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

SECTIONS = (
    ("summary", "Summary of the big issues"),
    ("method", "Method and caveats"),
    ("reach", "Reach: who was heard"),
    ("themes", "Themes"),
    ("comparison", "Changes since the earlier run"),
    ("crosswalk", "Crosswalk to principles and strategies"),
    ("key-issues", "Key issues log"),
    ("rejects", "What could not be used"),
    ("decisions", "Appendix: officers' decision log"),
)


def sections(ctx: dict) -> list[tuple[str, str]]:
    """The report's sections, in order (the comparison only when one was asked for)."""
    return [(sid, title) for sid, title in SECTIONS if sid != "comparison" or ctx.get("comparison")]


def held_by(summary: dict) -> str:
    """Who held the conversations, for the method section (the notes may not say)."""
    n = summary.get("conversationalists") or 0
    return f"by {n} volunteer and staff conversationalists" if n else "(the notes do not say by whom)"


def safe_cell(value) -> str:
    """Neutralise spreadsheet formula injection: a leading ' on cells that would be formulas
    (=, +, -, @, tab, CR, LF), after dropping control characters."""
    text = "" if value is None else clean_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def clean_text(value) -> str:
    """Text without control characters (invalid in XML, unsafe in terminals); tabs and newlines kept."""
    text = "" if value is None else str(value)
    # printable text has none (control characters, surrogates and non-characters are not printable)
    return text if text.isprintable() else _CONTROL.sub("", text)


def lookups(ctx: dict) -> dict:
    """Titles by id, used by every renderer."""
    return {
        "theme_titles": {t["id"]: t["title"] for t in ctx["themes"]},
        "framework_titles": {f["id"]: f["title"] for f in ctx["frameworks"]},
        "item_titles": {(f["id"], i["id"]): i["title"] for f in ctx["frameworks"] for i in f["items"]},
    }


def links_lines(theme: dict, look: dict, esc=str, ids: bool = False) -> list[str]:
    """A theme's "Linked to: ..." line and, when it has any, its "Possible links: ..." line (weaker
    candidates an officer may accept; not counted). ``esc`` escapes each piece for the format."""
    out = []
    for key, label in (("links", "Linked to"), ("possible_links", "Possible links (not counted until an officer "
                                                                  "accepts them)")):
        if theme.get(key):
            out.append(f"{label}: " + "; ".join(
                f"{esc(look['item_titles'].get((lk['framework_id'], lk['item_id']), lk['item_id']))} "
                f"({lk['score']:.2f}" + (f", {esc(lk['id'])})" if ids else ")") for lk in theme[key]))
    return out


POSSIBLE_SHOWN = 5  # a crosswalk row names this many possible themes, the most similar first


def possible_text(item: dict, titles: dict) -> str:
    """"Possible: A; B; ..." for an item's possible themes (most similar first), at most
    POSSIBLE_SHOWN named; "" when it has none."""
    ids = item.get("possible_themes") or []
    if not ids:
        return ""
    text = "Possible: " + "; ".join(titles.get(x, x) for x in ids[:POSSIBLE_SHOWN])
    if len(ids) > POSSIBLE_SHOWN:
        text += f"; and {len(ids) - POSSIBLE_SHOWN} more, each shown in its theme's section"
    return text


def crosswalk_cell(item: dict, look: dict) -> str:
    """A crosswalk row's themes: the linked ones, then "possible: ..." for the possible ones."""
    titles = look["theme_titles"]
    text = ("Gap: no resident raised this" if item.get("gap") else
            "; ".join(titles.get(x, x) for x in item.get("linked_themes", [])) or "statements only")
    if item.get("possible_themes"):
        text += ". " + possible_text(item, titles)
    return text


def theme_groups(ctx: dict) -> list[tuple[dict | None, list[dict]]]:
    """Themes grouped under their parent: [(group or None, [themes])], 'other' last on its own.
    Within a group, a catch-all theme ("Mixed: ...") comes after the themes with a subject."""
    groups = [t for t in ctx["themes"] if t.get("kind") == "group"]
    leaves = sorted((t for t in ctx["themes"] if t.get("kind") == "theme"), key=lambda t: is_catch_all(t["title"]))
    out: list[tuple[dict | None, list[dict]]] = []
    used: set[str] = set()
    for g in groups:
        kids = [t for t in leaves if t["parent"] == g["id"]]
        if kids:
            out.append((g, kids))
            used.update(t["id"] for t in kids)
        else:
            out.append((None, [g]))
    rest = [t for t in leaves if t["id"] not in used]
    if rest:
        out.append((None, rest))
    other = [t for t in ctx["themes"] if t.get("kind") == "other"]
    if other:
        out.append((None, other))
    return out


def summary_rows(s: dict) -> list[list]:
    """The "What was received" table (label, count), the same in every format."""
    return [
        ["Files read", s["files_ok"]], ["Files that could not be read", s["files_rejected"]],
        ["Conversations received", s["conversations_received"]],
        *[[f"Excluded from analysis: {k.replace('_', ' ')}", n] for k, n in sorted(s["excluded"].items())],
        ["Conversations flagged for safeguarding (passed to the safeguarding lead; never quoted)",
         s["safeguarding_flagged"]],
        ["Statements withheld for safeguarding (not analysed)", s.get("safeguarding_withheld_statements", 0)],
        ["Conversations withheld whole for safeguarding", s.get("safeguarding_withheld_conversations", 0)],
        ["Conversations analysed", s["conversations_analysed"]],
        ["Conversations whose residents agreed to be quoted", s["quotable_conversations"]]]


def stance_text(stance: dict) -> str:
    """"strengths 4, problems 3, aspirations 2" (", no clear stance 5" when the run counted those)."""
    return (f"strengths {stance.get('strength', 0)}, problems {stance.get('problem', 0)}, "
            f"aspirations {stance.get('aspiration', 0)}"
            + (f", no clear stance {stance[UNSTATED]}" if UNSTATED in stance else ""))


STANCE_HEADER = "Strengths / problems / aspirations"


def stance_header(rows: list[dict]) -> str:
    """The key-issues column's heading: " / no clear stance" added when the run counted those."""
    return STANCE_HEADER + (" / no clear stance" if any(UNSTATED in r["stance"] for r in rows) else "")


def stance_cell(stance: dict, rows: list[dict]) -> str:
    """One key issue's "4 / 3 / 2" (or "4 / 3 / 2 / 5", with ``stance_header(rows)``'s fourth count)."""
    cells = [stance.get(k, 0) for k in ("strength", "problem", "aspiration")]
    if any(UNSTATED in r["stance"] for r in rows):
        cells.append(stance.get(UNSTATED, 0))
    return " / ".join(str(c) for c in cells)


HOLDS = {
    "holds": "Robust ({j:.2f}): refitted on other samples of the statements, the theme came back "
             "nearly the same.",
    "partly": "Partly robust ({j:.2f}): refitted on other samples, part of the theme went to "
              "neighbouring themes; its borders are uncertain.",
    "loose": "Loose ({j:.2f}): refitted on other samples, the theme broke up; check it against the "
             "statements before relying on it, and merge or split it in review.",
}


def holds_text(holds: dict | None) -> str:
    """One sentence on how well a theme held on resampling ("" when not measured)."""
    return HOLDS[holds["verdict"]].format(j=holds["jaccard"]) if holds else ""


def counts_text(counts: dict, limit: int = 6) -> str:
    items = list(counts.items())
    text = ", ".join(f"{k} ({n})" for k, n in items[:limit])
    return text + (f" and {len(items) - limit} more" if len(items) > limit else "")


# the writers, for callers that imported them from here
def write_html(ctx, out):  # pragma: no cover - thin alias
    from kilvoice.report.html import write_html as w

    return w(ctx, out)


def write_csvs(ctx, out):  # pragma: no cover - thin alias
    from kilvoice.report.tabular import write_csvs as w

    return w(ctx, out)


def write_json(ctx, out):  # pragma: no cover - thin alias
    from kilvoice.report.tabular import write_json as w

    return w(ctx, out)

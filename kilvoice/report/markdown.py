"""The Markdown report (report.md): the same sections as the HTML, as plain GitHub-flavoured
Markdown. Every value passes through :func:`md`, which makes HTML and Markdown syntax inert.
"""
from __future__ import annotations

import re
from pathlib import Path

from kilvoice.report.render import (clean_text, counts_text, crosswalk_cell, held_by, holds_text, links_lines, lookups,
                                    sections, stance_cell, stance_header, stance_text,
                                    summary_rows, theme_groups)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def md(value) -> str:
    """Inert Markdown text: HTML characters as entities, Markdown punctuation escaped, one line."""
    text = clean_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\s+", " ", text).strip()
    return _MD_SPECIAL.sub(r"\\\1", text)


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(md(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(md(v) for v in row) + " |" for row in rows]
    return out + [""]


def _quote(q: dict) -> str:
    return f"> “{md(q['text'])}” — {md(q['attribution'])} \\[{md(q['statement_id'])}\\]"


def render_markdown(ctx: dict) -> str:
    look = lookups(ctx)
    titles = dict(sections(ctx))
    s = ctx["summary"]
    out = [f"# {md(ctx['title'])}: what residents said", "",
           f"Run {md(ctx['run_id'])}, generated {md(ctx['generated_at'])} by kilvoice.", ""]
    out += [f"## {titles['summary']}", "",
            f"{s['conversations_analysed']} conversations were analysed ({s['conversations_received']} received, "
            f"{s['statements']} statements, {s['themes']} themes). The words most, many, some and a few describe "
            "how many conversations raised each issue; the count is beside them.", ""]
    out += _table(["Issue", "Raised in", "Conversations", stance_header(ctx["key_issues"])],
                  [[k["theme"], k["band"], k["conversations"], stance_cell(k["stance"], ctx["key_issues"])]
                   for k in ctx["key_issues"]])
    if s.get("catch_all_note"):
        out += [md(s["catch_all_note"]), ""]
    m = ctx["method"]
    out += [f"## {titles['method']}", "",
            f"{s['conversations_received']} conversations were held"
            + (f" between {md(m['first_date'])} and {md(m['last_date'])}" if m.get("first_date") else "")
            + f" {held_by(s)}"
            + (f" from {len(m['organisations'])} organisations ({md('; '.join(m['organisations']))})"
               if m.get("organisations") else "") + ". Personal data was removed before analysis.", ""]
    out += [f"- {md(c)}" for c in m["caveats"]] + [""]
    out += ["Prevalence words: " + "; ".join(f"*{md(w)}* = {md(x)}" for w, x in m["bands"].items()) + ".", ""]
    out += _table(["What", "Count"], summary_rows(s))
    out += [f"## {titles['reach']}", ""]
    for key, label in (("area", "Area"), ("setting", "Setting"), ("age_band", "Age band")):
        out += [f"### By {label.lower()}", ""]
        out += _table([label, "Conversations"], [[r["value"], r["conversations"]] for r in ctx["reach"][key]])
    bh = ctx["barely_heard"]
    out += ["### Barely heard", ""]
    heard = [f"{label}: {md(', '.join(bh[key]))}" for key, label in
             (("area", "Areas"), ("setting", "Settings"), ("age_band", "Age bands")) if bh.get(key)]
    out += ([f"- {h}" for h in heard] if heard else ["No area, setting or age band was much less heard."]) + [""]
    out += [f"## {titles['themes']}", ""]
    for group, members in theme_groups(ctx):
        if group:
            out += [f"### {md(group['title'])} ({md(group['id'])}; {group['n_conversations']} conversations)", ""]
        for t in members:
            signed = " — signed off" if t.get("signed_off") else ""
            out += [f"#### {md(t['title'])} ({md(t['id'])}){signed}", "", md(t["description"]), "",
                    f"**{md(t['band'].capitalize())}** conversations: {t['n_conversations']} conversations, "
                    f"{t['size']} statements ({stance_text(t['stance'])}).", "",
                    f"Keywords: {md(', '.join(t['keywords']))}. Areas: {md(counts_text(t['areas'], 10))}.", ""]
            if t.get("holds"):
                out += [md(holds_text(t["holds"])), ""]
            for q in t["quotes"]:
                out += [_quote(q), ""]
            for line in links_lines(t, look, md, ids=True):
                out += [line, ""]
    comp = ctx.get("comparison")
    if comp:
        out += [f"## {titles['comparison']}", "", f"Compared with run {md(comp['earlier_run'])}.", ""]
        out += _table(["Change", "Theme now", "Theme before", "Share now", "Share before"],
                      [[c["status"], f"{c.get('title') or ''} {c.get('theme_id') or ''}".strip(),
                        f"{c.get('earlier_title') or ''} {c.get('earlier_theme_id') or ''}".strip(),
                        f"{100 * c.get('share', 0):.0f}%", f"{100 * c.get('earlier_share', 0):.0f}%"]
                       for c in comp["themes"]])
    out += [f"## {titles['crosswalk']}", ""]
    for fw in ctx["frameworks"]:
        out += [f"### {md(fw['title'])}", ""]
        out += _table(["Item", "Linked themes", "Conversations"], [
            [f"{i['id']} {i['title']}", crosswalk_cell(i, look), i.get("n_conversations", 0)]
            for i in fw["items"]])
    out += ["### Resident themes no framework item covers", ""]
    out += ([f"- {md(look['theme_titles'].get(x, x))} ({md(x)})" for x in ctx["unmapped_themes"]]
            or ["Every theme links to at least one framework item."]) + [""]
    out += [f"## {titles['key-issues']}", ""]
    out += _table(["Issue", "Theme", "Conversations", "Linked objectives", "Suggested owner", "Status"],
                  [[k["id"], f"{k['theme']} ({k['theme_id']})", k["conversations"],
                    "; ".join(f"{o['item_id']} {o['title']}" for o in k["objectives"]) or "none",
                    k["owner"], k["status"]] for k in ctx["key_issues"]])
    out += [f"## {titles['rejects']}", ""]
    out += (_table(["File", "Code", "Reason"], [[f["path"], f["code"], f["reason"]] for f in ctx["rejected_files"]])
            if ctx["rejected_files"] else ["Every file was read.", ""])
    if ctx["rejects"]:
        out += _table(["Stage", "Reason code", "Count", "Reason"],
                      [[r["stage"], r["code"], r["count"], r["reason"]] for r in ctx["rejects"]])
    if ctx["summary"].get("not_in_english_note"):
        out += [md(ctx["summary"]["not_in_english_note"]), ""]
    out += [f"## {titles['decisions']}", ""]
    out += (_table(["#", "When", "Who", "Decision", "Reason"],
                   [[d["id"], d["created_at"], d["user"], d["decision"], d["reason"]] for d in ctx["decisions"]])
            if ctx["decisions"] else ["No review decisions have been recorded.", ""])
    return "\n".join(out)


def write_markdown(ctx: dict, out: Path) -> list[Path]:
    path = Path(out) / "report.md"
    path.write_text(render_markdown(ctx), encoding="utf-8")
    return [path]

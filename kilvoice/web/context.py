"""The web pages' context: the report's context (:func:`kilvoice.report.context.build_context`) for the
latest run, plus what review adds (sign-offs, quote decisions, the statements of a theme ranked by
typicality, a page at a time from the store). Only redacted text; templates escape it.
"""
from __future__ import annotations

import json

from kilvoice.report.context import attribution, build_context
from kilvoice.review.decisions import latest_run_id
from kilvoice.store import Store


def review_state(ctx: dict) -> dict:
    return (ctx.get("manifest") or {}).get("review") or {}


def web_context(store: Store, run_id: str | None = None) -> dict | None:
    """Report context of ``run_id`` (default latest finished run) with review overlays; None if no run."""
    run_id = run_id or latest_run_id(store)
    if run_id is None:
        return None
    ctx = build_context(store, run_id)
    review = review_state(ctx)
    quotes = review.get("quotes", {})
    signed = set(review.get("signed_off", []))
    for t in ctx["themes"]:
        t["signed_off"] = t["id"] in signed
        t["quotes"] = [q for q in t["quotes"] if quotes.get(q["statement_id"]) is not False]
    for fw in ctx["frameworks"]:
        for item in fw["items"]:
            item["quotes"] = [q for q in item.get("quotes", []) if quotes.get(q["statement_id"]) is not False]
    ctx["review"] = review
    return ctx


PER_PAGE = 200  # statements per page of a theme (a theme of a national run holds tens of thousands)
LINKS_PER_PAGE = 500


def _primary_of(theme_id: str) -> tuple[str, tuple]:
    return "FROM assignments a WHERE a.run_id=? AND a.theme_id=? AND a.is_primary=1", (theme_id,)


def theme_statement_count(store: Store, ctx: dict, theme_id: str) -> int:
    """How many statements have ``theme_id`` as their primary theme in the context's run."""
    where, args = _primary_of(theme_id)
    return store.db.execute(f"SELECT COUNT(*) {where}", (ctx["run_id"], *args)).fetchone()[0]


def theme_statements(store: Store, ctx: dict, theme_id: str, page: int = 1, per_page: int = PER_PAGE) -> list[dict]:
    """One page (from 1) of the statements whose primary theme is ``theme_id``, most typical (highest
    score) first, read from the store: the web app never holds every statement of a run."""
    convs = {c["id"]: c for c in store.conversations(None)}
    flagged = {f["conversation_id"] for f in store.flags("safeguarding")}
    quotes = review_state(ctx).get("quotes", {})
    analysed = ctx["_rows"]
    where, args = _primary_of(theme_id)
    rows = []
    for r in store.db.execute(
            "SELECT s.id, s.text, s.conversation_id, s.question, a.score FROM (SELECT a.statement_id, a.score"
            f" {where}) a JOIN statements s ON s.id=a.statement_id ORDER BY a.score DESC, s.id"
            " LIMIT ? OFFSET ?", (ctx["run_id"], *args, per_page, (max(1, page) - 1) * per_page)):
        if r["id"] not in analysed:
            continue
        conv = convs.get(r["conversation_id"], {})
        consent = conv.get("consent_to_quote") == 1 and conv.get("id") not in flagged
        rows.append({"id": r["id"], "text": r["text"], "score": round(float(r["score"]), 3),
                     "conversation_id": r["conversation_id"], "question": r["question"],
                     "attribution": attribution(conv), "consent": consent,
                     "publishable": consent and quotes.get(r["id"], True) is not False})
    return rows


def theme_summary(t: dict) -> dict:
    """The JSON shape of a theme in /themes.json."""
    return {k: t[k] for k in ("id", "title", "description", "keywords", "size", "n_conversations", "band", "stance",
                              "holds", "areas", "settings", "signed_off", "links", "quotes")} | {
        "possible_links": t.get("possible_links", [])}


def link_rows(store: Store, ctx: dict, page: int = 1, per_page: int = LINKS_PER_PAGE) -> list[dict]:
    """The run's theme links, then one page (from 1) of its statement links read from the store, with titles,
    for the frameworks page (a national run has a statement link per linked statement)."""
    titles = {t["id"]: t["title"] for t in ctx["themes"]}
    items = {(f["id"], i["id"]): i.get("title", i["id"]) for f in ctx["frameworks"] for i in f["items"]}
    statement_links = store.db.execute(
        "SELECT * FROM links WHERE run_id=? AND source_kind='statement' ORDER BY framework_id, item_id, score DESC,"
        " source_id LIMIT ? OFFSET ?", (ctx["run_id"], per_page, (max(1, page) - 1) * per_page))
    out = []
    for l in [*(ctx["links"] if page <= 1 else []), *map(dict, statement_links)]:
        out.append({"source_kind": l["source_kind"], "source_id": l["source_id"],
                    "source_title": titles.get(l["source_id"], l["source_id"]),
                    "framework_id": l["framework_id"], "item_id": l["item_id"],
                    "item_title": items.get((l["framework_id"], l["item_id"]), l["item_id"]),
                    "score": round(float(l["score"]), 3), "rationale": l["rationale"],
                    "evidence": json.loads(l["evidence"]) if isinstance(l["evidence"], str) else l["evidence"],
                    "accepted": "accepted by officer" in (l["rationale"] or ""),
                    "status": l.get("status") or "link"})
    out.sort(key=lambda r: (r["source_kind"] != "theme", r["framework_id"], r["item_id"], -r["score"]))
    return out

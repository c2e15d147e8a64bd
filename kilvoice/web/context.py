"""The web pages' context: the report's context (:func:`kilvoice.report.context.build_context`) for the
latest run, plus what review adds (sign-offs, quote decisions, every statement of a theme ranked by
typicality). Only redacted text; templates escape it.
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


def theme_statements(store: Store, ctx: dict, theme_id: str) -> list[dict]:
    """All statements whose primary theme is ``theme_id``, most typical (highest score) first."""
    convs = {c["id"]: c for c in store.conversations(None)}
    flagged = {f["conversation_id"] for f in store.flags("safeguarding")}
    quotes = review_state(ctx).get("quotes", {})
    rows = []
    for sid, assigned in ctx["assignments"].items():
        for a in assigned:
            if a["theme_id"] == theme_id and a["is_primary"]:
                st = ctx["statements"].get(sid)
                if st is None:
                    continue
                conv = convs.get(st["conversation_id"], {})
                consent = conv.get("consent_to_quote") == 1 and conv.get("id") not in flagged
                rows.append({"id": sid, "text": st["text"], "score": round(float(a["score"]), 3),
                             "conversation_id": st["conversation_id"], "question": st["question"],
                             "attribution": attribution(conv), "consent": consent,
                             "publishable": consent and quotes.get(sid, True) is not False})
    rows.sort(key=lambda r: (-r["score"], r["id"]))
    return rows


def theme_summary(t: dict) -> dict:
    """The JSON shape of a theme in /themes.json."""
    return {k: t[k] for k in ("id", "title", "description", "keywords", "size", "n_conversations", "band", "stance",
                              "holds", "areas", "settings", "signed_off", "links", "quotes")} | {
        "possible_links": t.get("possible_links", [])}


def link_rows(ctx: dict) -> list[dict]:
    """Every link of the run, with titles, for the frameworks page."""
    titles = {t["id"]: t["title"] for t in ctx["themes"]}
    items = {(f["id"], i["id"]): i.get("title", i["id"]) for f in ctx["frameworks"] for i in f["items"]}
    out = []
    for l in ctx["links"]:
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

"""Derived tables of the report context: the key-issues log and the principle coverage heatmap.

Both are pure functions of the context built by :func:`kilvoice.report.context.build_context`.
"""
from __future__ import annotations

from kilvoice.records import is_catch_all

PRINCIPLES = "keep-it-local"


def leaf_themes(ctx: dict) -> list[dict]:
    """The themes the report counts as issues: leaf themes, or the groups when there are no leaves."""
    leaves = [t for t in ctx["themes"] if t.get("kind") == "theme"]
    return leaves or [t for t in ctx["themes"] if t.get("kind") == "group"]


def issue_order(t: dict) -> tuple:
    """Most conversations first; catch-all themes ("Mixed: ...") after every theme with a subject,
    so the first issue a reader sees is never a heap of varied remarks."""
    return (is_catch_all(t["title"]), -t["n_conversations"], -t["size"], t["id"])


def catch_all_note(ctx: dict) -> str:
    """The sentence under the summary table when it lists catch-all themes, else ""."""
    n = sum(1 for t in leaf_themes(ctx) if is_catch_all(t["title"]))
    if not n:
        return ""
    if n == 1:
        return ('The theme titled "Mixed: ..." gathers varied remarks rather than one subject, so it is listed '
                "last whatever its size. Read its statements, then split or rename it, before relying on it.")
    return (f'{n} themes titled "Mixed: ..." gather varied remarks rather than one subject, so they are listed '
            "last whatever their size. Read their statements, then split or rename them, before relying on them.")


def _item_index(ctx: dict) -> dict[tuple[str, str], dict]:
    return {(f["id"], i["id"]): {**i, "framework_title": f["title"], "framework_owner": f.get("owner", "")}
            for f in ctx["frameworks"] for i in f["items"]}


def key_issues(ctx: dict) -> list[dict]:
    """One row per issue (theme): evidence, linked objectives, suggested owner and status.

    The suggested owner is the ``owner`` of the best-scoring linked strategy item (items of
    frameworks other than the principles come first), else that framework's owner. Status is
    ``signed off`` when an officer signed the theme off in the decision log, else ``open``.
    """
    items = _item_index(ctx)
    parents = {t["id"]: t["title"] for t in ctx["themes"]}
    rows = []
    ordered = sorted(leaf_themes(ctx), key=issue_order)
    for n, t in enumerate(ordered, 1):
        linked = sorted(t.get("links", []), key=lambda l: (l["framework_id"] == PRINCIPLES, -l["score"]))
        objectives = []
        for l in linked:
            item = items.get((l["framework_id"], l["item_id"]), {})
            objectives.append({"framework_id": l["framework_id"], "item_id": l["item_id"],
                               "title": item.get("title", l["item_id"]), "score": l["score"], "link_id": l["id"]})
        owner = ""
        for l in linked:
            item = items.get((l["framework_id"], l["item_id"]), {})
            owner = item.get("owner") or item.get("framework_owner") or ""
            if owner:
                break
        rows.append({
            "id": f"KI{n:02d}", "theme_id": t["id"], "theme": t["title"],
            "group": parents.get(t["parent"] or "", ""),
            "band": t["band"], "conversations": t["n_conversations"], "statements": t["size"],
            "stance": t.get("stance", {}),
            "objectives": objectives,
            "owner": owner or "to be assigned",
            "status": "signed off" if t.get("signed_off") else "open",
            "catch_all": is_catch_all(t["title"]),
        })
    return rows


def heatmap(ctx: dict, framework_id: str = PRINCIPLES) -> dict | None:
    """Themes x items of one framework, each cell the theme's link score (0 when not linked)."""
    fw = next((f for f in ctx["frameworks"] if f["id"] == framework_id), None)
    if fw is None:
        return None
    cols = [{"id": i["id"], "title": i["title"]} for i in fw["items"] if not i.get("parent")]
    rows = []
    for t in sorted(leaf_themes(ctx), key=issue_order):
        score = {l["item_id"]: l["score"] for l in t.get("links", []) if l["framework_id"] == framework_id}
        rows.append({"theme_id": t["id"], "title": t["title"],
                     "scores": [round(float(score.get(c["id"], 0.0)), 3) for c in cols]})
    return {"framework_id": framework_id, "title": fw["title"], "columns": cols, "rows": rows}

"""The report context: one documented, plain-dict object every renderer (HTML, CSV, JSON,
later Word and the web app) draws from. Built from the store, so a report can be
re-rendered for any past run. Only redacted text enters it; quotes respect consent and
safeguarding flags.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

from kilvoice.store import Store

PLACEHOLDER = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")
BANDS = ((0.5, "most"), (0.25, "many"), (0.10, "some"), (0.0, "a few"))


def prevalence_band(n: int, total: int) -> str:
    if total <= 0 or n <= 0:
        return "none"
    share = n / total
    for floor, word in BANDS:
        if share >= floor:
            return word
    return "a few"


def attribution(conv: dict) -> str:
    parts = ["resident"]
    if conv.get("age_band"):
        parts.append(str(conv["age_band"]))
    if conv.get("setting"):
        parts.append(f"{conv['setting']} setting")
    if conv.get("postcode_district"):
        parts.append(str(conv["postcode_district"]))
    return ", ".join(parts)


def _breakdown(convs: list[dict], key: str) -> list[dict]:
    counts = Counter((c.get(key) or "not recorded") for c in convs)
    return [{"value": k, "conversations": n} for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def build_context(store: Store, run_id: str, manifest: dict | None = None, map_info: dict | None = None,
                  quotes_per_theme: int = 3) -> dict:
    db = store.db
    run = dict(db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone())
    manifest = manifest or json.loads(run.get("manifest") or "{}")
    all_convs = store.conversations(None)
    live = [c for c in all_convs if c["status"] != "superseded"]
    flagged_safe = {f["conversation_id"] for f in store.flags("safeguarding")}
    analysed = [c for c in live if c["status"] == "ok" and c["id"] not in flagged_safe]
    conv_by_id = {c["id"]: c for c in all_convs}
    statements = {r["id"]: dict(r) for r in db.execute(
        "SELECT s.* FROM statements s JOIN assignments a ON a.statement_id=s.id AND a.run_id=? GROUP BY s.id",
        (run_id,))}
    assignments = defaultdict(list)
    for r in db.execute("SELECT * FROM assignments WHERE run_id=? ORDER BY statement_id, is_primary DESC, score DESC",
                        (run_id,)):
        assignments[r["statement_id"]].append(dict(r))
    links = [dict(r) for r in db.execute("SELECT * FROM links WHERE run_id=? ORDER BY score DESC", (run_id,))]
    n_total = len(analysed)

    def quote(sid: str) -> dict | None:
        st = statements.get(sid)
        if not st:
            return None
        conv = conv_by_id.get(st["conversation_id"], {})
        if conv.get("consent_to_quote") != 1 or conv.get("id") in flagged_safe:
            return None
        return {"statement_id": sid, "text": st["text"], "attribution": attribution(conv)}

    def quotes_for(sids: list[str], k: int) -> list[dict]:
        found = [q for q in (quote(s) for s in sids) if q]
        found.sort(key=lambda q: bool(PLACEHOLDER.search(q["text"])))  # stable: typical first, clean first
        return found[:k]

    theme_links = defaultdict(list)
    for link in links:
        if link["source_kind"] == "theme":
            theme_links[link["source_id"]].append(link)

    themes = []
    for r in db.execute("SELECT * FROM themes WHERE run_id=? ORDER BY id='other', size DESC, id", (run_id,)):
        t = dict(r)
        rep = json.loads(t["representative"])
        convs = {statements[s]["conversation_id"] for s in rep if s in statements}
        areas = Counter((conv_by_id[c].get("area") or "not recorded") for c in convs if c in conv_by_id)
        settings = Counter((conv_by_id[c].get("setting") or "not recorded") for c in convs if c in conv_by_id)
        themes.append({
            "id": t["id"], "title": t["title"], "description": t["description"],
            "keywords": json.loads(t["keywords"]), "size": t["size"], "n_conversations": t["n_conversations"],
            "band": prevalence_band(t["n_conversations"], n_total), "parent": t["parent"],
            "stance": json.loads(t["stance"]),
            "areas": dict(areas.most_common()), "settings": dict(settings.most_common()),
            "quotes": quotes_for(rep, quotes_per_theme),
            "statement_ids": rep,
            "links": [{"framework_id": l["framework_id"], "item_id": l["item_id"], "score": round(l["score"], 3),
                       "rationale": l["rationale"], "evidence": json.loads(l["evidence"])}
                      for l in theme_links.get(t["id"], [])],
        })

    frameworks = []
    coverage = (map_info or manifest.get("coverage") or {}).get("frameworks", {})
    for fid, fw in coverage.items():
        items = []
        for item in fw.get("items", []):
            evidence = [l for l in links if l["framework_id"] == fid and l["item_id"] == item["id"]]
            ev_sids: list[str] = []
            for l in evidence:
                ev_sids += json.loads(l["evidence"])
            items.append({**item, "quotes": quotes_for(list(dict.fromkeys(ev_sids)), 3)})
        frameworks.append({"id": fid, "title": fw.get("title", fid), "items": items})

    reject_counts = Counter((r["stage"], r["code"]) for r in db.execute(
        "SELECT stage, code FROM rejects WHERE run_id=?", (run_id,)))
    files = store.files()
    return {
        "title": manifest.get("config", {}).get("project", {}).get("title")
                 or manifest.get("config", {}).get("project", {}).get("name", "kilvoice report"),
        "run_id": run_id,
        "generated_at": run.get("started_at"),
        "summary": {
            "conversations_received": len(live),
            "conversations_analysed": n_total,
            "excluded": dict(Counter(c["status"] for c in live if c["status"] != "ok")),
            "safeguarding_flagged": len(flagged_safe),
            "files_ok": sum(1 for f in files if f["status"] == "ok"),
            "files_rejected": sum(1 for f in files if f["status"] == "rejected"),
            "statements": len(statements),
            "themes": len([t for t in themes if t["id"] != "other"]),
            "conversationalists": len({c["conversationalist_id"] for c in analysed if c["conversationalist_id"]}),
        },
        "reach": {key: _breakdown(analysed, key) for key in ("area", "postcode_district", "setting", "age_band")},
        "themes": themes,
        "frameworks": frameworks,
        "unmapped_themes": (map_info or manifest.get("coverage") or {}).get("unmapped_themes", []),
        "rejects": [{"stage": s, "code": c, "count": n} for (s, c), n in sorted(reject_counts.items())],
        "rejected_files": [{"path": f["path"], "code": f["error_code"], "reason": f["error_message"]}
                           for f in files if f["status"] == "rejected"],
        "redactions": store.redaction_counts(),
        "manifest": manifest,
        "statements": statements,
        "assignments": assignments,
        "links": links,
    }

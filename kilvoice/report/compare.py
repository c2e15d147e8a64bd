"""Compare two runs or waves: which themes are new, persisting, growing, shrinking or faded.

Themes are matched one-to-one across runs, best first, by the largest of three similarities:
shared statements (the share of the smaller theme's statements found in the other: re-runs and
later waves over the same store keep statement ids, and a theme that grew keeps its old ones),
keywords (Jaccard of keyword sets) and meaning (cosine of the themes' mean statement embeddings
from the store's embedding cache, rescaled so 0.85 -> 0 and 1.0 -> 1, weighted 0.6: mean
embeddings of any two themes are close, so meaning only decides when nothing else does).
Prevalence is compared as the share of each run's conversations, so waves of different sizes
compare fairly. Measured on the samples (a wave of 69 notes, then all 166): every wave-1 theme
matched the later theme holding 50-100% of its statements.
"""
from __future__ import annotations

import json
from collections import defaultdict

import numpy as np

from kilvoice.errors import KilvoiceError
from kilvoice.store import Store

MATCH_AT = 0.3          # a pair of themes is the same theme when its best similarity reaches this
MEANING_FROM, MEANING_WEIGHT = 0.85, 0.6
GROW = 1.25             # share ratio at or above which a persisting theme is "growing" (1 / GROW: "shrinking")
MIN_CHANGE = 0.05       # ... and its share of conversations changed by at least this much


def _conversation_of(sid: str) -> str:
    return sid.rsplit("-u", 1)[0] if "-u" in sid else sid


def _run_themes(store: Store, run_id: str) -> tuple[list[dict], int]:
    """Leaf themes of a run with their statement ids, and the run's number of conversations."""
    from kilvoice.report.context import is_theme

    if store.db.execute("SELECT 1 FROM runs WHERE id=? AND status='done'", (run_id,)).fetchone() is None:
        raise KilvoiceError("K303", run=run_id, path=store.path,
                            available=", ".join(r["id"] for r in store.runs() if r["status"] == "done") or "none")
    members: dict[str, set[str]] = defaultdict(set)
    for sid, tid in store.db.execute(
            "SELECT statement_id, theme_id FROM assignments WHERE run_id=? AND is_primary=1", (run_id,)):
        members[tid].add(sid)
    conv_of = {r[0]: r[1] for r in store.db.execute(
        "SELECT s.id, s.conversation_id FROM statements s JOIN assignments a ON a.statement_id=s.id AND a.run_id=?",
        (run_id,))}
    all_convs = {conv_of.get(s) or _conversation_of(s) for ids in members.values() for s in ids}
    themes = []
    for r in store.db.execute("SELECT * FROM themes WHERE run_id=? ORDER BY id", (run_id,)):
        t = dict(r)
        if not is_theme(t):
            continue
        ids = members.get(t["id"], set()) or set(json.loads(t["representative"]))
        themes.append({"id": t["id"], "title": t["title"], "keywords": {k.lower() for k in json.loads(t["keywords"])},
                       "statements": ids, "n_conversations": t["n_conversations"]})
    return themes, len(all_convs)


def _statement_vectors(store: Store, run_id: str, model_id: str) -> dict[str, np.ndarray]:
    """Each of the run's assigned statements' cached vector. The run embedded a statement's analysed
    text (disfluencies out, and redaction placeholders out for embedders that do not read them:
    ``kilvoice.pipeline.step_embed``), so that text's hash is looked up first, then the stored text's."""
    from kilvoice.embed import text_hash
    from kilvoice.substantive import analysed_text, without_placeholders

    forms: dict[str, list[str]] = {}
    for sid, text in store.db.execute(
            "SELECT s.id, s.text FROM statements s JOIN assignments a ON a.statement_id=s.id AND a.run_id=?",
            (run_id,)):
        analysed = analysed_text(text)
        forms[sid] = list(dict.fromkeys(text_hash(f) for f in (without_placeholders(analysed), analysed, text)))
    vectors = store.get_embeddings(model_id, sorted({h for hs in forms.values() for h in hs}))
    out = {}
    for sid, hashes in forms.items():
        found = next((h for h in hashes if h in vectors), None)
        if found is not None:
            out[sid] = vectors[found]
    return out


def _centroids(store: Store, run_id: str, themes: list[dict]) -> dict[str, np.ndarray]:
    """Mean embedding of each theme's statements, from the embedding cache (empty when absent)."""
    row = store.db.execute("SELECT manifest FROM runs WHERE id=?", (run_id,)).fetchone()
    model_id = json.loads(row[0] or "{}").get("embedder") if row else None
    if not model_id:
        return {}
    vectors = _statement_vectors(store, run_id, model_id)
    out = {}
    for t in themes:
        vs = [vectors[s] for s in t["statements"] if s in vectors]
        if vs:
            c = np.mean(np.stack(vs).astype(np.float32), axis=0)
            n = float(np.linalg.norm(c))
            if n > 0:
                out[t["id"]] = c / n
    return out


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _overlap(a: set, b: set) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def similarity(a: dict, b: dict, ca: np.ndarray | None = None, cb: np.ndarray | None = None) -> tuple[float, str]:
    """(score, what matched) for two themes; pure."""
    scores = {"shared statements": _overlap(a["statements"], b["statements"]),
              "keywords": _jaccard(a["keywords"], b["keywords"])}
    if ca is not None and cb is not None and ca.shape == cb.shape:
        scaled = (float(ca @ cb) - MEANING_FROM) / (1 - MEANING_FROM)
        scores["meaning"] = MEANING_WEIGHT * max(0.0, min(1.0, scaled))
    how = max(scores, key=lambda k: scores[k])
    return round(scores[how], 3), how


def compare_runs(store: Store, run_a: str, run_b: str) -> dict:
    """Compare an earlier run ``run_a`` with a later run ``run_b`` (see the module docstring)."""
    if run_a == run_b:
        raise KilvoiceError("K900", run=run_a)
    themes_a, total_a = _run_themes(store, run_a)
    themes_b, total_b = _run_themes(store, run_b)
    cen_a, cen_b = _centroids(store, run_a, themes_a), _centroids(store, run_b, themes_b)
    pairs = []
    for a in themes_a:
        for b in themes_b:
            score, how = similarity(a, b, cen_a.get(a["id"]), cen_b.get(b["id"]))
            if score >= MATCH_AT:
                pairs.append((score, a["id"], b["id"], how))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    by_a = {t["id"]: t for t in themes_a}
    by_b = {t["id"]: t for t in themes_b}
    used_a: set[str] = set()
    used_b: set[str] = set()
    rows = []

    def share(n: int, total: int) -> float:
        return round(n / total, 4) if total else 0.0

    for score, ia, ib, how in pairs:
        if ia in used_a or ib in used_b:
            continue
        used_a.add(ia)
        used_b.add(ib)
        a, b = by_a[ia], by_b[ib]
        sa, sb = share(a["n_conversations"], total_a), share(b["n_conversations"], total_b)
        status = "persisting"
        if sb >= sa * GROW and sb - sa >= MIN_CHANGE:
            status = "growing"
        elif sb * GROW <= sa and sa - sb >= MIN_CHANGE:
            status = "shrinking"
        rows.append({"status": status, "theme_id": ib, "title": b["title"], "earlier_theme_id": ia,
                     "earlier_title": a["title"], "conversations": b["n_conversations"],
                     "earlier_conversations": a["n_conversations"], "share": sb, "earlier_share": sa,
                     "similarity": score, "matched_by": how})
    for b in themes_b:
        if b["id"] not in used_b:
            rows.append({"status": "new", "theme_id": b["id"], "title": b["title"], "earlier_theme_id": None,
                         "earlier_title": None, "conversations": b["n_conversations"], "earlier_conversations": 0,
                         "share": share(b["n_conversations"], total_b), "earlier_share": 0.0, "similarity": 0.0,
                         "matched_by": ""})
    for a in themes_a:
        if a["id"] not in used_a:
            rows.append({"status": "faded", "theme_id": None, "title": None, "earlier_theme_id": a["id"],
                         "earlier_title": a["title"], "conversations": 0,
                         "earlier_conversations": a["n_conversations"], "share": 0.0,
                         "earlier_share": share(a["n_conversations"], total_a), "similarity": 0.0, "matched_by": ""})
    order = {"new": 0, "growing": 1, "persisting": 2, "shrinking": 3, "faded": 4}
    rows.sort(key=lambda r: (order[r["status"]], -(r["share"] or r["earlier_share"]), r["theme_id"] or "",
                             r["earlier_theme_id"] or ""))
    counts = {k: sum(1 for r in rows if r["status"] == k) for k in order}
    return {"earlier_run": run_a, "run": run_b, "earlier_conversations": total_a, "conversations": total_b,
            "counts": counts, "themes": rows}

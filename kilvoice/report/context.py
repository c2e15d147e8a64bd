"""The report context: one documented, plain-dict object every renderer (HTML, Markdown, Word,
CSV, XLSX, JSON and the web app) draws from. Built from the store, so a report can be
re-rendered for any past run. Only redacted text enters it; quotes respect consent, officers'
quote decisions and safeguarding flags. Its shape is documented in docs/REPORT_SCHEMA.md.

Building it is pure reading: no model, no network, no writes.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

from kilvoice.report.rows import RunRows
from kilvoice.store import Store
from kilvoice.records import LINK, POSSIBLE, UNSTATED

SCHEMA_VERSION = "2.0"
# whole ([PERSON_1]) or cut (PERSON_1]) redaction placeholders: such statements are quoted last
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*(?:_\d+)?\]|\b[A-Z]{3,}(?:_[A-Z]+)*_\d+\]")
BANDS = ((0.5, "most"), (0.25, "many"), (0.10, "some"), (0.0, "a few"))
BAND_MEANINGS = {"most": "half or more of conversations", "many": "a quarter or more",
                 "some": "a tenth or more", "a few": "fewer than a tenth"}
UNKNOWN = "not recorded"
REACH_KEYS = ("area", "postcode_district", "setting", "age_band")
CAVEATS = (
    "Counts are of conversations, not votes: a theme raised in many conversations is not necessarily "
    "what most residents think, and a conversation that raised a point several times counts once.",
    "Views were recorded by volunteer conversationalists in their own words and have not been verified.",
    "The people who took part chose to; they are self-selected and may not be representative of the district.",
    "Themes were found by a statistical model and checked by officers; every link to a principle or "
    "objective is a suggestion for an officer to accept or reject.",
    "Quotes are used only where the resident agreed to be quoted. They are anonymised: personal data "
    "was removed and residents are described only by age band, setting and postcode district.",
)
SAFEGUARDING_CAVEAT = {
    "statement": "Statements that record a safeguarding concern were passed to the safeguarding lead and "
                 "withheld from the analysis; the rest of those conversations was analysed but is never quoted.",
    "conversation": "Conversations that record a safeguarding concern were passed to the safeguarding lead; "
                    "they are counted but their content is not analysed or quoted.",
}
WITHHELD_CODES = ("K680", "K681")
# where the rows that grow with the run are written (report.json names them; it does not hold them)
PER_STATEMENT_FILES = (("statements", ["statements.csv", "statements.parquet"]), ("links", ["mapping.csv"]))


def withhold_policy(manifest: dict) -> str:
    """What a safeguarding flag withheld in this run: "statement" or "conversation" (runs made before
    the setting existed withheld whole conversations)."""
    policy = (manifest.get("safeguarding") or {}).get("withhold")
    return policy if policy in SAFEGUARDING_CAVEAT else ("conversation" if manifest else "statement")


def robustness(stability) -> str | None:
    """The theme-stability caveat in words, or None when the run did not measure it."""
    if stability is None:
        return None
    s = float(stability)
    verdict = ("robust: the themes should hold if more conversations came in" if s >= 0.7 else
               "moderately robust: the larger themes hold, but statements near the border of two similar "
               "themes may move" if s >= 0.4 else
               "fragile: treat the smaller themes as provisional and check them against the notes")
    return (f"Theme robustness: fitting the theme model again on two different 90% samples of the statements "
            f"grouped them with an agreement of {s:.2f} (adjusted Rand index: 1 = the same grouping, "
            f"0 = no better than chance); {verdict}. Each theme says how well it held on its own "
            f"(robust, partly robust or loose).")


def embedder_note(choice: dict | None) -> str | None:
    """Which embedder turned the statements into vectors and why, when the run chose it
    (``kilvoice.embed.auto.v1``), or None."""
    if not choice:
        return None
    name = ("a transformer model (all-MiniLM-L6-v2, int8 ONNX)" if "onnx" in choice["chosen"]
            else "the bundled static model (word vectors distilled from all-MiniLM-L6-v2)")
    return (f"Statements were compared by meaning using {name}, chosen automatically: {choice['reason']} "
            f"({choice['chosen']}).")


def stance_note(themes: list[dict]) -> str | None:
    """How many statements say no clear stance, when the run counted them (stance read as
    ``cues.v2``: kilvoice.topics.stance), or None."""
    counted = [t for t in themes if t["kind"] != "group" and UNSTATED in (t.get("stance") or {})]
    if not counted:
        return None
    n, total = sum(t["stance"][UNSTATED] for t in counted), sum(t["size"] for t in counted)
    return (f"Strengths, problems and aspirations are read from each statement's words and, for answers to the "
            f"conversation's questions, from the question answered. {n} of {total} statements answer no question "
            "and use no word of praise, complaint or wish: they are counted as saying no clear stance, not as "
            "strengths, and a theme's leaning (\"mostly strengths\") is judged on the statements that say one.")


def theme_holds(measured: dict | None, size: int) -> dict | None:
    """How well one theme held when the model was refitted on two 90% samples: ``{"jaccard",
    "verdict"}`` with verdict "holds" (>= 0.75), "partly" (>= 0.5) or "loose" (Hennig 2007), or
    None when not measured or when review edits have since changed the theme's size. The verdict
    is read off the figure shown (two decimals), so "0.50" is never called loose."""
    from kilvoice.holds import verdict  # not kilvoice.topics: the report need not import the theme stage

    if not measured or measured.get("size") != size:
        return None
    return {"jaccard": round(float(measured["jaccard"]), 2), "verdict": verdict(measured["jaccard"])}


def prevalence_band(n: int, total: int) -> str:
    """'most' / 'many' / 'some' / 'a few' (or 'none') from a conversation count."""
    if total <= 0 or n <= 0:
        return "none"
    share = n / total
    for floor, word in BANDS:
        if share >= floor:
            return word
    return "a few"


def attribution(conv: dict) -> str:
    """Anonymous attribution, e.g. 'resident, 65-74, community setting, KV9'."""
    parts = ["resident"]
    if conv.get("age_band"):
        parts.append(str(conv["age_band"]))
    if conv.get("setting"):
        parts.append(f"{conv['setting']} setting")
    if conv.get("postcode_district"):
        parts.append(str(conv["postcode_district"]))
    return ", ".join(parts)


def _breakdown(convs: list[dict], key: str) -> list[dict]:
    counts = Counter((c.get(key) or UNKNOWN) for c in convs)
    return [{"value": k, "conversations": n} for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def barely_heard(rows: list[dict], total: int) -> list[str]:
    """Values heard in fewer than half the average conversations per value, or in under 5% of all."""
    known = [r for r in rows if r["value"] != UNKNOWN]
    if len(known) < 2 or total <= 0:
        return []
    mean = sum(r["conversations"] for r in known) / len(known)
    return [r["value"] for r in known if r["conversations"] < mean / 2 or r["conversations"] / total < 0.05]


def is_theme(t: dict) -> bool:
    """A leaf theme (T01...), not a parent group (P01...) or 'other'."""
    return t["id"] != "other" and not (t["id"].startswith("P") and t["id"][1:].isdigit())


def ranked(counts: Counter) -> dict:
    """Most first, ties by name: the same order in every process (sets are not ordered)."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern | None:
    """One pattern matching any of ``keywords`` as a whole word (None: no keywords)."""
    return re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + r")\b") if keywords else None


def _quote_rank(text: str, keywords: tuple[str, ...] = (), aside: bool = False,
                pattern: re.Pattern | None = None) -> tuple:
    """Sort key for quotes: free of placeholders, not an aside, a readable length, and about the
    theme (uses one of its keywords) first; ties keep the topic stage's typicality order.
    ``pattern`` is ``_keyword_pattern(keywords)``, compiled once by a caller ranking many quotes.

    An aside is a line under no question in a note whose other lines answer the questions: the
    conversationalist's note of who and where ("Staff nurse, 27, grew up in Castlebeck."), which
    is no resident's view to put before a committee."""
    words = len(text.split())
    if pattern is None:
        pattern = _keyword_pattern(keywords)
    on_topic = pattern is None or bool(pattern.search(text.lower()))
    return (bool(PLACEHOLDER.search(text)), aside, not 6 <= words <= 60, not on_topic)


def choose_quotes(sids: list[str], statements: dict, conv_by_id: dict, answering: set[str], k: int,
                  keywords: list[str] | None = None) -> list[dict]:
    """Up to ``k`` quotes from the publishable statements of ``statements`` among ``sids`` (most
    typical first): ranked by :func:`_quote_rank`, then one per conversation and per point where
    possible, other points next, repeats last. Linear in ``len(sids)``."""
    found = []
    for sid in dict.fromkeys(sids):
        st = statements.get(sid)
        if not st or not st["publishable"]:
            continue
        found.append({"statement_id": sid, "text": st["text"], "conversation_id": st["conversation_id"],
                      "aside": not st.get("question") and st["conversation_id"] in answering})
    kw = tuple(w.lower() for w in (keywords or [])[:8])
    pattern = _keyword_pattern(kw)
    found.sort(key=lambda q: _quote_rank(q["text"], kw, q["aside"], pattern))  # stable: most typical first
    out: list[dict] = []
    for one_per_conversation in (True, False):
        for q in found:
            if len(out) >= k:
                break
            if q in out or any(same_point(q["text"], o["text"]) for o in out):
                continue
            if one_per_conversation and any(o["conversation_id"] == q["conversation_id"] for o in out):
                continue
            out.append(q)
    out += [q for q in found if q not in out][: max(0, k - len(out))]
    return [{"statement_id": q["statement_id"], "text": q["text"],
             "attribution": attribution(conv_by_id.get(q["conversation_id"], {}))} for q in out[:k]]


_QUOTE_WORD = re.compile(r"[a-z0-9]+")


def same_point(a: str, b: str, share: float = 0.5) -> bool:
    """Two quotes that say the same thing: at least ``share`` of their words in common (Jaccard),
    as when two conversationalists noted one resident ("A kinship carers group - never met anyone
    else in her situation." / "She'd like a kinship carers' group - she's never met anyone...")."""
    x, y = set(_QUOTE_WORD.findall(a.lower())), set(_QUOTE_WORD.findall(b.lower()))
    return bool(x and y) and len(x & y) >= share * len(x | y)


_EXAMPLE = re.compile(r'^(?P<head>.*?),? most typically: "(?P<example>.*)"\.?\s*$', re.S)


def _norm(text: str) -> str:
    return " ".join(str(text).split()).rstrip(".,;:!? ").lower()


def public_description(description: str, sids: list[str], statements) -> tuple[str, str | None]:
    """The theme description with its example statement kept only when that statement is publishable.

    The topic stage writes '... most typically: "<statement>".'; a statement from a resident who
    did not agree to be quoted (or one not found) is cut, leaving the rest of the sentence.
    ``statements`` is a dict or anything with its ``get`` (:class:`~kilvoice.report.rows.RunRows`).
    Returns (description, statement id of the kept example or None).
    """
    m = _EXAMPLE.match(description or "")
    if not m:
        return description, None
    example = _norm(m.group("example").removesuffix("..."))
    for sid in sids:
        st = statements.get(sid)
        if st and example and _norm(st["text"]).startswith(example):
            if st["publishable"]:
                return description, sid
            break
    return m.group("head").rstrip(",; ") + ".", None


def _decisions(store: Store) -> list[dict]:
    """The officers' decision log (ids, titles and officer-typed reasons; never resident text)."""
    if not store.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='decisions'").fetchone():
        return []
    try:
        from kilvoice.review.decisions import describe
    except ImportError:  # pragma: no cover - review module absent
        def describe(d):
            return d["kind"]
    out = []
    for r in store.db.execute("SELECT * FROM decisions ORDER BY id"):
        d = dict(r)
        d["payload"] = json.loads(d["payload"] or "{}")
        d["user"] = d.pop("user_name")
        try:
            what = describe(d)
        except (KeyError, TypeError):
            what = d["kind"]
        out.append({"id": d["id"], "created_at": d["created_at"], "user": d["user"], "kind": d["kind"],
                     "run_id": d["run_id"], "decision": what, "reason": d.get("reason") or "",
                     "payload": d["payload"]})
    return out


def build_context(store: Store, run_id: str, manifest: dict | None = None, map_info: dict | None = None,
                  quotes_per_theme: int = 3, frameworks_meta: dict | None = None) -> dict:
    """The report context of ``run_id`` (see docs/REPORT_SCHEMA.md).

    ``manifest`` defaults to the run's stored manifest; ``map_info`` to its ``coverage``;
    ``frameworks_meta`` (framework id -> {owner, items: {item id: {owner}}}) to the frameworks
    the run's pipeline named, read from their files when they can be found.
    """
    db = store.db
    run = dict(db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone())
    manifest = manifest or json.loads(run.get("manifest") or "{}")
    review = manifest.get("review") or {}
    quote_ok = review.get("quotes") or {}
    all_convs = store.conversations(None)
    live = [c for c in all_convs if c["status"] != "superseded"]
    # a flagged conversation's flagged statements were withheld by the segment stage (K680; the whole
    # conversation under the "conversation" policy, K681); the rest is analysed but never quoted
    flagged_utts = store.flagged_utterances("safeguarding")
    flagged_safe = set(flagged_utts)
    note_level = {cid for cid, idxs in flagged_utts.items() if -1 in idxs}  # flagged as a whole (older stores)
    conv_by_id = {c["id"]: c for c in all_convs}
    consenting = {c["id"] for c in all_convs if c.get("consent_to_quote") == 1}
    rows = RunRows(store, run_id, note_level, consenting, flagged_safe, quote_ok)
    marks = ",".join("?" * len(WITHHELD_CODES))
    withheld_statements = db.execute(f"SELECT COUNT(*) FROM rejects WHERE run_id=? AND code IN ({marks})",
                                     (run_id, *WITHHELD_CODES)).fetchone()[0]
    with_statements = set(rows.conversation_of.values())
    withheld_whole = {c for c in flagged_safe if c not in with_statements}
    analysed = [c for c in live if c["status"] == "ok" and c["id"] not in withheld_whole]
    # theme links in full; statement links (one per linked statement: they grow with the run) only as
    # evidence of their item, in report order; the rows themselves go to mapping.csv
    theme_links, all_theme_links = defaultdict(list), []
    item_evidence: dict[tuple[str, str], list[str]] = defaultdict(list)
    statement_links = 0
    for kind, framework_id, item_id, source_id, link in rows.link_sources():
        key = (framework_id, item_id)
        if kind == "theme":
            theme_links[source_id].append(link)
            all_theme_links.append(link)
            if link.get("status") != POSSIBLE:  # a possible link is shown, never evidence
                item_evidence[key] += link["evidence"]
        else:
            statement_links += 1
            item_evidence[key].append(source_id)
    n_total = len(analysed)

    def quotes_for(sids: list[str], k: int, keywords: list[str] | None = None) -> list[dict]:
        # texts of the publishable statements only, of one theme or item at a time
        found = rows.statements(sids, publishable_only=True)
        return choose_quotes(sids, found, conv_by_id, rows.answering, k, keywords)

    signed = set(review.get("signed_off") or [])
    measured = (manifest.get("topics") or {}).get("theme_stability") or {}
    themes = []
    for r in db.execute("SELECT * FROM themes WHERE run_id=? ORDER BY id='other', size DESC, id", (run_id,)):
        t = dict(r)
        rep = [s for s in json.loads(t["representative"]) if s in rows]
        convs = {rows.conversation_of[s] for s in rep}
        areas = Counter((conv_by_id[c].get("area") or UNKNOWN) for c in convs if c in conv_by_id)
        settings = Counter((conv_by_id[c].get("setting") or UNKNOWN) for c in convs if c in conv_by_id)
        ages = Counter((conv_by_id[c].get("age_band") or UNKNOWN) for c in convs if c in conv_by_id)
        # the example is the most typical statement: found at once, one lookup
        description, example_id = public_description(t["description"], rep, rows)
        themes.append({
            "id": t["id"], "title": t["title"], "description": description, "description_statement_id": example_id,
            "keywords": json.loads(t["keywords"]), "size": t["size"], "n_conversations": t["n_conversations"],
            "band": prevalence_band(t["n_conversations"], n_total), "parent": t["parent"],
            "kind": "theme" if is_theme(t) else ("other" if t["id"] == "other" else "group"),
            "stance": json.loads(t["stance"]), "holds": theme_holds(measured.get(t["id"]), t["size"]),
            "areas": ranked(areas), "settings": ranked(settings), "age_bands": ranked(ages),
            "quotes": quotes_for(rep, quotes_per_theme, json.loads(t["keywords"])),
            "signed_off": t["id"] in signed,
            # links an officer can rely on; "possible_links": weaker candidates, shown, never counted
            **{key: [{"id": l["id"], "framework_id": l["framework_id"], "item_id": l["item_id"],
                      "score": round(l["score"], 3), "rationale": l["rationale"], "evidence": l["evidence"]}
                     for l in theme_links.get(t["id"], []) if (l.get("status") or LINK) == status]
               for key, status in (("links", LINK), ("possible_links", POSSIBLE))},
        })
    theme_ids = {t["id"] for t in themes}

    if frameworks_meta is None:
        frameworks_meta = framework_meta(manifest)
    cov = map_info or manifest.get("coverage") or {}
    frameworks = []
    for fid, fw in (cov.get("frameworks") or {}).items():
        meta = frameworks_meta.get(fid, {})
        items = []
        for item in fw.get("items", []):
            ev = item_evidence.get((fid, item["id"]), [])
            owner = (meta.get("items", {}).get(item["id"], {}).get("owner") or meta.get("owner") or "")
            items.append({**item, "owner": owner,
                          "linked_themes": [x for x in item.get("linked_themes", []) if x in theme_ids],
                          "possible_themes": [x for x in item.get("possible_themes", []) if x in theme_ids],
                          "quotes": quotes_for(ev, 3)})
        frameworks.append({"id": fid, "title": fw.get("title", fid), "owner": meta.get("owner", ""), "items": items})

    reject_counts: Counter = Counter()
    reject_reasons: dict[tuple[str, str], set[str]] = {}
    for r in db.execute("SELECT stage, code, reason FROM rejects WHERE run_id=?", (run_id,)):
        reject_counts[(r["stage"], r["code"])] += 1
        reject_reasons.setdefault((r["stage"], r["code"]), set()).add(r["reason"])
    files = store.files()
    project = manifest.get("config", {}).get("project", {})
    reach = {key: _breakdown(analysed, key) for key in REACH_KEYS}
    dates = sorted(c["date"] for c in analysed if c.get("date"))
    from kilvoice.report.keyissues import catch_all_note, heatmap, key_issues

    stability = (manifest.get("topics") or {}).get("stability")
    ctx = {
        "schema_version": SCHEMA_VERSION,
        "title": project.get("title") or project.get("name", "kilvoice report"),
        "run_id": run_id,
        "generated_at": run.get("started_at"),
        "summary": {
            "conversations_received": len(live),
            "conversations_analysed": n_total,
            "excluded": dict(Counter(c["status"] for c in live if c["status"] != "ok")),
            "safeguarding_flagged": len([c for c in live if c["id"] in flagged_safe]),
            "safeguarding_withheld_conversations": len([c for c in live if c["id"] in withheld_whole]),
            "safeguarding_withheld_statements": withheld_statements,
            "files_ok": sum(1 for f in files if f["status"] == "ok"),
            "files_rejected": sum(1 for f in files if f["status"] == "rejected"),
            "statements": len(rows),
            "statement_links": statement_links,
            "themes": len([t for t in themes if t["kind"] == "theme"]),
            "theme_groups": len([t for t in themes if t["kind"] == "group"]),
            "conversationalists": len({c["conversationalist_id"] for c in analysed if c["conversationalist_id"]}),
            "quotable_conversations": sum(1 for c in analysed if c.get("consent_to_quote") == 1),
        },
        "method": {
            "organisations": sorted({c["organisation"] for c in analysed if c.get("organisation")}),
            "first_date": dates[0] if dates else None, "last_date": dates[-1] if dates else None,
            "caveats": list(CAVEATS) + [SAFEGUARDING_CAVEAT[withhold_policy(manifest)]]
                       + [c for c in [robustness(stability), embedder_note(manifest.get("embedder_choice")),
                                      stance_note(themes)] if c],
            "stability": stability, "bands": BAND_MEANINGS,
            "embedder": manifest.get("embedder"), "embedder_choice": manifest.get("embedder_choice"), "redactor": manifest.get("redactor"),
            "pipeline": manifest.get("pipeline"),
        },
        "reach": reach,
        "barely_heard": {key: barely_heard(reach[key], n_total) for key in ("area", "setting", "age_band")},
        "themes": themes,
        "frameworks": frameworks,
        "unmapped_themes": [x for x in cov.get("unmapped_themes", []) if x in theme_ids],
        # the reason when every item of the group has the same one (items naming a file differ)
        "rejects": [{"stage": s, "code": c, "count": n,
                     "reason": next(iter(reject_reasons[(s, c)])) if len(reject_reasons[(s, c)]) == 1 else ""}
                    for (s, c), n in sorted(reject_counts.items())],
        "rejected_files": [{"path": f["path"], "code": f["error_code"], "reason": f["error_message"]}
                           for f in files if f["status"] == "rejected"],
        "redactions": store.redaction_counts(),
        "review": {"signed_off": sorted(signed), "decisions": review.get("decisions", 0)},
        "decisions": _decisions(store),
        "comparison": None,
        "manifest": manifest,
        "links": all_theme_links,
        "files": dict(PER_STATEMENT_FILES),
        # not in report.json: the per-statement rows, streamed by the statements.csv / .parquet writers
        "_rows": rows,
        "_not_in_english": not_in_english(store, run_id),
    }
    n = ctx["summary"]["not_in_english"] = len(ctx["_not_in_english"])
    ctx["summary"]["not_in_english_note"] = (
        f"{n} statement{'s' if n != 1 else ''} (or part{'s' if n != 1 else ''} of one) in another language "
        f"{'were' if n != 1 else 'was'} left out of the themes (K682, K750). They are listed, redacted, with the "
        "language found, in not_in_english.csv and the workbook's \"Not in English\" sheet, to be translated and "
        "added back." if n else "")
    ctx["key_issues"] = key_issues(ctx)
    ctx["summary"]["catch_all_note"] = catch_all_note(ctx)
    ctx["heatmap"] = heatmap(ctx, "keep-it-local")
    return ctx


def not_in_english(store, run_id: str) -> list[dict]:
    """What the run's segment step left out as another language (K682 whole statements, K750 the
    part of one), redacted, in id order: for a council to have translated and added back. Runs made
    before segment v5 stored none."""
    rows = store.db.execute(
        "SELECT r.item, r.code, l.conversation_id, l.language, l.text FROM rejects r JOIN left_out l ON l.id = r.item"
        " WHERE r.run_id=? AND r.code IN ('K682', 'K750') ORDER BY r.item", (run_id,))
    return [{"id": r[0], "code": r[1], "conversation_id": r[2], "language": r[3], "text": r[4]} for r in rows]


def framework_meta(manifest: dict) -> dict:
    """Owners of the frameworks the run's pipeline named: {id: {owner, items: {id: {owner}}}}.

    Reads the framework files (bundled ids or paths); a file that cannot be read is skipped, so a
    past run still renders (its items then have no suggested owner).
    """
    refs = (manifest.get("config", {}).get("map", {}) or {}).get("frameworks") or []
    out: dict = {}
    for ref in refs:
        try:
            import yaml

            from kilvoice.frameworks import resolve_path

            data = yaml.safe_load(resolve_path(ref).read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - a missing or broken file only loses owners
            continue
        if not isinstance(data, dict) or not data.get("id"):
            continue
        items = {str(i.get("id")): {"owner": str(i.get("owner") or "").strip()}
                 for i in data.get("items") or [] if isinstance(i, dict)}
        out[str(data["id"])] = {"owner": str(data.get("owner") or "").strip(), "items": items}
    return out

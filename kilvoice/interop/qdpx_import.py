"""Turn a REFI-QDA project an analyst recoded into review decisions.

The file is compared with the export kilvoice would write for the same run
(:func:`kilvoice.interop.layout.build_layout`): each code is matched to a theme by its GUID, then
by its name, then by the statements it codes (Jaccard >= ``SAME_CODE``); each selection to the
statement it overlaps. The differences become the officer decision kinds that already exist,
each with the analyst as its author, the tool in ``payload["via"]`` and a reason naming the file:

* a theme's code with a new name or description -> ``rename``;
* a theme's code gone, most of its statements now coded with another theme -> ``merge``;
* a statement no longer coded with its theme but with another -> ``move`` (no theme code at all
  -> moved to ``other``);
* a new code -> ``split`` of the theme most of its statements came from (``new_id`` given), and
  ``move``s of its other statements into it;
* a statement newly coded (or no longer coded) with a framework item -> ``link`` accepted
  (rejected) at statement level.

Importing the same file again records nothing new: the run's reviewed results already carry it.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from kilvoice.errors import KilvoiceError
from kilvoice.interop.layout import Layout, build_layout, guid, locate
from kilvoice.interop.qde_reader import QdaProject, read_project
from kilvoice.store.sqlite import Store

OTHER = "other"
SAME_CODE = 0.5      # a code with a new GUID is the same theme if it codes this share of the statements
                     # the export coded with it (primary and secondary members alike)
MERGED = 0.5         # a theme whose code is gone was merged into the theme that now has this share
RUN_IN_DESCRIPTION = re.compile(r"kilvoice run (r[\w-]+)")


def _run_of(project: QdaProject, store: Store, path: Path, run_id: str | None) -> str:
    from kilvoice.review.decisions import latest_run_id

    runs = [r["id"] for r in store.runs()]
    named = RUN_IN_DESCRIPTION.search(project.description or "")
    wanted = run_id or (named.group(1) if named else None) or latest_run_id(store)
    if wanted not in runs:
        raise KilvoiceError("K853", path=path, run=wanted or "(none)", available=", ".join(runs[-10:]) or "(none)")
    return wanted


def _analyst(project: QdaProject, layout_users: set[str]) -> str | None:
    """The person who recoded the file: the project's modifying user, else the only user that
    kilvoice did not write."""
    ours = {guid("user", n) for n in layout_users}
    if project.modifying_user and project.modifying_user not in ours:
        name = project.users.get(project.modifying_user)
        if name:
            return name
    others = sorted({n for g, n in project.users.items() if g not in ours and n})
    return others[0] if len(others) == 1 else None


def _map_sources(project: QdaProject, layout: Layout) -> dict[str, str]:
    """file source guid -> conversation id (by GUID, then the same text, then the id in its name)."""
    by_guid = {layout.source_guid(s.conversation_id): s.conversation_id for s in layout.sources}
    by_text = {s.text.strip(): s.conversation_id for s in layout.sources}
    ids = {s.conversation_id for s in layout.sources}
    out = {}
    for src in project.sources:
        cid = by_guid.get(src.guid)
        if cid is None and src.text is not None:
            cid = by_text.get(src.text.replace("\r\n", "\n").strip())
        if cid is None:
            m = re.search(r"\(([^()]+)\)\s*$", src.name)
            cid = m.group(1) if m and m.group(1) in ids else (src.name if src.name in ids else None)
        if cid is not None:
            out[src.guid] = cid
    return out


def _relocate(ours: str, theirs: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the words a selection ``[start, end)`` of ``theirs`` covers are in ``ours``, searching
    from about the same place first (the same words can occur twice in one conversation)."""
    piece = theirs[start:end]
    if not piece.strip():
        return None
    near = max(0, start - theirs.count("\r", 0, start) - 50)
    return locate(ours, piece, near) or locate(ours, piece)


def coded_statements(project: QdaProject, layout: Layout) -> tuple[dict[str, set[str]], int]:
    """(statement id -> code guids coding it, selections that match no statement)."""
    sources = {s.conversation_id: s for s in layout.sources}
    mapping = _map_sources(project, layout)
    out: dict[str, set[str]] = {sid: set() for s in layout.sources for sid in s.spans}
    unmatched = 0
    for src in project.sources:
        cid = mapping.get(src.guid)
        if cid is None:
            unmatched += len(src.selections)
            continue
        ours = sources[cid].text
        theirs = src.text if src.text is not None else ours
        for sel in src.selections:
            start, end = sel.start, sel.end
            if theirs != ours:  # the tool changed the text (line endings, say): find the selected words in ours
                where = _relocate(ours, theirs, start, end)
                if where is None:
                    unmatched += 1
                    continue
                start, end = where
            sid = layout.statement_at(cid, start, end)
            if sid is None:
                unmatched += 1
                continue
            out[sid].update(sel.codes)
    return out, unmatched


def _match_codes(project: QdaProject, layout: Layout, coded: dict[str, set[str]],
                 members: dict[str, set[str]]) -> tuple[dict[str, str], dict[str, tuple[str, str]], list[str]]:
    """(code guid -> theme id, code guid -> (framework, item), new code guids)."""
    theme_guids = {layout.theme_guid(t.id): t.id for t in layout.themes}
    item_guids = {layout.item_guid(fw.id, it.id): (fw.id, it.id) for fw in layout.frameworks for it in fw.items}
    item_names = {f"{it.id} {it.title}".strip().lower(): (fw.id, it.id) for fw in layout.frameworks for it in fw.items}
    framework_roots = {guid(layout.run_id, "frameworks")} | {guid(layout.run_id, "framework", fw.id)
                                                            for fw in layout.frameworks}
    titles = {t.title.strip().lower(): t.id for t in layout.themes}
    to_theme: dict[str, str] = {}
    to_item: dict[str, tuple[str, str]] = {}
    rest = []
    for g, code in project.codes.items():
        if g in theme_guids:
            to_theme[g] = theme_guids[g]
        elif g in item_guids or code.name.lower() in item_names:
            to_item[g] = item_guids.get(g) or item_names[code.name.lower()]
        elif g in framework_roots or g == guid(layout.run_id, "themes") or set(code.ancestors) & framework_roots:
            continue  # the tree's own folders, or an analyst's own code among the framework items
        else:
            rest.append(g)
    statements_of: dict[str, set[str]] = {}
    for sid, codes in coded.items():
        for g in codes:
            statements_of.setdefault(g, set()).add(sid)
    taken = set(to_theme.values())
    new = []
    for g in rest:  # a tool that writes new GUIDs: the same title, else the same statements
        tid = titles.get(project.codes[g].name.lower())
        if tid is None or tid in taken:
            mine = statements_of.get(g, set())
            best = max(((len(mine & members.get(t, set())) / max(1, len(mine | members.get(t, set()))), t)
                        for t in members if t not in taken), default=(0.0, None))
            tid = best[1] if best[0] >= SAME_CODE else None
        if tid is None:
            new.append(g)
        else:
            to_theme[g] = tid
            taken.add(tid)
    return to_theme, to_item, new


def plan_decisions(project: QdaProject, layout: Layout) -> tuple[list[tuple[str, dict]], dict]:
    """The decisions (kind, payload) that turn the run's reviewed results into the file's coding,
    and a summary of what could not be matched (ids and counts only)."""
    coded, unmatched = coded_statements(project, layout)
    primary = {sid: next((t for t, p in pairs if p), None) for sid, pairs in layout.assignments.items()}
    members: dict[str, set[str]] = {}
    for sid, tid in primary.items():
        if tid is not None:
            members.setdefault(tid, set()).add(sid)
    exported: dict[str, set[str]] = {}  # what the file codes a theme with: its primary and secondary members
    for sid, pairs in layout.assignments.items():
        for tid, _ in pairs:
            exported.setdefault(tid, set()).add(sid)
    to_theme, to_item, new = _match_codes(project, layout, coded, exported)
    themes = {t.id: t for t in layout.themes}
    file_themes = {sid: {to_theme[g] for g in codes if g in to_theme} for sid, codes in coded.items()}
    plan: list[tuple[str, dict]] = []
    for g, tid in sorted(to_theme.items(), key=lambda kv: kv[1]):
        code, theme = project.codes[g], themes[tid]
        payload = {"theme_id": tid}
        if code.name and code.name != theme.title:
            payload["title"] = code.name
        if code.description and code.description != theme.description:
            payload["description"] = code.description
        if len(payload) > 1:
            plan.append(("rename", payload))
    now_in = dict(primary)   # statement -> its theme once the merges are made
    gone = sorted(t for t in members if t not in set(to_theme.values()) and t != OTHER)
    unresolved = []
    for tid in gone:
        votes = Counter(u for sid in members[tid] for u in file_themes.get(sid, ()) if u != tid)
        into, n = votes.most_common(1)[0] if votes else (None, 0)
        if into is None or n < MERGED * len(members[tid]):
            unresolved.append(tid)
            continue
        plan.append(("merge", {"theme_id": tid, "into": into}))
        for sid in members[tid]:
            now_in[sid] = into
    handled: set[str] = set()
    for g in new:
        sids = sorted(sid for sid, codes in coded.items() if g in codes)
        if not sids:
            continue
        origin = Counter(now_in.get(s) for s in sids if now_in.get(s))
        if not origin:
            continue
        source_theme = origin.most_common(1)[0][0]
        new_id = "Q" + g.replace("-", "")[:8]
        name = project.codes[g].name or "New code"
        first = [s for s in sids if now_in.get(s) == source_theme]
        plan.append(("split", {"theme_id": source_theme, "statement_ids": first, "title": name,
                               "description": project.codes[g].description, "new_id": new_id}))
        plan += [("move", {"statement_id": s, "from": now_in[s], "to": new_id})
                 for s in sids if s not in first and now_in.get(s)]
        handled.update(sids)
    for sid in sorted(coded):
        theme = now_in.get(sid)
        if sid in handled or theme is None or theme in unresolved or theme in file_themes[sid]:
            continue
        before = {t for t, _ in layout.assignments.get(sid, [])}
        candidates = sorted(file_themes[sid] - before) or sorted(file_themes[sid])
        if candidates:
            plan.append(("move", {"statement_id": sid, "from": theme, "to": candidates[0]}))
        elif not (coded[sid] & set(to_theme)) and theme != OTHER:
            plan.append(("move", {"statement_id": sid, "from": theme, "to": OTHER}))
    plan += _link_changes(layout, coded, to_item)
    summary = {"unmatched_selections": unmatched, "themes_gone_unresolved": unresolved,
               "codes": len(project.codes), "sources": len(project.sources)}
    return plan, summary


def _link_changes(layout: Layout, coded: dict[str, set[str]], to_item: dict[str, tuple[str, str]]) -> list:
    linked: dict[str, set[tuple[str, str]]] = {}
    for link in layout.links:
        if link.source_kind == "statement":
            linked.setdefault(link.source_id, set()).add((link.framework_id, link.item_id))
    out = []
    for sid in sorted(coded):
        now_items = {to_item[g] for g in coded[sid] if g in to_item}
        for fw, item in sorted(now_items - linked.get(sid, set())):
            out.append(("link", {"source_kind": "statement", "source_id": sid, "framework_id": fw,
                                 "item_id": item, "accepted": True}))
        for fw, item in sorted(linked.get(sid, set()) - now_items):
            out.append(("link", {"source_kind": "statement", "source_id": sid, "framework_id": fw,
                                 "item_id": item, "accepted": False}))
    return out


def import_qdpx(store: Store, path: str | Path, analyst: str | None = None, tool: str | None = None,
                run_id: str | None = None, dry_run: bool = False) -> dict:
    """Record the differences between ``path`` and the run it was exported from as decisions.

    ``analyst`` defaults to the user the file names as its last editor; ``tool`` to the file's
    ``origin`` (e.g. "NVivo 14"). Returns ``{"run_id", "tool", "analyst", "decisions": [...],
    "skipped": [...], ...}``; with ``dry_run`` nothing is recorded.
    """
    from kilvoice.review.decisions import describe, load_decisions, record_decision
    from kilvoice.review.results import reapply

    path = Path(path)
    project = read_project(path)
    run = _run_of(project, store, path, run_id)
    layout = build_layout(store, run)
    known_users = {"kilvoice"} | {s.meta.get("conversationalist_id") or "" for s in layout.sources}
    known_users |= {d["user"] for d in load_decisions(store)}
    analyst = (analyst or "").strip() or _analyst(project, known_users)
    if not analyst:
        raise KilvoiceError("K856", path=path)
    origin = project.origin if not project.origin.lower().startswith("kilvoice") else ""
    tool = (tool or "").strip() or origin or "a REFI-QDA tool"  # kilvoice's own origin: edited by hand
    plan, summary = plan_decisions(project, layout)
    reason = f"recoded in {tool}; imported from {path.name}"
    done = []
    for kind, payload in plan:
        payload = {**payload, "via": tool}
        if dry_run:
            done.append({"id": None, "kind": kind, "decision": describe({"kind": kind, "payload": payload})})
            continue
        did = record_decision(store, kind, analyst, payload, reason=reason, run_id=run)
        done.append({"id": did, "kind": kind, "decision": describe({"kind": kind, "payload": payload})})
    report = reapply(store, run) if plan and not dry_run else {"skipped": []}
    ids = {d["id"] for d in done}
    skipped = [s for s in report.get("skipped", []) if s.get("id") in ids]
    return {"run_id": run, "tool": tool, "analyst": analyst, "decisions": done, "skipped": skipped, **summary}

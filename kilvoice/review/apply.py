"""Apply officer decisions to a run's themes, assignments and links: a pure function.

``apply_review(themes, assignments, links, decisions)`` copies its inputs, applies the decisions
oldest first and returns ``(themes, assignments, links, applied_report)``. It never touches the
store, so the pipeline can call it after mapping on every run, and the web app after every edit.

Re-targeting: theme ids change when inputs change. Each theme-scoped decision carries a snapshot
of the statement ids of the themes it names (taken when the officer decided). On re-apply it is
aimed at the current theme with the greatest statement overlap (Jaccard, at least
``MIN_JACCARD``), falling back to the theme with the same id. A decision that finds no target is
reported under ``skipped``, never applied to the wrong theme silently.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from typing import Iterable

from kilvoice.records import LINK, Assignment, Link, Theme

OTHER = "other"
MIN_JACCARD = 0.1
OFFICER_MARK = "accepted by officer"


class _Skip(Exception):
    """A decision that cannot be applied to this run (reason is ids only)."""


def conversation_of(statement_id: str) -> str:
    """The conversation id inside a statement id ``{conversation}-u{i}-s{j}``."""
    head, sep, _ = statement_id.rpartition("-u")
    return head if sep else statement_id


class _State:
    def __init__(self, themes: list[Theme], assignments: list[Assignment], links: list[Link]):
        self.themes = {t.id: t for t in themes}
        self.order = [t.id for t in themes]
        self.assignments = assignments
        self.links = links
        self.touched: set[str] = set()

    def members(self, theme_id: str) -> set[str]:
        return {a.statement_id for a in self.assignments if a.theme_id == theme_id and a.primary}

    def resolve(self, d: dict, key: str, required: bool = True) -> str | None:
        given = d["payload"].get(key)
        if not given:
            if required:
                raise _Skip(f"no {key}")
            return None
        if given == OTHER:
            return OTHER if OTHER in self.themes else None
        snap = set(d.get("snapshot", {}).get(key) or [])
        best, best_j = None, 0.0
        if snap:
            for tid in self.order:
                if tid == OTHER or tid not in self.themes:
                    continue
                mem = self.members(tid)
                union = len(snap | mem)
                j = len(snap & mem) / union if union else 0.0
                if j > best_j or (j == best_j and j > 0 and tid == given):
                    best, best_j = tid, j
        if best is not None and best_j >= MIN_JACCARD:
            return best
        if given in self.themes:
            return given
        if required:
            raise _Skip(f"theme {given} not found in this run")
        return None

    def ensure_other(self) -> None:
        if OTHER not in self.themes:
            self.themes[OTHER] = Theme(id=OTHER, title="Other", description="Statements not in any theme.")
            self.order.append(OTHER)

    def reassign(self, sids: Iterable[str], src: str, dst: str) -> int:
        """Move the assignments of ``sids`` from ``src`` to ``dst`` (merging duplicates)."""
        sids = set(sids)
        have_dst = {a.statement_id: a for a in self.assignments if a.theme_id == dst}
        kept, moved = [], 0
        for a in self.assignments:
            if a.theme_id == src and a.statement_id in sids:
                moved += 1
                other = have_dst.get(a.statement_id)
                if other is not None:
                    other.primary = other.primary or a.primary
                    continue
                a.theme_id = dst
                have_dst[a.statement_id] = a
            kept.append(a)
        self.assignments[:] = kept
        self.touched.update((src, dst))
        return moved

    def drop_theme(self, tid: str) -> None:
        self.themes.pop(tid, None)
        self.order = [t for t in self.order if t != tid]
        self.touched.discard(tid)


# -- one handler per decision kind; each returns the ids it acted on -------------------------------
def _rename(s: _State, d: dict) -> dict:
    tid = s.resolve(d, "theme_id")
    p = d["payload"]
    if p.get("title"):
        s.themes[tid].title = p["title"]
    if p.get("description"):
        s.themes[tid].description = p["description"]
    return {"theme_id": tid}


def _merge(s: _State, d: dict) -> dict:
    a, b = s.resolve(d, "theme_id"), s.resolve(d, "into")
    if a == b:
        raise _Skip("both themes resolve to the same theme")
    if a == OTHER:
        raise _Skip("'other' cannot be merged away")
    ta, tb = s.themes[a], s.themes[b]
    s.reassign(s.members(a) | {x.statement_id for x in s.assignments if x.theme_id == a}, a, b)
    tb.keywords = tb.keywords + [k for k in ta.keywords if k not in tb.keywords]
    for k, v in ta.stance.items():
        tb.stance[k] = tb.stance.get(k, 0) + v
    tb.representative = tb.representative + [r for r in ta.representative if r not in tb.representative]
    for link in s.links:
        if link.source_kind == "theme" and link.source_id == a:
            link.source_id = b
    seen: dict[tuple, Link] = {}
    for link in s.links:
        key = (link.source_kind, link.source_id, link.framework_id, link.item_id)
        if key not in seen:
            seen[key] = link
        elif link.status == LINK:  # a link and a possible link to one item merge into a link
            seen[key].status = LINK
    s.links[:] = list(seen.values())
    for t in s.themes.values():
        if t.parent == a:
            t.parent = b
    s.drop_theme(a)
    return {"theme_id": a, "into": b}


def _split(s: _State, d: dict) -> dict:
    tid = s.resolve(d, "theme_id")
    p = d["payload"]
    sids = set(p["statement_ids"]) & s.members(tid)
    if not sids:
        raise _Skip("none of the statements is in the theme")
    new_id = p.get("new_id") or f"{tid}-split{d.get('id', len(s.order))}"
    while new_id in s.themes:
        new_id += "x"
    src = s.themes[tid]
    s.themes[new_id] = Theme(id=new_id, title=p.get("title") or f"{src.title} (split)",
                             description=p.get("description", ""), keywords=[], parent=src.parent,
                             representative=[r for r in src.representative if r in sids])
    s.order.append(new_id)
    s.reassign(sids, tid, new_id)
    src.representative = [r for r in src.representative if r not in sids]
    return {"theme_id": tid, "new_id": new_id, "statements": len(sids)}


def _delete(s: _State, d: dict) -> dict:
    tid = s.resolve(d, "theme_id")
    if tid == OTHER:
        raise _Skip("'other' cannot be deleted")
    s.ensure_other()
    primary = s.members(tid)
    s.assignments[:] = [a for a in s.assignments if not (a.theme_id == tid and not a.primary)]
    s.reassign(primary, tid, OTHER)
    s.themes[OTHER].representative += [r for r in s.themes[tid].representative
                                       if r not in s.themes[OTHER].representative]
    s.links[:] = [l for l in s.links if not (l.source_kind == "theme" and l.source_id == tid)]
    s.drop_theme(tid)
    return {"theme_id": tid, "statements": len(primary)}


def _move(s: _State, d: dict) -> dict:
    sid = d["payload"]["statement_id"]
    mine = [a for a in s.assignments if a.statement_id == sid]
    if not mine:
        raise _Skip(f"statement {sid} is not in this run")
    if d["payload"]["to"] == OTHER:
        s.ensure_other()
    dst = s.resolve(d, "to")
    src = s.resolve(d, "from", required=False)
    if src is None or src not in {a.theme_id for a in mine}:
        src = next((a.theme_id for a in mine if a.primary), mine[0].theme_id)
    if src == dst:
        raise _Skip("the statement is already in that theme")
    old = next(a for a in mine if a.theme_id == src)
    was_primary = old.primary
    old.primary = True  # reassign keeps it primary in dst
    s.reassign([sid], src, dst)
    if was_primary:
        for a in s.assignments:
            if a.statement_id == sid and a.theme_id != dst:
                a.primary = False
    for t in (s.themes.get(src), s.themes.get(dst)):
        if t is not None:
            t.representative = [r for r in t.representative if r != sid]
    s.themes[dst].representative.append(sid)
    return {"statement_id": sid, "from": src, "to": dst}


def _link(s: _State, d: dict) -> dict:
    p = d["payload"]
    source = s.resolve(d, "source_id") if p["source_kind"] == "theme" else p["source_id"]
    key = (p["source_kind"], source, p["framework_id"], p["item_id"])
    match = [l for l in s.links if (l.source_kind, l.source_id, l.framework_id, l.item_id) == key]
    if not p["accepted"]:
        if not match:
            raise _Skip("no such link in this run")
        s.links[:] = [l for l in s.links if l not in match]
        return {"source_id": source, "removed": len(match)}
    if match:
        for l in match:
            l.status = LINK  # accepting a possible link makes it a link
            if OFFICER_MARK not in l.rationale:
                l.rationale = f"{OFFICER_MARK}; {l.rationale}" if l.rationale else OFFICER_MARK
    else:
        evidence = list(s.themes[source].representative[:10]) if p["source_kind"] == "theme" else [source]
        s.links.append(Link(p["source_kind"], source, p["framework_id"], p["item_id"], 1.0, evidence,
                            f"{OFFICER_MARK} (added)"))
    return {"source_id": source}


def _quote(s: _State, d: dict) -> dict:
    return {"statement_id": d["payload"]["statement_id"], "publishable": bool(d["payload"]["publishable"])}


def _signoff(s: _State, d: dict) -> dict:
    return {"theme_id": s.resolve(d, "theme_id"), "signed_off": d["payload"].get("signed_off", True) is not False}


def _redaction(s: _State, d: dict) -> dict:
    p = d["payload"]
    return {k: p[k] for k in ("conversation_id", "accepted", "span") if k in p}


HANDLERS = {"rename": _rename, "merge": _merge, "split": _split, "delete": _delete, "move": _move,
            "link": _link, "quote": _quote, "signoff": _signoff, "redaction": _redaction}


def _refresh(s: _State, conv_of: dict[str, str] | None, stances: dict[str, str] | None = None,
             texts: dict[str, str] | None = None) -> None:
    """Recount the themes an edit touched (statements, conversations and, given each statement's
    stance, strengths / problems / aspirations); re-rank their statements by score (most typical
    first). A theme an officer made by splitting gets keywords, and a description if the officer
    gave none, from its statements' words (given ``texts``)."""
    from kilvoice.topics.labels import distinctive_words, make_description
    from kilvoice.topics.stance import count_stances, reading_of, stance_keys

    by_theme: dict[str, list[Assignment]] = defaultdict(list)
    for a in s.assignments:
        if a.primary:
            by_theme[a.theme_id].append(a)
    keys = stance_keys(reading_of(t.stance for t in s.themes.values()))  # cues.v2's themes count "unstated"
    for tid in s.touched:
        t = s.themes.get(tid)
        if t is None:
            continue
        members = sorted(by_theme.get(tid, []), key=lambda a: (-a.score, a.statement_id))
        ids = {a.statement_id for a in members}
        t.size = len(members)
        t.n_conversations = len({(conv_of or {}).get(i) or conversation_of(i) for i in ids})
        if stances is not None and all(i in stances for i in ids):
            t.stance = count_stances((stances[i] for i in ids), keys)
        if texts and not t.keywords and t.id != OTHER and ids:
            t.keywords = distinctive_words([texts[i] for i in ids if i in texts], list(texts.values()))
            if not t.description:
                t.description = make_description(t.keywords[:4], t.stance, t.size)
        score = {a.statement_id: a.score for a in members}
        rep = [r for r in dict.fromkeys(t.representative) if r in ids]
        t.representative = sorted(rep, key=lambda r: -score[r])


def _copy_theme(theme: Theme) -> Theme:
    """A copy of ``theme`` as ``copy.deepcopy`` makes it for its fields (strings, numbers, and lists
    and dicts of them: the representative list holds every member's id), without deepcopy's walk."""
    out = copy.copy(theme)
    for name in theme.__dataclass_fields__:
        value = getattr(theme, name)
        if isinstance(value, (list, dict)):
            setattr(out, name, copy.deepcopy(value) if any(isinstance(v, (list, dict, set)) for v in
                                                           (value.values() if isinstance(value, dict) else value))
                    else value.copy())
    return out


def apply_review(themes: list[Theme], assignments: list[Assignment], links: list[Link], decisions: list[dict],
                 statement_conversations: dict[str, str] | None = None, statement_stances: dict[str, str] | None = None,
                 statement_texts: dict[str, str] | None = None
                 ) -> tuple[list[Theme], list[Assignment], list[Link], dict]:
    """Apply ``decisions`` (dicts as returned by :func:`kilvoice.review.decisions.load_decisions`).

    ``statement_conversations``, ``statement_stances`` and ``statement_texts`` (statement id ->
    conversation id / "strength", "problem", "aspiration" or "unstated" / redacted text) let the recount of an
    edited theme be exact and give a split-off theme keywords; without stances a merge adds the
    two themes' counts and a split or move leaves them as they were.

    Pure: the inputs are not modified (with no decisions the same assignment and link records are
    returned, in new lists). ``applied_report`` lists what was applied (with the theme
    each decision was re-targeted to), what was skipped and why, the themes signed off, and the
    quote decisions (statement id -> publishable) for the report to respect.
    """
    if not decisions:  # nothing to apply: the records as they are (no copy of 100k assignments and links)
        return ([_copy_theme(t) for t in themes], list(assignments), list(links),
                {"decisions": 0, "applied": [], "skipped": [], "retargeted": [], "signed_off": [], "quotes": {},
                 "redactions": []})
    # copies field by field: copy.deepcopy of 90k assignments and links took seconds
    s = _State(copy.deepcopy(list(themes)),
               [Assignment(a.statement_id, a.theme_id, a.score, a.primary) for a in assignments],
               [Link(l.source_kind, l.source_id, l.framework_id, l.item_id, l.score, list(l.evidence), l.rationale,
                    l.status)
                for l in links])
    report: dict = {"decisions": len(decisions), "applied": [], "skipped": [], "retargeted": [],
                    "signed_off": [], "quotes": {}, "redactions": []}
    signed: dict[str, bool] = {}
    for d in sorted(decisions, key=lambda d: (d.get("id") or 0)):
        handler = HANDLERS.get(d.get("kind"))
        if handler is None:
            report["skipped"].append({"id": d.get("id"), "kind": d.get("kind"), "reason": "unknown kind"})
            continue
        try:
            done = handler(s, d)
        except _Skip as exc:
            report["skipped"].append({"id": d.get("id"), "kind": d["kind"], "reason": str(exc)})
            continue
        report["applied"].append({"id": d.get("id"), "kind": d["kind"], **done})
        for key in ("theme_id", "into", "to", "source_id"):
            given = d["payload"].get(key)
            if given and key in done and done[key] != given:
                report["retargeted"].append({"id": d.get("id"), "key": key, "from": given, "to": done[key]})
        if d["kind"] == "quote":
            report["quotes"][done["statement_id"]] = done["publishable"]
        elif d["kind"] == "signoff":
            signed[done["theme_id"]] = done["signed_off"]
        elif d["kind"] == "redaction":
            report["redactions"].append({"id": d.get("id"), **done})
    _refresh(s, statement_conversations, statement_stances, statement_texts)
    report["signed_off"] = [t for t, ok in signed.items() if ok and t in s.themes]
    themes_out = [s.themes[t] for t in s.order if t in s.themes]
    return themes_out, s.assignments, s.links, report

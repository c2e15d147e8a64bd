"""Store side of review: load a run's results, keep its pre-review base, re-apply the log.

* :func:`review_run` is what the pipeline calls after mapping: it saves the run's unreviewed
  results as the base, applies every decision and returns the reviewed results to save.
* :func:`reapply` is what the web app and CLI call after a new decision: base + all decisions ->
  the run's saved themes, assignments and links (so counts, labels and quotes all update).
"""
from __future__ import annotations

import json
from typing import Iterator

from kilvoice.errors import KilvoiceError
from kilvoice.records import Assignment, Link, Theme, flat
from kilvoice.review.apply import apply_review
from kilvoice.review.decisions import latest_run_id, load_decisions
from kilvoice.store.sqlite import Store


def load_results(store: Store, run_id: str) -> tuple[list[Theme], list[Assignment], list[Link]]:
    """The saved (reviewed) themes, assignments and links of a run, as records."""
    db = store.db
    themes = [Theme(id=r["id"], title=r["title"], description=r["description"], keywords=json.loads(r["keywords"]),
                    size=r["size"], n_conversations=r["n_conversations"], parent=r["parent"],
                    stance=json.loads(r["stance"]), representative=json.loads(r["representative"]))
              for r in db.execute("SELECT * FROM themes WHERE run_id=? ORDER BY rowid", (run_id,))]
    assignments = [Assignment(r["statement_id"], r["theme_id"], r["score"], bool(r["is_primary"]))
                   for r in db.execute("SELECT * FROM assignments WHERE run_id=? ORDER BY rowid", (run_id,))]
    links = [Link(r["source_kind"], r["source_id"], r["framework_id"], r["item_id"], r["score"],
                  json.loads(r["evidence"]), r["rationale"], r["status"])
             for r in db.execute("SELECT * FROM links WHERE run_id=? ORDER BY rowid", (run_id,))]
    return themes, assignments, links


BASE_CHUNK = 20_000  # records encoded at once for the review base


def json_parts(records, chunk: int | None = None) -> Iterator[str]:
    """``json.dumps([flat(r) for r in records])`` in pieces whose concatenation is that text,
    encoded ``chunk`` records at a time: never a dict per record for all of them at once (~2M links
    at a million statements: ~0.8 GB of dicts besides the text)."""
    chunk = chunk or BASE_CHUNK
    starts = range(0, len(records), chunk)
    if not starts:
        yield "[]"
        return
    last = starts[-1]
    for i in starts:  # each chunk's array with its inner brackets cut, after the separator the whole array has
        yield ("" if i == 0 else ", ") + json.dumps([flat(r) for r in records[i:i + chunk]])[
            slice(1 if i else 0, -1 if i != last else None)]


def json_records(records, chunk: int | None = None) -> str:
    """``json.dumps([flat(r) for r in records])``, the same text, made by :func:`json_parts`."""
    return "".join(json_parts(records, chunk))


def save_base(store: Store, run_id: str, themes, assignments, links) -> None:
    """The run's results before review. The links (~2M at a million statements) are written as
    their JSON's UTF-8 bytes into a blob of their size, piece by piece: the text is never joined
    and never copied whole into SQLite's statement (three copies of ~0.4 GB before). ``load_base``
    reads either kind of value."""
    themes, assignments, links = list(themes), list(assignments), list(links)
    parts = [p.encode("utf-8") for p in json_parts(links)]
    with store.transaction() as db:
        cur = db.execute("INSERT OR REPLACE INTO review_base (run_id, themes, assignments, links)"
                         " VALUES (?,?,?,zeroblob(?))",
                         (run_id, json_records(themes), json_records(assignments), sum(map(len, parts))))
        with db.blobopen("review_base", "links", cur.lastrowid) as blob:
            for part in parts:
                blob.write(part)


def load_base(store: Store, run_id: str):
    row = store.db.execute("SELECT * FROM review_base WHERE run_id=?", (run_id,)).fetchone()
    if row is None:
        return None
    return ([Theme(**t) for t in json.loads(row["themes"])],
            [Assignment(**a) for a in json.loads(row["assignments"])],
            [Link(**l) for l in json.loads(row["links"])])


def statement_conversations(store: Store) -> dict[str, str]:
    return {r[0]: r[1] for r in store.db.execute("SELECT id, conversation_id FROM statements")}


def reviewed_coverage(store: Store, manifest: dict, themes, links) -> dict | None:
    """Framework coverage and gaps of the reviewed results (what the pipeline computes after
    review on a run), so a merge or a rejected link shows in the crosswalk at once. None when
    the run mapped nothing or its framework files can no longer be read (its coverage stays)."""
    from kilvoice.frameworks import load_frameworks
    from kilvoice.mapping.gaps import summarise
    from kilvoice.records import Statement

    refs = ((manifest.get("config") or {}).get("map") or {}).get("frameworks")
    if not refs or "coverage" not in manifest:
        return None
    try:
        frameworks = load_frameworks(refs)
    except KilvoiceError:
        return None
    statements = [Statement(id=r[0], conversation_id=r[1], utterance_index=0, index=0, text="")
                  for r in store.db.execute("SELECT id, conversation_id FROM statements")]
    conversations = {c["id"]: c for c in store.conversations(None)}
    info = summarise(frameworks, themes, links, statements, conversations,
                     (manifest.get("mapping") or {}).get("thresholds", {}))
    return {"frameworks": info["frameworks"], "unmapped_themes": info["unmapped_themes"]}


def stances_and_texts(store: Store, ids: set[str], reading: str = "cues.v1") -> tuple[dict[str, str], dict[str, str]]:
    """For the statements ``ids``: (id -> stance, as the theme stage judged it from the same text
    and question with the same ``reading``; id -> redacted text)."""
    from kilvoice.topics.stance import stance_of_text

    rows = [r for r in store.db.execute("SELECT id, text, question FROM statements") if r[0] in ids]
    return {r[0]: stance_of_text(r[1], r[2], reading) for r in rows}, {r[0]: r[1] for r in rows}


def _apply(store: Store, themes, assignments, links, reading: str | None = None):
    decisions = load_decisions(store)
    if not decisions:  # nothing to recount: no need to read (and judge the stance of) every statement
        return apply_review(themes, assignments, links, decisions)
    from kilvoice.topics.stance import reading_of

    # the reading the run's themes used: the run's own setting, else what their counts show (v1 or v2)
    reading = reading or reading_of(t.stance for t in themes)
    stances, texts = stances_and_texts(store, {a.statement_id for a in assignments}, reading)
    return apply_review(themes, assignments, links, decisions, statement_conversations(store), stances, texts)


def review_run(store: Store, run_id: str, themes, assignments, links, reading: str | None = None):
    """Pipeline hook: keep the unreviewed results as the base, return the reviewed ones + report.
    ``reading``: the theme stage's stance reading (``[topics] stance``)."""
    save_base(store, run_id, themes, assignments, links)
    return _apply(store, themes, assignments, links, reading)


def reapply(store: Store, run_id: str | None = None) -> dict:
    """Re-apply the whole decision log to a run (default: the latest finished run) and save it.

    Returns the applied report, which is also stored in the run's manifest under ``review``.
    """
    run_id = run_id or latest_run_id(store)
    if run_id is None:
        raise KilvoiceError("K804", path=store.path)
    base = load_base(store, run_id)
    if base is None:  # a run made before review existed: its saved results are the base
        base = load_results(store, run_id)
        save_base(store, run_id, *base)
    row = store.db.execute("SELECT manifest FROM runs WHERE id=?", (run_id,)).fetchone()
    manifest = json.loads(row[0] or "{}") if row else {}
    reading = ((manifest.get("topics") or {}).get("params") or {}).get("stance")
    themes, assignments, links, report = _apply(store, *base, reading=reading)
    store.save_results(run_id, themes, assignments, links, [])
    manifest["review"] = report
    coverage = reviewed_coverage(store, manifest, themes, links)
    if coverage is not None:
        manifest["coverage"] = coverage
    with store.transaction() as db:
        db.execute("UPDATE runs SET manifest=? WHERE id=?", (json.dumps(manifest, default=str), run_id))
    return report

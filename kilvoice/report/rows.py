"""Per-statement and per-link rows of one run, streamed from the store in chunks.

The report context (:mod:`kilvoice.report.context`) holds only committee findings, whose size
does not grow with the number of statements. What does grow (every statement with its themes and
links, every statement-level link) is read here with a cursor, a chunk at a time, by the writers
of ``statements.csv``, ``statements.parquet`` and ``mapping.csv``. Memory is a few compact ids per
statement (the analysed set and its conversations), never a dict per statement.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby

CHUNK = 900  # ids per ``IN (...)`` lookup: under SQLite's default limit of 999 variables

LINK_ORDER = "ORDER BY source_kind DESC, framework_id, item_id, score DESC, source_id"


class RunRows:
    """The analysed statements of ``run_id`` and the run's links, streamed from ``store``.

    ``conversation_of`` maps each analysed statement id to its conversation id (the statements of
    conversations withheld whole are absent); ``publishable(sid)`` says whether it may be quoted.
    """

    def __init__(self, store, run_id: str, withheld_conversations: set[str], consenting: set[str],
                 never_quoted: set[str], quote_ok: dict):
        self.store, self.run_id = store, run_id
        self.consenting, self.never_quoted, self.quote_ok = consenting, never_quoted, quote_ok
        self.conversation_of: dict[str, str] = {}
        self.answering: set[str] = set()  # conversations with at least one statement under a question
        rows = store.db.execute(
            "SELECT s.id, s.conversation_id, s.question IS NOT NULL AND s.question != '' FROM "
            "(SELECT DISTINCT statement_id FROM assignments WHERE run_id=?) a JOIN statements s ON s.id=a.statement_id",
            (run_id,))
        while chunk := rows.fetchmany(10_000):
            for sid, cid, asked in chunk:
                if cid in withheld_conversations:
                    continue
                self.conversation_of[sid] = cid
                if asked:
                    self.answering.add(cid)
        self._link_ids: dict[str, list[str]] | None = None

    def __len__(self) -> int:
        return len(self.conversation_of)

    def __contains__(self, sid) -> bool:
        return sid in self.conversation_of

    def publishable(self, sid: str) -> bool:
        cid = self.conversation_of.get(sid)
        return (cid is not None and cid in self.consenting and self.quote_ok.get(sid) is not False
                and cid not in self.never_quoted)

    def statements(self, ids: Iterable[str], publishable_only: bool = False) -> dict[str, dict]:
        """``{id: {id, conversation_id, question, text, publishable}}`` of the analysed statements among
        ``ids`` (only the publishable ones if asked), looked up by primary key a chunk at a time."""
        wanted = [s for s in dict.fromkeys(ids) if s in self.conversation_of
                  and (not publishable_only or self.publishable(s))]
        out: dict[str, dict] = {}
        for i in range(0, len(wanted), CHUNK):
            part = wanted[i:i + CHUNK]
            for r in self.store.db.execute("SELECT id, conversation_id, question, text FROM statements WHERE id IN"
                                           f" ({','.join('?' * len(part))})", part):
                out[r[0]] = {"id": r[0], "conversation_id": r[1], "question": r[2], "text": r[3],
                             "publishable": self.publishable(r[0])}
        return out

    def get(self, sid: str) -> dict | None:
        """One analysed statement as :meth:`statements` gives it, or None."""
        return self.statements([sid]).get(sid)

    def links(self) -> Iterator[dict]:
        """Every link of the run in report order, numbered ``L0001``…; evidence limited to analysed statements."""
        cur = self.store.db.execute(f"SELECT * FROM links WHERE run_id=? {LINK_ORDER}", (self.run_id,))
        n = 0
        while chunk := cur.fetchmany(5_000):
            for r in chunk:
                n += 1
                yield self._link(r, n)

    def _link(self, row, n: int) -> dict:
        """A link row as a dict, numbered ``n`` in report order, with only analysed statements as evidence."""
        link = dict(row)
        link.pop("rowid_", None)
        link["id"] = f"L{n:04d}"
        link["evidence"] = [s for s in json.loads(link["evidence"]) if s in self.conversation_of]
        return link

    def link_sources(self) -> Iterator[tuple[str, str, str, str, dict | None]]:
        """``(source_kind, framework_id, item_id, source_id, link)`` of every link in report order,
        ``link`` as :meth:`links` gives it for a theme link and None for the others (statement links:
        one per linked statement, so the report context reads only where they point)."""
        cur = self.store.db.execute("SELECT source_kind, framework_id, item_id, source_id, rowid FROM links"
                                    f" WHERE run_id=? {LINK_ORDER}", (self.run_id,))
        n = 0
        while chunk := cur.fetchmany(5_000):
            themes = {r[4]: None for r in chunk if r[0] == "theme"}
            if themes:
                rowids = list(themes)
                for i in range(0, len(rowids), CHUNK):
                    part = rowids[i:i + CHUNK]
                    marks = ",".join("?" * len(part))
                    query = f"SELECT rowid AS rowid_, * FROM links WHERE rowid IN ({marks})"
                    for r in self.store.db.execute(query, part):
                        themes[r[0]] = r
            for kind, framework_id, item_id, source_id, rowid in chunk:
                n += 1
                yield kind, framework_id, item_id, source_id, self._link(themes[rowid], n) if kind == "theme" else None

    def link_ids(self) -> dict[str, list[str]]:
        """Statement id -> ids of the links it is the source of or evidence for: one pass over the
        links in report order (numbered as :meth:`links` numbers them), reading only what it needs."""
        if self._link_ids is None:
            found: dict[str, set[str]] = defaultdict(set)
            analysed = self.conversation_of
            cur = self.store.db.execute(f"SELECT source_kind, source_id, evidence FROM links WHERE run_id=? {LINK_ORDER}",
                                        (self.run_id,))
            n = 0
            while chunk := cur.fetchmany(5_000):
                for kind, source, evidence in chunk:
                    n += 1
                    if kind == "theme":
                        link_id = f"L{n:04d}"
                        for sid in json.loads(evidence):
                            if sid in analysed:
                                found[sid].add(link_id)
                    elif source in analysed:
                        found[source].add(f"L{n:04d}")
            self._link_ids = {sid: sorted(ids) for sid, ids in found.items()}
        return self._link_ids

    def statement_rows(self, chunk: int = 10_000) -> Iterator[dict]:
        """Every analysed statement in id order with ``themes`` ([{theme_id, score, primary}], primary
        first, then by score), ``theme_ids``, ``link_ids`` and ``publishable``."""
        link_ids = self.link_ids()
        cur = self.store.db.execute(
            "SELECT s.id, s.conversation_id, s.utterance_idx, s.idx, s.question, s.text, s.text_hash,"
            " a.theme_id, a.score, a.is_primary FROM assignments a JOIN statements s ON s.id=a.statement_id"
            " WHERE a.run_id=? ORDER BY a.statement_id", (self.run_id,))

        def batches():
            while part := cur.fetchmany(chunk):
                yield from part

        for sid, group in groupby(batches(), key=lambda r: r[0]):
            if sid not in self.conversation_of:
                continue
            group = list(group)
            if len(group) > 1:
                group.sort(key=lambda r: (-r[9], -r[8]))
            first = group[0]
            yield {"id": sid, "conversation_id": first[1], "utterance_idx": first[2], "idx": first[3],
                   "question": first[4], "text": first[5], "text_hash": first[6],
                   "publishable": self.publishable(sid),
                   "themes": [{"theme_id": r[7], "score": float(r[8]), "primary": bool(r[9])} for r in group],
                   "theme_ids": [r[7] for r in group], "link_ids": link_ids.get(sid, [])}

"""SQLite project store. All writes for one file or one run happen in one transaction."""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from json.encoder import encode_basestring_ascii
from typing import Iterable, Iterator

import numpy as np

from kilvoice.errors import KilvoiceError
from kilvoice.records import Assignment, Link, Note, Reject, Statement, Theme, Utterance
from kilvoice.store.schema import MIGRATIONS, SCHEMA_VERSION

STORE_NAME = "kilvoice.sqlite"
META_FIELDS = (
    "organisation", "setting", "area", "postcode_district", "date", "age_band",
    "residents", "consent_to_quote", "language",
)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def split_sql(script: str) -> list[str]:
    """Split a migration into statements (semicolons inside comments or strings are safe)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf)
            buf = ""
    if buf.strip() and not all(l.strip().startswith("--") or not l.strip() for l in buf.splitlines()):
        out.append(buf + ";")
    return out


def open_store(project: str | Path) -> "Store":
    """Open (creating if needed) the store of the project folder ``project``."""
    project = Path(project)
    project.mkdir(parents=True, exist_ok=True)
    return Store(project / STORE_NAME)


def json_list(values) -> str:
    """``json.dumps(values)``, without its per-call overhead when ``values`` is a list of strings
    (a link's evidence ids: 2M links at a million statements)."""
    if type(values) is list:
        try:
            return "[" + ", ".join(map(encode_basestring_ascii, values)) + "]"
        except TypeError:  # not all strings
            pass
    return json.dumps(values)


def note_rows(note: Note) -> tuple:
    """What :meth:`Store.add_file` stores of one note, as plain values: ``(conversationalist name,
    the conversations row's metadata columns, raw_meta JSON, raw_utterances rows without the
    conversation id, number of warnings)``. Built wherever the note was parsed (an ingest worker,
    :mod:`kilvoice.ingest.rows`), so the writer only inserts; the raw text is the utterances' texts
    joined by newlines (``Note.text``)."""
    meta = note.meta
    consent = meta.get("consent_to_quote")
    residents = meta.get("residents")
    columns = (meta.get("id"), meta.get("organisation"), meta.get("setting"), meta.get("area"),
               meta.get("postcode_district"), meta.get("date"), meta.get("age_band"),
               residents if isinstance(residents, int) else None,
               None if consent is None else int(bool(consent)), meta.get("language"), json.dumps(sorted(note.extra)))
    raw_meta = dict(note.meta)
    raw_meta.update({f"extra.{k}": v for k, v in note.extra.items()})
    if note.warnings:
        raw_meta["_warnings"] = list(note.warnings)
    utterances = [(u.index, u.speaker, u.role, u.question, u.text) for u in note.utterances]
    return meta.get("conversationalist"), columns, json.dumps(raw_meta, default=str), utterances, len(note.warnings)


class Store:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    # -- plumbing -----------------------------------------------------------
    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise KilvoiceError("K301", path=self.path, found=version, supported=SCHEMA_VERSION)
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in split_sql(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    # -- files and notes ------------------------------------------------------
    def file_seen(self, path: str, sha256: str) -> bool:
        """True when the current (latest ok) version of ``path`` has this content."""
        row = self.db.execute(
            "SELECT sha256 FROM files WHERE path=? AND status='ok' ORDER BY version DESC LIMIT 1", (path,)
        ).fetchone()
        return row is not None and row[0] == sha256

    def add_file(self, path: str, sha256: str, size: int, notes: Iterable,
                 conversation_ids: list[str] | None = None, content_hashes: list[str] | None = None,
                 statuses: list[tuple[str, str | None, str | None]] | None = None,
                 pseudonyms: list[str | None] | None = None) -> int:
        """Store one file and all its notes in a single transaction.

        ``notes`` is either a list of Notes with the four parallel lists, or (when
        ``conversation_ids`` is None) an iterable of rows ``(note, conversation_id, content_hash,
        (status, reason, duplicate_of), pseudonym, band_keys)``, where ``note`` is a Note or its
        :func:`note_rows` (built in a worker), consumed lazily inside the
        transaction so a huge file is never held in memory; a row iterable may read the store
        (it sees the rows already written). Anything raised rolls the whole file back.

        A file whose path was ingested before with other content becomes a new version; the
        older version's conversations are marked ``superseded`` (their status is kept in
        ``superseded_status``). Content that was an older version comes back as the newest.
        """
        if conversation_ids is not None:
            rows: Iterable = (
                (n, c, h, s, p, None)
                for n, c, h, s, p in zip(notes, conversation_ids, content_hashes, statuses, pseudonyms)
            )
        else:
            rows = notes
        with self.transaction() as db:
            db.execute("DELETE FROM files WHERE path=? AND sha256=? AND status='rejected'", (path, sha256))
            prev = db.execute("SELECT MAX(version) FROM files WHERE path=? AND status='ok'", (path,)).fetchone()[0]
            version = (prev or 0) + 1
            if prev:
                db.execute(
                    "UPDATE conversations SET superseded_status=status, status='superseded', status_reason=? "
                    "WHERE status!='superseded' AND file_id IN (SELECT id FROM files WHERE path=?)",
                    (f"replaced by version {version} of the file", path),
                )
            old = db.execute("SELECT id FROM files WHERE path=? AND sha256=? AND status='ok'",
                             (path, sha256)).fetchone()
            if old:  # back to content seen before: bring that version back
                db.execute("UPDATE files SET version=?, ingested_at=? WHERE id=?", (version, now(), old[0]))
                db.execute(
                    "UPDATE conversations SET status=COALESCE(superseded_status, 'ok'), superseded_status=NULL,"
                    " status_reason=CASE WHEN superseded_status IS NULL OR superseded_status='ok' THEN NULL"
                    " ELSE status_reason END WHERE file_id=?", (old[0],))
                return old[0]
            cur = db.execute(
                "INSERT INTO files (path, sha256, size, version, status, n_notes, ingested_at) "
                "VALUES (?,?,?,?, 'ok', 0, ?)",
                (path, sha256, size, version, now()),
            )
            file_id = cur.lastrowid
            n = 0
            for note, cid, chash, (status, reason, dup_of), pseud, bands in rows:
                _, columns, raw_meta, utterances, _ = note_rows(note) if isinstance(note, Note) else note
                db.execute(
                    "INSERT INTO conversations (id, note_id, file_id, content_hash, conversationalist_id,"
                    " organisation, setting, area, postcode_district, date, age_band, residents,"
                    " consent_to_quote, language, extra_keys, status, status_reason, duplicate_of, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (cid, columns[0], file_id, chash, pseud, *columns[1:], status, reason, dup_of, now()),
                )
                db.execute(
                    "INSERT INTO raw_notes (conversation_id, raw_meta, raw_text) VALUES (?,?,?)",
                    (cid, raw_meta, "\n".join(u[4] for u in utterances)),
                )
                db.executemany(
                    "INSERT INTO raw_utterances (conversation_id, idx, speaker, role, question, text)"
                    " VALUES (?,?,?,?,?,?)",
                    [(cid, *u) for u in utterances],
                )
                if bands:
                    db.executemany("INSERT INTO dedup_bands (key, conversation_id) VALUES (?,?)",
                                   [(k, cid) for k in bands])
                n += 1
            db.execute("UPDATE files SET n_notes=? WHERE id=?", (n, file_id))
        return file_id

    def add_rejected_file(self, path: str, sha256: str, size: int, code: str, message: str) -> None:
        """Record a file that could not be ingested (replacing an earlier record of the same content)."""
        with self.transaction() as db:
            db.execute("DELETE FROM files WHERE path=? AND sha256=? AND status='rejected'", (path, sha256))
            if db.execute("SELECT 1 FROM files WHERE path=? AND sha256=? AND status='ok'", (path, sha256)).fetchone():
                return  # the same content was ingested before (e.g. under a larger size limit)
            db.execute(
                "INSERT INTO files (path, sha256, size, status, error_code, error_message, ingested_at)"
                " VALUES (?,?,?, 'rejected', ?, ?, ?)",
                (path, sha256, size, code, message, now()),
            )

    def conversation_by_hash(self, content_hash: str) -> str | None:
        """The earliest ok conversation with this content hash (exact-duplicate screening)."""
        row = self.db.execute(
            "SELECT id FROM conversations WHERE content_hash=? AND status='ok' ORDER BY created_at, rowid LIMIT 1",
            (content_hash,),
        ).fetchone()
        return row[0] if row else None

    def near_duplicate_candidates(self, keys: list[int], limit: int = 20) -> list[tuple[str, str]]:
        """(conversation id, raw text) of ok conversations sharing an LSH band key (ingest screening)."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT c.id, r.raw_text FROM (SELECT DISTINCT conversation_id FROM dedup_bands WHERE key IN ({marks})) b"
            " JOIN conversations c ON c.id=b.conversation_id AND c.status='ok'"
            " JOIN raw_notes r ON r.conversation_id=c.id LIMIT ?",
            (*keys, limit),
        )
        return [(r[0], r[1]) for r in rows]

    def ingest_salt(self) -> str:
        """The project's random salt for conversationalist pseudonyms (created on first use)."""
        row = self.db.execute("SELECT value FROM ingest_settings WHERE key='pseudonym_salt'").fetchone()
        if row:
            return row[0]
        import secrets

        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO ingest_settings (key, value) VALUES ('pseudonym_salt', ?)",
                       (secrets.token_hex(16),))
        return self.db.execute("SELECT value FROM ingest_settings WHERE key='pseudonym_salt'").fetchone()[0]

    def conversations(self, status: str | None = "ok") -> list[dict]:
        sql = "SELECT * FROM conversations"
        args: tuple = ()
        if status is not None:
            sql += " WHERE status=?"
            args = (status,)
        return [dict(r) for r in self.db.execute(sql + " ORDER BY id", args)]

    def raw_utterances(self, conversation_id: str) -> list[Utterance]:
        rows = self.db.execute(
            "SELECT idx, text, role, question, speaker FROM raw_utterances WHERE conversation_id=? ORDER BY idx",
            (conversation_id,),
        )
        return [Utterance(index=r[0], text=r[1], role=r[2], question=r[3], speaker=r[4]) for r in rows]

    def raw_utterances_many(self, conversation_ids: list[str]) -> dict[str, list[Utterance]]:
        """:meth:`raw_utterances` of many conversations, a few queries per chunk of ids."""
        out: dict[str, list[Utterance]] = {cid: [] for cid in conversation_ids}
        for i in range(0, len(conversation_ids), 900):  # under SQLite's default 999 variables
            part = conversation_ids[i:i + 900]
            for cid, idx, text, role, question, speaker in self.db.execute(
                    "SELECT conversation_id, idx, text, role, question, speaker FROM raw_utterances WHERE"
                    f" conversation_id IN ({','.join('?' * len(part))}) ORDER BY conversation_id, idx", part):
                out[cid].append(Utterance(index=idx, text=text, role=role, question=question, speaker=speaker))
        return out

    def raw_meta_many(self, conversation_ids: list[str]) -> dict[str, str]:
        """Conversation id -> its stored metadata JSON (``raw_notes.raw_meta``), a query per 900 ids."""
        out: dict[str, str] = {}
        for i in range(0, len(conversation_ids), 900):
            part = conversation_ids[i:i + 900]
            out.update(self.db.execute("SELECT conversation_id, raw_meta FROM raw_notes WHERE conversation_id IN"
                                       f" ({','.join('?' * len(part))})", part).fetchall())
        return out

    def files(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM files ORDER BY id")]

    # -- redacted text --------------------------------------------------------
    def redacted_ids(self, redactor: str) -> set[str]:
        rows = self.db.execute("SELECT DISTINCT conversation_id FROM utterances WHERE redactor=?", (redactor,))
        return {r[0] for r in rows}

    def put_redacted(self, conversation_id: str, utterances: list[Utterance], spans: list[list],
                     redactor: str, flags: Iterable[tuple] = ()) -> None:
        """Replace a conversation's redacted utterances and flags in one transaction.

        ``flags`` are ``(kind, reason)`` (the whole note) or ``(kind, reason, utterance index)``;
        the same flag given twice is stored once."""
        self.put_redacted_many([(conversation_id, utterances, spans, flags)], redactor)

    def put_redacted_many(self, notes: list[tuple[str, list[Utterance], list[list], Iterable[tuple]]],
                          redactor: str, review: Iterable[tuple] = ()) -> None:
        """:meth:`put_redacted` for many ``(conversation id, utterances, spans, flags)`` in one
        transaction, with the review queue's ``(conversation id, utterance_idx, start, end, label,
        score, source)`` rows for them (added as :func:`kilvoice.store.review.queue_spans` adds
        them): a chunk of notes is stored whole or not at all."""
        stamp = now()
        with self.transaction() as db:
            ids = [(cid,) for cid, *_ in notes]
            db.executemany("DELETE FROM utterances WHERE conversation_id=?", ids)
            db.executemany("DELETE FROM flags WHERE conversation_id=?", ids)
            db.executemany(
                'INSERT OR IGNORE INTO redaction_review (conversation_id, utterance_idx, start, "end", label,'
                " score, source, status, created_at) VALUES (?,?,?,?,?,?,?, 'pending', ?)",
                [(cid, i, s, e, label, float(score), source, stamp) for cid, i, s, e, label, score, source in review],
            )
            db.executemany(
                "INSERT INTO utterances (conversation_id, idx, role, question, text, redactor, spans)"
                " VALUES (?,?,?,?,?,?,?)",
                [(cid, u.index, u.role, u.question, u.text, redactor,
                  json.dumps([s if isinstance(s, dict) else s.__dict__ for s in sp]))
                 for cid, utterances, spans, _ in notes for u, sp in zip(utterances, spans)],
            )
            db.executemany(
                "INSERT OR IGNORE INTO flags (conversation_id, kind, reason, utterance_idx, created_at)"
                " VALUES (?,?,?,?,?)",
                [(cid, f[0], f[1], f[2] if len(f) > 2 else -1, stamp) for cid, _, _, flags in notes for f in flags],
            )

    def redacted_utterances(self, conversation_id: str) -> list[Utterance]:
        rows = self.db.execute(
            "SELECT idx, text, role, question FROM utterances WHERE conversation_id=? ORDER BY idx",
            (conversation_id,),
        )
        return [Utterance(index=r[0], text=r[1], role=r[2], question=r[3]) for r in rows]

    def redacted_utterances_many(self, conversation_ids: list[str]) -> dict[str, list[Utterance]]:
        """:meth:`redacted_utterances` of many conversations, a few queries per chunk of ids."""
        out: dict[str, list[Utterance]] = {cid: [] for cid in conversation_ids}
        for i in range(0, len(conversation_ids), 900):  # under SQLite's default 999 variables
            part = conversation_ids[i:i + 900]
            for cid, idx, text, role, question in self.db.execute(
                    "SELECT conversation_id, idx, text, role, question FROM utterances WHERE conversation_id IN"
                    f" ({','.join('?' * len(part))}) ORDER BY conversation_id, idx", part):
                out[cid].append(Utterance(index=idx, text=text, role=role, question=question))
        return out

    def flags(self, kind: str | None = None) -> list[dict]:
        sql, args = "SELECT * FROM flags", ()
        if kind:
            sql, args = sql + " WHERE kind=?", (kind,)
        return [dict(r) for r in self.db.execute(sql, args)]

    def flagged_utterances(self, kind: str = "safeguarding") -> dict[str, set[int]]:
        """Conversation id -> indexes of its flagged utterances (-1: the whole note)."""
        out: dict[str, set[int]] = {}
        for cid, idx in self.db.execute("SELECT conversation_id, utterance_idx FROM flags WHERE kind=?", (kind,)):
            out.setdefault(cid, set()).add(idx)
        return out

    def redaction_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for (spans,) in self.db.execute("SELECT spans FROM utterances"):
            for span in json.loads(spans):
                counts[span["label"]] = counts.get(span["label"], 0) + 1
        return counts

    # -- statements -----------------------------------------------------------
    def replace_statements(self, conversation_id: str, statements: list[Statement], hashes: list[str]) -> None:
        existing = [tuple(r) for r in self.db.execute(
            "SELECT id, text_hash FROM statements WHERE conversation_id=? ORDER BY id", (conversation_id,))]
        if existing == sorted(zip((s.id for s in statements), hashes)):
            return
        with self.transaction() as db:
            db.execute("DELETE FROM statements WHERE conversation_id=?", (conversation_id,))
            db.executemany(
                "INSERT INTO statements (id, conversation_id, utterance_idx, idx, question, text, text_hash)"
                " VALUES (?,?,?,?,?,?,?)",
                [(s.id, s.conversation_id, s.utterance_index, s.index, s.question, s.text, h)
                 for s, h in zip(statements, hashes)],
            )

    def replace_statements_many(self, pending: list[tuple[str, list[Statement]]], hasher) -> None:
        """:meth:`replace_statements` for many conversations in one transaction; only conversations
        whose statements changed are rewritten (a statement id given twice is stored once)."""
        if not pending:
            return
        ids = [cid for cid, _ in pending]
        existing: dict[str, list[tuple[str, str]]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for cid, sid, h in self.db.execute(
                    f"SELECT conversation_id, id, text_hash FROM statements WHERE conversation_id IN ({marks})", chunk):
                existing.setdefault(cid, []).append((sid, h))
        changed = []
        for cid, statements in pending:
            unique = list({s.id: s for s in statements}.values())
            rows = sorted((s.id, hasher(s.text)) for s in unique)
            if sorted(existing.get(cid, [])) != rows:
                changed.append((cid, unique))
        if not changed:
            return
        with self.transaction() as db:
            db.executemany("DELETE FROM statements WHERE conversation_id=?", [(cid,) for cid, _ in changed])
            db.executemany(
                "INSERT OR REPLACE INTO statements (id, conversation_id, utterance_idx, idx, question, text, text_hash)"
                " VALUES (?,?,?,?,?,?,?)",
                [(s.id, s.conversation_id, s.utterance_index, s.index, s.question, s.text, hasher(s.text))
                 for _, sts in changed for s in sts],
            )

    def replace_left_out_many(self, conversation_ids: list[str], rows: list[tuple]) -> None:
        """What the segment step left out in another language for ``conversation_ids``: ``rows`` of
        (id, conversation id, language, redacted text) replace what was stored for them."""
        if not rows and not self.db.execute("SELECT 1 FROM left_out LIMIT 1").fetchone():
            return  # the common case: nothing left out, nothing stored
        with self.transaction() as db:
            for i in range(0, len(conversation_ids), 500):
                chunk = conversation_ids[i:i + 500]
                db.execute(f"DELETE FROM left_out WHERE conversation_id IN ({','.join('?' * len(chunk))})", chunk)
            db.executemany("INSERT OR REPLACE INTO left_out (id, conversation_id, language, text) VALUES (?,?,?,?)",
                           rows)

    # -- embeddings cache -----------------------------------------------------
    def get_embeddings(self, model_id: str, hashes: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for h, blob in self.db.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model_id=? AND text_hash IN ({marks})",
                (model_id, *chunk),
            ):
                found[h] = np.frombuffer(blob, dtype="<f4")
        return found

    def put_embeddings(self, model_id: str, hashes: list[str], vectors: np.ndarray) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (model_id, text_hash, dim, vector) VALUES (?,?,?,?)",
                [(model_id, h, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes())
                 for h, v in zip(hashes, vectors)],
            )

    # -- runs -----------------------------------------------------------------
    def start_run(self, run_id: str, pipeline: str, pid: int | None = None) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO runs (id, pipeline, started_at, status, pid) VALUES (?,?,?, 'running', ?)",
                       (run_id, pipeline, now(), pid))

    def interrupt_stale_runs(self) -> list[str]:
        """Mark 'interrupted' the runs left 'running' by a process that no longer exists (killed,
        or the machine lost power); a run of a live process, e.g. the web app's, is left alone."""
        import os

        stale = []
        for run_id, pid in self.db.execute("SELECT id, pid FROM runs WHERE status='running'").fetchall():
            alive = False
            if pid and pid != os.getpid():
                try:
                    os.kill(pid, 0)
                    alive = True
                except ProcessLookupError:
                    alive = False
                except PermissionError:
                    alive = True
            if not alive:
                stale.append(run_id)
        if stale:
            with self.transaction() as db:
                db.executemany("UPDATE runs SET status='interrupted', finished_at=? WHERE id=? AND status='running'",
                               [(now(), r) for r in stale])
        return stale

    def finish_run(self, run_id: str, manifest: dict, status: str = "done") -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET finished_at=?, status=?, manifest=? WHERE id=?",
                       (now(), status, json.dumps(manifest, default=str), run_id))

    def runs(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM runs ORDER BY started_at, id")]

    def save_results(self, run_id: str, themes: list[Theme], assignments: list[Assignment],
                     links: list[Link], rejects: list[Reject]) -> None:
        with self.transaction() as db:
            for table in ("themes", "assignments", "links"):
                db.execute(f"DELETE FROM {table} WHERE run_id=?", (run_id,))
            # rows are generated as they are inserted, never listed: a million statements' assignments
            # and ~2M links as tuples were ~0.5 GB held at once
            db.executemany(
                "INSERT INTO themes (run_id, id, title, description, keywords, size, n_conversations,"
                " parent, stance, representative) VALUES (?,?,?,?,?,?,?,?,?,?)",
                ((run_id, t.id, t.title, t.description, json.dumps(t.keywords), t.size, t.n_conversations,
                  t.parent, json.dumps(t.stance), json.dumps(t.representative)) for t in themes),
            )
            db.executemany(
                "INSERT INTO assignments (run_id, statement_id, theme_id, score, is_primary) VALUES (?,?,?,?,?)",
                ((run_id, a.statement_id, a.theme_id, float(a.score), int(a.primary)) for a in assignments),
            )
            db.executemany(
                "INSERT INTO links (run_id, source_kind, source_id, framework_id, item_id, score, evidence,"
                " rationale, status) VALUES (?,?,?,?,?,?,?,?,?)",
                ((run_id, l.source_kind, l.source_id, l.framework_id, l.item_id, float(l.score),
                  json_list(l.evidence), l.rationale, l.status) for l in links),
            )
            db.executemany(
                "INSERT INTO rejects (run_id, stage, item, code, reason, created_at) VALUES (?,?,?,?,?,?)",
                [(run_id, r.stage, r.item, r.code, r.reason, now()) for r in rejects],
            )

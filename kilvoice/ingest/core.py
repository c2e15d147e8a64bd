"""The ingest loop: walk the inputs, check and hash each file, parse, screen and store it
in one transaction per file. A bad file becomes one ``Reject`` and a ``rejected`` files row;
the batch goes on."""
from __future__ import annotations

import hashlib
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from itertools import islice

import yaml

from kilvoice.errors import KilvoiceError
from kilvoice.ingest.formats import SUPPORTED, TEXT_SUFFIXES, Context, RowNote, iter_notes
from kilvoice.ingest.formats.text import sniff_encoding
from kilvoice.ingest.metadata import pseudonym
from kilvoice.ingest.rows import made, prepare_rows
from kilvoice.ingest.screening import Prepared, Screener
from kilvoice.records import Note, Reject
from kilvoice.store.sqlite import note_rows

SKIP_NAMES = {"readme.md", "seeded_pii.json", "license", "license.txt", "licence.txt"}
CHUNK = 1 << 20
# SQLite's page cache while ingesting (KiB; its default is 2 MiB). Each note adds 37 LSH band keys
# at random places in the dedup_bands index: with the default cache nearly every insert and lookup
# missed it once the index outgrew 2 MiB (22,000 notes: 0.8M keys), and the misses grow with the
# store. 256 MiB holds the index of about a million statements; memory is taken only as pages are read.
INGEST_CACHE_KIB = 262_144
PREPARE_CHUNK = 256  # notes per chunk sent to a worker for the store-free part of screening
RUN_ERRORS = frozenset({"K962"})  # failures of the run, not of the file being read: they stop the batch


@dataclass
class IngestResult:
    """What one ingest did. ``flagged`` counts notes stored with a status other than ok."""

    files_ok: int = 0
    files_unchanged: int = 0
    files_rejected: int = 0
    notes_added: int = 0
    flagged: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    warnings: int = 0

    def as_dict(self) -> dict:
        return {
            "files_ok": self.files_ok, "files_unchanged": self.files_unchanged,
            "files_rejected": self.files_rejected, "notes_added": self.notes_added,
            "flagged": dict(sorted(self.flagged.items())), "warnings": self.warnings,
            "rejects": [{"item": r.item, "code": r.code, "reason": r.reason} for r in self.rejects],
        }


def display_path(path: str) -> str:
    """A path safe to print on one line: undecodable bytes and control characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode() for ch in text)


def stored_path(path: Path, root: Path | None) -> str:
    """The path as stored: relative to ``root`` (POSIX style) when under it, else absolute."""
    p = Path(os.path.abspath(path))
    if root is not None:
        try:
            rel = p.relative_to(Path(os.path.abspath(root)))
            return os.fsencode(rel.as_posix()).decode("utf-8", "backslashreplace")
        except ValueError:
            pass
    return os.fsencode(p.as_posix()).decode("utf-8", "backslashreplace")


def skipped(name: str) -> bool:
    """Files in a folder walk that are not notes: hidden, ``_*``, README.md, sidecars, code."""
    low = name.lower()
    return (name.startswith((".", "_", "~$")) or low in SKIP_NAMES or low.endswith((".meta.yaml", ".py", ".pyc"))
            or low.endswith(".meta.yml"))


def walk(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Each given file, and every file under each given folder (sorted, links not followed)."""
    for given in paths:
        p = Path(given)
        if p.is_dir() and not p.is_symlink():
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_", "__pycache__")))
                base = Path(dirpath)
                for d in dirnames:
                    if (base / d).is_symlink():
                        yield base / d
                for name in sorted(filenames):
                    if not skipped(name):
                        yield base / name
        else:
            yield p


def sidecar_for(path: Path) -> Path | None:
    for suffix in (".meta.yaml", ".meta.yml"):
        side = path.with_name(path.name + suffix)
        if side.is_file():
            return side
    return None


class Ingester:
    """Ingests files into one store. Settings: column ``mapping``, ``max_mb``, screening options."""

    def __init__(self, store, mapping: dict[str, str] | None = None, max_mb: float = 50,
                 root: Path | None = None, near_threshold: float = 0.8, detect_language: bool = True):
        self.store = store
        self.mapping = mapping
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.max_mb = max_mb
        self.root = root
        self.screener = Screener(store, near_threshold=near_threshold, detect_language=detect_language)
        self.salt = store.ingest_salt()

    def run(self, paths: Iterable[str | Path], progress: bool = False, executor=None) -> IngestResult:
        """Ingest ``paths`` (files and folders). ``executor`` (:mod:`kilvoice.executors`) makes the
        notes of table rows, their store rows and the store-free part of screening on chunks of
        notes in other processes (:mod:`kilvoice.ingest.rows`); reading the files, the duplicate
        checks against the store and every write stay here, so the store is the same either way."""
        self.executor = executor if executor is not None and executor.jobs > 1 else None
        result = IngestResult()
        files = list(walk(paths))
        bar = None
        if progress or sys.stderr.isatty():
            from tqdm import tqdm

            total = 0
            for f in files:
                try:
                    st = f.lstat()
                    total += st.st_size if stat.S_ISREG(st.st_mode) and st.st_size <= self.max_bytes else 0
                except OSError:
                    pass
            bar = tqdm(total=total, unit="B", unit_scale=True, desc="ingest", file=sys.stderr,
                       disable=False, leave=False)
        cache = self.store.db.execute("PRAGMA cache_size").fetchone()[0]
        self.store.db.execute(f"PRAGMA cache_size=-{INGEST_CACHE_KIB}")
        try:
            for path in files:
                self.one(path, result, bar)
                if bar is not None:
                    bar.set_postfix(notes=result.notes_added, rejected=result.files_rejected, refresh=False)
        finally:
            self.store.db.execute(f"PRAGMA cache_size={int(cache)}")
            if bar is not None:
                bar.close()
        return result

    def _reject(self, result: IngestResult, source: str, display: str, sha: str, size: int,
                err: KilvoiceError) -> None:
        reason = err.message
        for prefix in (display + ": ", display + " "):
            if reason.startswith(prefix):
                reason = reason[len(prefix):]
                break
        result.files_rejected += 1
        result.rejects.append(Reject(stage="ingest", item=display, code=err.code, reason=reason))
        self.store.add_rejected_file(source, sha, size, err.code, err.message)

    def one(self, path: Path, result: IngestResult, bar=None) -> None:
        """Ingest one file; every failure becomes a reject."""
        source = stored_path(path, self.root)
        display = display_path(source)
        sha, size = "-", 0
        seen_bytes = 0

        def advance(n: int) -> None:
            nonlocal seen_bytes
            seen_bytes += n
            if bar is not None:
                bar.update(n)

        try:
            try:
                st = path.lstat()
            except FileNotFoundError:
                raise KilvoiceError("K210", path=display) from None
            except OSError as exc:
                raise KilvoiceError("K218", path=display, problem=exc.strerror or type(exc).__name__) from None
            size = st.st_size
            if stat.S_ISLNK(st.st_mode):
                raise KilvoiceError("K216", path=display)
            if not stat.S_ISREG(st.st_mode):
                raise KilvoiceError("K217", path=display)
            if size > self.max_bytes:
                sha = f"size:{size}"
                raise KilvoiceError("K209", path=display, limit=f"{self.max_mb:g}")
            suffix = path.suffix.lower()
            sha, encoding, scan_error = self._scan(path, display, suffix in TEXT_SUFFIXES)
            if size == 0:
                raise KilvoiceError("K201", path=display)
            if scan_error is not None and suffix in SUPPORTED:
                raise scan_error
            if suffix not in SUPPORTED:
                raise KilvoiceError("K203", path=display, suffix=suffix or "(none)", supported=" ".join(SUPPORTED))
            sidecar, side_sha = self._sidecar(path, display)
            if side_sha:
                sha = hashlib.sha256((sha + side_sha).encode()).hexdigest()
            if self.store.file_seen(source, sha):
                result.files_unchanged += 1
                if bar is not None:
                    bar.update(size)
                return
            ctx = Context(source=source, display=display, encoding=encoding, mapping=self.mapping,
                          sidecar=sidecar, on_bytes=advance if suffix in (".csv", ".tsv", ".jsonl") else None,
                          defer_rows=self.executor is not None)
            counts: dict[str, int] = {}
            warns = [0]
            self.store.add_file(source, sha, size, self._rows(path, ctx, sha, counts, warns))
        except KilvoiceError as err:
            if err.code in RUN_ERRORS:  # the run's workers failed, not this file: stop, storing nothing of it
                raise
            self._reject(result, source, display, sha, size, err)
        except Exception as err:  # a parser bug must not stop the batch; the message names no content
            self._reject(result, source, display, sha, size, KilvoiceError(
                "K205", path=display, problem=f"unexpected {type(err).__name__} while reading; please report it"))
        else:
            result.files_ok += 1
            for status, n in counts.items():
                if status == "ok":
                    continue
                result.flagged[status] = result.flagged.get(status, 0) + n
            result.notes_added += sum(counts.values())
            result.warnings += warns[0]
        finally:
            if bar is not None and seen_bytes < size <= self.max_bytes:
                bar.update(size - seen_bytes)

    def _rows(self, path: Path, ctx: Context, sha: str, counts: dict[str, int], warns: list[int]):
        """Rows for Store.add_file, screened one by one inside the file's transaction."""
        n = 0
        for rows, prepared in self._prepared(iter_notes(path, ctx), ctx):
            cid = "c-" + hashlib.sha256(f"{ctx.source}\x00{sha}\x00{n}".encode()).hexdigest()[:16]
            screened = self.screener.decide(prepared)
            counts[screened.status] = counts.get(screened.status, 0) + 1
            warns[0] += rows[4]
            pseud = pseudonym(rows[0], self.salt)
            yield (rows, cid, screened.content_hash, (screened.status, screened.reason, screened.duplicate_of),
                   pseud, screened.bands)
            n += 1
        if n == 0:
            raise KilvoiceError("K213", path=ctx.display)

    def _prepared(self, items: Iterable[Note | RowNote], ctx: Context) -> Iterator[tuple[tuple, Prepared]]:
        """``(note_rows(note), Screener.prepare(note))`` in file order. With an executor, the
        parser's items (table rows not yet made into notes, or notes) go in chunks of PREPARE_CHUNK
        to its workers, a few chunks ahead of the writer, which makes the notes and their rows there
        (:func:`kilvoice.ingest.rows.prepare_rows`); the salt for pseudonyms never leaves this process."""
        if self.executor is None:
            for item in items:
                note = made(ctx, item)
                yield note_rows(note), self.screener.prepare(note)
            return
        settings = {"detect_language": self.screener.detect_language,
                    "min_words_near": self.screener.min_words_near}

        def chunks():
            it = iter(items)
            while chunk := list(islice(it, PREPARE_CHUNK)):
                yield settings, ctx.source, ctx.sidecar, chunk

        for prepared in self.executor.map(prepare_rows, chunks()):
            yield from prepared

    def _scan(self, path: Path, display: str, text: bool) -> tuple[str, str | None, KilvoiceError | None]:
        """(SHA-256, encoding, error): one pass over the file. For text formats the encoding
        comes from a BOM / UTF-16 pattern, else UTF-8 if every byte decodes, else cp1252;
        NUL bytes in a file without a UTF-16/32 sign make it binary (K202)."""
        import codecs

        h = hashlib.sha256()
        encoding, decoder, error = None, None, None
        try:
            with open(path, "rb") as fh:
                first = True
                for chunk in iter(lambda: fh.read(CHUNK), b""):
                    h.update(chunk)
                    if text and first:
                        encoding = sniff_encoding(chunk)
                        if encoding is None:
                            if b"\x00" in chunk:
                                error = KilvoiceError("K202", path=display)
                            else:
                                decoder = codecs.getincrementaldecoder("utf-8")()
                    elif text and encoding is None and decoder is None and error is None and b"\x00" in chunk:
                        error = KilvoiceError("K202", path=display)
                    if decoder is not None:
                        try:
                            decoder.decode(chunk)
                        except UnicodeDecodeError:
                            decoder, encoding = None, "cp1252"
                    first = False
                if decoder is not None:
                    try:
                        decoder.decode(b"", final=True)
                        encoding = "utf-8"
                    except UnicodeDecodeError:
                        encoding = "cp1252"
        except OSError as exc:
            raise KilvoiceError("K218", path=display, problem=exc.strerror or type(exc).__name__) from None
        return h.hexdigest(), encoding, error

    def _sidecar(self, path: Path, display: str) -> tuple[dict, str | None]:
        side = sidecar_for(path)
        if side is None:
            return {}, None
        try:
            data = side.read_bytes()
            loaded = yaml.safe_load(data.decode("utf-8-sig")) if data.strip() else {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise KilvoiceError("K206", path=display,
                                problem=f"the sidecar {side.name} cannot be read ({type(exc).__name__}). Fix its YAML")
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise KilvoiceError("K206", path=display, problem=f"the sidecar {side.name} must be a mapping of key: value")
        return loaded, hashlib.sha256(data).hexdigest()

"""Ingest: read conversationalists' files into the raw store, one transaction per file.

From Python::

    from kilvoice.ingest import ingest, read_file
    result = ingest(["corpora/samples"], store, mapping={"text": "Notes"}, root=Path("."))
    notes = read_file("notes/a.txt")      # pure parser, raises KilvoiceError

The pipeline uses the registered stage ``kilvoice.ingest.files.v1``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from kilvoice.errors import KilvoiceError
from kilvoice.ingest.core import IngestResult, Ingester, display_path
from kilvoice.ingest.formats import SUPPORTED, TEXT_SUFFIXES, Context, iter_notes
from kilvoice.records import Note
from kilvoice.registry import register

__all__ = ["ingest", "read_file", "IngestResult", "parse_mapping", "SUPPORTED"]


def ingest(paths: Iterable[str | Path], store, mapping: dict[str, str] | None = None, progress: bool = False,
           root: Path | None = None, max_mb: float = 50, near_threshold: float = 0.8,
           detect_language: bool = True, executor=None) -> IngestResult:
    """Ingest files and folders into ``store``; bad files become rejects, the rest go on.
    ``executor`` (:func:`kilvoice.executors.make_executor`) screens chunks of notes in its workers."""
    ingester = Ingester(store, mapping=mapping, max_mb=max_mb, root=root, near_threshold=near_threshold,
                        detect_language=detect_language)
    return ingester.run(paths, progress=progress, executor=executor)


def read_file(path: str | Path, mapping: dict[str, str] | None = None) -> list[Note]:
    """Parse one file into notes (no store, no screening). Raises KilvoiceError (K2xx)."""
    p = Path(path)
    display = display_path(str(p))
    if not p.exists():
        raise KilvoiceError("K210", path=display)
    if p.stat().st_size == 0:
        raise KilvoiceError("K201", path=display)
    ing = Ingester.__new__(Ingester)  # only for the scan and sidecar helpers
    encoding = None
    if p.suffix.lower() in TEXT_SUFFIXES:
        _, encoding, error = Ingester._scan(ing, p, display, True)
        if error:
            raise error
    sidecar, _ = Ingester._sidecar(ing, p, display)
    ctx = Context(source=str(p), display=display, encoding=encoding, mapping=mapping, sidecar=sidecar)
    return list(iter_notes(p, ctx))


def parse_mapping(spec: str | dict | None) -> dict[str, str] | None:
    """``"text=Notes;Other,area=Ward"`` -> ``{"text": "Notes;Other", "area": "Ward"}``."""
    if spec is None or isinstance(spec, dict):
        return dict(spec) if spec else None
    out: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise KilvoiceError("K220", problem=f"part '{part.strip()}' has no '='")
        key, value = part.split("=", 1)
        if not key.strip() or not value.strip():
            raise KilvoiceError("K220", problem=f"part '{part.strip()}' needs a key and a column")
        out[key.strip().lower()] = value.strip()
    return out or None


class FilesStage:
    """The registered ingest stage: ``.run(paths, store, progress=False) -> IngestResult``."""

    def __init__(self, mapping: dict[str, str] | None, max_mb: float, root: Path | None,
                 near_threshold: float, detect_language: bool):
        self.mapping, self.max_mb, self.root = mapping, max_mb, root
        self.near_threshold, self.detect_language = near_threshold, detect_language

    def run(self, paths: Iterable[str | Path], store, progress: bool = False, root: Path | None = None,
            executor=None) -> IngestResult:
        return ingest(paths, store, mapping=self.mapping, progress=progress, root=root or self.root,
                      max_mb=self.max_mb, near_threshold=self.near_threshold, detect_language=self.detect_language,
                      executor=executor)


@register("kilvoice.ingest.files.v1")
def files_v1(csv_map: dict | str | None = None, map: dict | str | None = None, max_mb: float = 50,
             root: str | Path | None = None, near_duplicate_threshold: float = 0.8,
             detect_language: bool = True, **unknown) -> FilesStage:
    """Factory for the pipeline's [ingest] section."""
    if unknown:
        raise KilvoiceError("K219", names=", ".join(sorted(unknown)),
                            allowed="csv_map, max_mb, root, near_duplicate_threshold, detect_language")
    mapping = parse_mapping(csv_map if csv_map is not None else map)
    return FilesStage(mapping, float(max_mb), Path(root) if root else None,
                      float(near_duplicate_threshold), bool(detect_language))

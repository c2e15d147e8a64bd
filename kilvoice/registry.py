"""Registered, versioned stage implementations.

A pipeline file names a stage by its registered name (``kilvoice.topics.bertopic.v1``).
Improvements ship under a new version so old pipeline files reproduce. A factory takes
the stage's settings from the pipeline file as keyword arguments and returns the stage.
"""
from __future__ import annotations

import importlib
from typing import Callable

from kilvoice.errors import KilvoiceError

_STAGES: dict[str, Callable] = {}

# Modules that register stages; imported lazily so `kilvoice --help` stays fast.
_PROVIDERS = {
    "kilvoice.ingest.": "kilvoice.ingest",
    "kilvoice.redact.": "kilvoice.redact",
    "kilvoice.segment.": "kilvoice.segment",
    "kilvoice.embed.": "kilvoice.embed",
    "kilvoice.embed.onnx.": "kilvoice.embed_onnx",
    "kilvoice.embed.auto.": "kilvoice.embed_auto",
    "kilvoice.topics.": "kilvoice.topics",
    "kilvoice.map.": "kilvoice.mapping",
    "kilvoice.report.": "kilvoice.report",
}


def register(name: str):
    def decorate(factory: Callable) -> Callable:
        _STAGES[name] = factory
        return factory

    return decorate


def _load_all() -> None:
    for module in _PROVIDERS.values():
        importlib.import_module(module)


def names() -> list[str]:
    _load_all()
    return sorted(_STAGES)


def get(name: str) -> Callable:
    if name not in _STAGES:
        for prefix, module in _PROVIDERS.items():
            if name.startswith(prefix):
                importlib.import_module(module)
    if name not in _STAGES:
        raise KilvoiceError("K101", name=name, available=", ".join(names()))
    return _STAGES[name]


def create(name: str, **settings):
    return get(name)(**settings)

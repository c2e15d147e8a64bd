"""Statements in another language inside an English note.

Ingest screens whole notes (``kilvoice.ingest.screening``): a note mostly in English passes,
even when a resident switched language for a sentence or a note mixes answers in two
languages. Those statements would form themes of their own ("Und and der"), so the segment
step leaves them out (K682), as whole non-English notes are: counted, not translated.

Cheap first: a statement with English function words is English; one with neither English nor
common German, French, Spanish, Dutch, Italian, Portuguese or Welsh function words and only
ASCII letters is left alone (langdetect misreads short English); only the rest goes to the
seeded detector.
"""
from __future__ import annotations

import re

from kilvoice.ingest.screening import ENGLISH_STOPWORDS, detect

# function words of other languages that are not English words too
OTHER_STOPWORDS = frozenset("""
der die das und ist nicht ein eine einen zu mit für auf den dem des sich wir ich es sie im von auch
werden wird sind bei nach oder aber wie noch nur mehr kann soll muss
le la les et est une des du pour que qui dans pas sur sont avec nous vous ce cette mais ou aux
el los las es una por con para del se lo como más pero su sus muy también hay
het een van niet zijn voor ook wij maar worden
il della che di non sono gli delle per una anche
não uma com os das dos para mais
yr mae ac yn ein eu bod hefyd gyda ond neu dros wedi roedd bydd
""".split()) - ENGLISH_STOPWORDS
_WORD = re.compile(r"[^\W\d_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def statement_language(text: str, min_probability: float = 0.9) -> str | None:
    """The language code when ``text`` is plainly not English, else None."""
    tokens = _WORD.findall(text.lower())
    letters = sum(len(t) for t in tokens)
    if letters < 12 and not _CJK.search(text):  # a CJK character is a word on its own
        return None
    english = sum(t in ENGLISH_STOPWORDS for t in tokens) / max(len(tokens), 1)
    foreign = sum(t in OTHER_STOPWORDS for t in tokens) / max(len(tokens), 1)
    if english >= 0.15 and english >= foreign:  # German shares "in", "an", "so", "was", "will" with English
        return None
    if foreign < 0.15 and text.isascii():
        return None
    lang, prob = detect(text)
    return lang if lang and lang != "en" and prob >= min_probability else None

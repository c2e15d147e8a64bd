"""Statements in another language inside an English note.

Ingest screens whole notes (``kilvoice.ingest.screening``): a note mostly in English passes,
even when a resident switched language for a sentence or a note mixes answers in two
languages. Those statements would form themes of their own ("Und and der"), so the segment
step leaves them out (K682), as whole non-English notes are: counted, not translated.

Cheap first: a statement with English function words is English; one with neither English nor
common German, French, Spanish, Dutch, Italian, Portuguese or Welsh function words and only
ASCII letters is left alone (langdetect misreads short English); only the rest goes to the
seeded detector.

v2 (:func:`statement_language_v2`, segment v5) reads each language's function words (spaCy's
lists, a short Welsh one of ours) against English's, pairwise: a word both languages have ("in",
"an", "was" in German) counts for neither, a capitalised word inside a sentence is a name ("Le
Mans"), a redaction placeholder is not a word. v1 let through short German statements (the
detector's 0.71 on six words, below its 0.9; "an" and "in" read as English; "sollte" in no list;
"[PERSON_2]" counted as a word). :func:`split_languages` splits a statement where a sentence in
another language runs into an English one (K750). Measured in docs/PERFORMANCE.md, "lang17".
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


# -- v2 (segment v5): function words per language, read pairwise against English ----------------
# spaCy's stop-word lists (offline, no model), less the ones that are English words as well
# ("stop", "car", "net", "want", "local": seen in English residents' text) and single letters
# ("à la carte", "e.g."); Welsh has no spaCy list, so a short one of ours.
_ENGLISH_WORDS = frozenset("""
stop car etc eu possible sent different certain son plus suit relative dont comment diverse premier tend seize
sea total final usa mayor soy want net later men door met min non come co state fine male ex press fare pure
inc ad local zero inclusive tens logo ir gross bin ins ed sia dire
""".split())
WELSH = frozenset("""
yr yn mae ac ein eich eu bod fod hefyd gyda ond neu dros wedi roedd oedd bydd gan hyn hynny sy sydd oes ddim
nid nad mewn rhaid iawn gallu gwneud cael nhw fy dy ei ydy ydw ydyn yw ble beth pam pryd rwy dw dwi ag hwn yna
yma trwy rhwng achos oherwydd felly eto ychydig llawer mwy gwaith pobl plant ysgol diolch fawr
""".split())
_LANGS = ("de", "fr", "es", "nl", "it", "pt")


def _spacy_stop_words(lang: str) -> frozenset:
    """``spacy.lang.<lang>.stop_words.STOP_WORDS``, read from its file without importing the language's
    package (whose tokenizer exceptions and syntax iterators cost 0.3 s a language, in every worker)."""
    import importlib.util
    from pathlib import Path

    spacy_dir = Path(importlib.util.find_spec("spacy").origin).parent
    spec = importlib.util.spec_from_file_location(f"_kv_stop_{lang}", spacy_dir / "lang" / lang / "stop_words.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


def _stop_words() -> tuple[frozenset, dict[str, frozenset]]:
    english = frozenset(w for w in _spacy_stop_words("en")
                        if len(w) > 1 or w in "ai") | ENGLISH_STOPWORDS  # not "u", "s" of "u.a.", "z.B."
    other = {lang: _spacy_stop_words(lang) for lang in _LANGS}
    other["cy"] = WELSH | {"a", "i", "o", "y"}
    return english, other


_LISTS: tuple | None = None
# a word, hyphens and apostrophes inside it ("de-escalate", "don't" are one word), and what precedes it
_WORD2 = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PLACEHOLDER = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")


def _lists():
    global _LISTS, _ANY_OTHER
    if _LISTS is None:
        english, other = _stop_words()
        # a language's function words that English has too ("in", "an", "was" in German) count for neither
        _LISTS = english, {lang: (frozenset(w for w in words - english - _ENGLISH_WORDS if len(w) > 1),
                                  english - words) for lang, words in other.items()}
        _ANY_OTHER = frozenset().union(*(theirs for theirs, _ in _LISTS[1].values()))
    return _LISTS


_ANY_OTHER: frozenset = frozenset()  # every other language's function words (set by _lists)


def _plainly_english(text: str) -> bool:
    """True when ``text`` has no other language's function word and nothing else that could make it
    another language (CJK, letters English does not use): most statements, decided with one set
    look-up instead of a vote per language."""
    _lists()
    if not _ANY_OTHER.isdisjoint(_WORD2.findall(text.lower().replace("’", "'"))):
        return False
    return not _CJK.search(text) and (text.isascii() or not _NON_ASCII_LETTER.search(text))


def tokens(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, lower-cased word, may be a function word) of ``text`` without redaction
    placeholders. A capitalised word inside a sentence is read as a name ("Le Mans", "Van Dyke",
    "De Niro"): it does not count as another language's function word."""
    text = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    out = []
    for m in _WORD2.finditer(text):
        w = m.group(0)
        first = not out or _SENTENCE_END.search(text[out[-1][1]:m.start()]) is not None
        out.append((m.start(), m.end(), w.lower().replace("’", "'"), first or w.islower()))
    return out


def _english(word: str, ours: frozenset) -> bool:
    """``word`` is one of ``ours``, or a contraction of one ("can't", "we've")."""
    return word in ours or ("'" in word and word.split("'", 1)[0] in ours)


def votes(toks) -> tuple[str, int, int]:
    """(the other language with most different function words, how many, English function words
    that are not also that language's). Different words: "et cetera, et cetera" is one French word."""
    english, other = _lists()
    best, f_best, e_best = None, 0, 0
    for lang, (theirs, ours) in other.items():
        f = len({t[2] for t in toks if t[3] and t[2] in theirs})
        if f > f_best:
            best, f_best = lang, f
            e_best = sum(1 for t in toks if _english(t[2], ours))
    if best is None:
        e_best = sum(1 for t in toks if _english(t[2], english))
    return best, f_best, e_best


MIN_OTHER_WORDS = 2  # different function words of another language, and no English ones, that decide alone
OUTNUMBER = 4  # how many times the English function words another language's must outnumber


def statement_language_v2(text: str, min_probability: float = 0.9) -> str | None:
    """The language code when ``text`` is plainly not English, else None (segment v5).

    English function words decide first: a statement with any that the other language lacks is
    English unless the other language's outnumber them four to one (a German sentence quoting
    "Home Office"). With none: two different function words of another language make it that
    language; one makes it so when the seeded detector names the same language; none, in a text
    with letters English does not use, when the detector is sure it is not English (the probability
    of all other languages together: on a short text it moves in sevenths and splits between
    neighbours, de/af, zh-cn/zh-tw). A text of content words only in plain ASCII is left alone
    ("Holly drive needs sidewalks", "Stronger landlord/tenant rules needed!")."""
    if _plainly_english(text):
        return None
    toks = tokens(text)
    if not toks:
        return None
    if _CJK.search(text):  # the script names the language (langdetect reads Chinese as Korean)
        found = _detected(text, min_probability)
        return found and ("ko" if _HANGUL.search(text) else "ja" if _KANA.search(text)
                          else found if found.startswith("zh") else "zh")
    letters = sum(e - s for s, e, _, _ in toks)
    if letters < 12:
        return None
    lang, f, e = votes(toks)
    if e:
        return lang if f >= OUTNUMBER * e and f >= OUTNUMBER else None
    if f >= MIN_OTHER_WORDS:
        return lang
    if len(toks) < 3:
        return None
    if f == 1:  # one function word ("tenant" is French too): the detector must name the same language
        return lang if _detected(text, min_probability) == lang else None
    return _detected(text, min_probability) if _NON_ASCII_LETTER.search(text) else None


_HANGUL = re.compile(r"[\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")


def _detected(text: str, min_probability: float) -> str | None:
    """The seeded detector's most likely language other than English when the probability that
    ``text`` is not English is at least ``min_probability`` (Chinese splits its probability between
    zh-cn and zh-tw, German between de and af on short text: neither alone is sure), else None."""
    from langdetect.lang_detect_exception import LangDetectException

    from kilvoice.ingest.langdetect_fast import detect_langs

    detect("")  # seeds the detector as ingest's screening does
    try:
        found = detect_langs(_PLACEHOLDER.sub(" ", text)[:400])
    except LangDetectException:
        return None
    english = sum(x.prob for x in found if x.lang == "en")
    best = next((x.lang for x in found if x.lang != "en"), None)
    return best if best and 1.0 - english >= min_probability else None


_FULL_BREAK = re.compile(r"[;:.!?]\s")  # what may end a sentence
_BREAK = re.compile(r"[,\"“”()–—]|\s-\s")  # other punctuation between two words where a language may change
MIN_PART_WORDS = 4  # each side of a split has at least this many words, so it can be judged on its own
ENGLISH_SHARE = 0.3  # the English part's words that are English function words (English prose: 0.4-0.5)


def split_languages(text: str) -> tuple[str, str, str] | None:
    """(English part, other part, its language) of a statement that runs a sentence in another
    language into an English one with no full stop between them ("... nicht notwendig We call on
    the UK Government to ..."), else None. The English part is the stretch of words where English
    function words most outnumber the other language's; what comes before it, after it or both is
    the other part (joined by " … "). Each split falls where the two languages' function words part,
    at punctuation or at a capital letter between them when there is one. Every part must be long
    enough to judge and be judged so on its own: the English part English, with two English function
    words and three in ten of its words English function words, none of the other language's; each
    other part in the other language with three of its own (two when the detector agrees)."""
    if _plainly_english(text):
        return None
    toks = tokens(text)
    n = len(toks)
    if n < 2 * MIN_PART_WORDS:
        return None
    lang, f, e = votes(toks)
    if lang is None or f < 3 or e < 2:
        return None
    theirs, ours = _lists()[1][lang]
    mark = [1 if t[3] and t[2] in theirs else -1 if _english(t[2], ours) else 0 for t in toks]
    before = [0]
    for m in mark:
        before.append(before[-1] + m)
    ends = [0] + list(range(MIN_PART_WORDS, n - MIN_PART_WORDS + 1)) + [n]
    best = None
    for a in ends:
        for b in ends:
            if b - a >= MIN_PART_WORDS and (a, b) != (0, n):
                # English function words minus the other's inside [a, b); of equals, the longest
                score = (before[a] - before[b], b - a)
                if best is None or score > best[0]:
                    best = (score, a, b)
    _, a, b = best
    if a > 0:
        a = _boundary(text, toks, mark, a, 1)
    if b < n:
        b = _boundary(text, toks, mark, b, -1)
    cut = [toks[i][0] if i < n else len(text) for i in (a, b)]
    english = text[cut[0]:cut[1]].strip()
    others = [p for p in (text[:cut[0]].strip(), text[cut[1]:].strip()) if p]
    if not others or not all(_other_part(p, lang) for p in others):
        return None
    e_toks = tokens(english)
    e_words = sum(1 for t in e_toks if _english(t[2], ours))
    if len(e_toks) < MIN_PART_WORDS or e_words < 2 or e_words < ENGLISH_SHARE * len(e_toks) \
            or any(t[3] and t[2] in theirs for t in e_toks) or statement_language_v2(english) is not None:
        return None
    return english, " … ".join(others), lang


def _other_part(part: str, lang: str) -> bool:
    """``part`` of a split statement is long enough to judge and in ``lang`` on its own."""
    toks = tokens(part)
    if len(toks) < MIN_PART_WORDS:
        return False
    o_lang, o_f, _ = votes(toks)
    if o_lang != lang or o_f < 2 or statement_language_v2(part) != lang:
        return False
    return o_f > 2 or _detected(part, 0.9) == lang  # two function words: the detector must agree


def _boundary(text: str, toks, mark, k: int, sign: int) -> int:
    """The split among the equally good ones around ``k`` (neutral words between the first
    language's last function word and the second's first): after what may end a sentence, else at
    a capital letter (the first when English comes first, the last when it follows: the second
    sentence's first word), else after a comma or dash, else ``k``."""
    first = sign  # the mark of the first part's language
    lo = k
    while lo - 1 >= MIN_PART_WORDS and mark[lo - 1] == 0:
        lo -= 1
    hi = k
    while hi + 1 <= len(toks) - MIN_PART_WORDS and mark[hi] == 0:
        hi += 1
    if lo > 0 and mark[lo - 1] not in (0, first):
        return k
    span = range(lo, hi + 1)
    for j in span:  # a sentence's end, then the capital that starts the second sentence, then a comma or dash
        if _FULL_BREAK.search(text[toks[j - 1][1]:toks[j][0]]) and toks[j - 1][1] - toks[j - 1][0] > 1:  # not "e.g."
            return j
    capitals = [j for j in span if text[toks[j][0]].isupper()]
    if capitals:
        return capitals[-1] if first == 1 else capitals[0]
    for j in span:
        if _BREAK.search(text[toks[j - 1][1]:toks[j][0]]):
            return j
    return k

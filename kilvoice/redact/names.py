"""Rule-based PERSON detection that boosts spaCy-small's recall.

Sources, from most to least certain: a title ("Mrs Hartley"), a cue ("my neighbour Doreen",
"spoke to ravi"), a first name from the bundled gazetteer followed by a capitalised surname, a
gazetteer first name alone. Names known from speaker labels and metadata: ``speakers``.
Guards keep place, street and organisation names ("Warren County", "Victoria Street",
"St Helen's") and common words ("Will", "May") out.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Iterator

from spacy.lang.en.stop_words import STOP_WORDS

from kilvoice.redact.patterns import Candidate

# First names that are also common words, months, places or brands: only a name with a
# title, a cue or a surname after it.
AMBIGUOUS = frozenset("""
will may mark bill pat dawn holly ivy hazel heather daisy poppy jasmine lily violet olive pearl joy
penny sue rob don guy ray max jack sam rex robin eve carol noel jan jun june april asia mali iona
chelsea devon jordan warren stanley royston carlton clinton victoria florence dale glen grant lewis
mason harley harper christian frankie precious comfort blessing deniz li wei hui anh ion ola ama yaw
lee kay jay reg stan sid ted ed dai cai una nia tia kai spencer ashley marcus crystal summer faith
hope grace rose ruby amber jade willow aurora dolly teddy otis ellis frank art gene angel sky
hunter chase drew miles king major sterling ling mei chen yan xin jean marie rosa ana sofia maria
nur noor hala maha deka sola esi ade lola milo ezra arlo louie reggie ronnie bobby billy kirk
stewart bradley cameron craig casey bernard wallace leslie sandy jackie shelley sadie chandler
""".split())

# Words after a capitalised name that make it part of a place, street or organisation.
PLACE_WORDS = frozenset("""
road rd street st lane ln avenue ave close drive dr crescent terrace gardens mews square parade
boulevard county council school academy college university park centre center hall church chapel
hospital library station house court bridge estate village town city market arms inn pub club fc
trust foundation group ltd limited surgery practice medical health museum theatre cinema stadium
pool leisure baths shopping retail services hotel cafe café ward primary infants junior juniors
memorial methodist baptist mosque gurdwara temple cathedral abbey manor farm mill mills works
colliery airport way grove rise fold croft walk row place blvd parkway pkwy highway hwy bypass
co corp inc plc llc farms farm homes golf course clinic pharmacy garage motors store stores shop
""".split())

# Places and services named in notes (Wakefield district and neighbours, common UK places,
# council services). Capitalised words here are never taken as names on their own.
PLACES = frozenset("""
wakefield pontefract castleford knottingley normanton ossett horbury featherstone hemsworth
airedale outwood crofton sharlston ackworth walton sandal altofts wrenthorpe kinsley fitzwilliam
upton royston ryhill havercroft crigglestone netherton middlestown flockton durkar agbrigg
lupset eastmoor portobello belle vue kettlethorpe newmillerdam stanley lofthouse rothwell
glasshoughton whitwood methley allerton bywater ferrybridge darrington badsworth
leeds bradford huddersfield halifax barnsley doncaster sheffield rotherham dewsbury batley
selby york harrogate hull manchester liverpool london birmingham newcastle bristol cardiff
edinburgh glasgow belfast yorkshire lancashire derbyshire nottingham kirklees calderdale
bowling green warren kentucky nashville miami seattle auckland wellington taiwan austria
england wales scotland ireland britain uk nhs dwp hmrc wdh wmdc
library libraries council leisure jobcentre foodbank citizens advice sure start family hub
""".split())

TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Rev|Revd|Cllr|Councillor)"
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞŁŃŇŐŒŘŚŞŠŢŤŮŰŸŹŻŽ"
_LETTER = r"[^\W\d_]"
_CAP = rf"[{_UP}](?:{_LETTER}|['’])+(?:-[{_UP}](?:{_LETTER}|['’])+)?"
TITLE_RE = re.compile(rf"\b{TITLES}\.?[ \t]+(?:{_CAP}[ \t]+)?{_CAP}")
TITLE_LOWER_RE = re.compile(r"(?i)\b(mr|mrs|ms|miss|dr)\.?[ \t]+([a-z][a-z'’-]+)")
CUE_RE = re.compile(
    r"(?i)\b(?:spoke\s+(?:to|with)|speaking\s+(?:to|with)|talked\s+(?:to|with)|talking\s+(?:to|with)|"
    r"chatted\s+(?:to|with)|met(?:\s+with)?|meeting\s+with|called|named|name\s+is|name's|"
    r"(?:my|her|his|their|our)\s+(?:neighbour|neighbor|friend|husband|wife|partner|son|daughter|"
    r"mum|mam|mother|dad|father|brother|sister|carer|grandson|granddaughter|nan|grandma|grandad|"
    r"cousin|aunt|auntie|uncle|niece|nephew|boyfriend|girlfriend|ex|colleague|landlord|boss)|"
    r"neighbour|contact|ring|phone|email|ask\s+for|notes\s+from|from\s+resident|resident|"
    r"dear|hi|hello|thanks|thank\s+you)[ \t,:]+"
)
_POSSESSIVE_RE = re.compile(r"['’]s$")
_SAINT_RE = re.compile(r"\b(?:St|St\.|Saint)\s+$")
_PREV_WORD_RE = re.compile(r"([A-Za-z][A-Za-z'’]*)[ \t]+$")
_TITLE_WORD_RE = re.compile(TITLES)
_TITLE_AT_RE = re.compile(TITLES + r"\b")
_NEXT_CAP_RE = re.compile(r"[ \t]+(" + _CAP + r")")
_NEXT_LOWER_RE = re.compile(r"[ \t]+([a-z][a-z'’-]+)")
_NEXT_WORD_RE = re.compile(r"[ \t]+([A-Za-z]+)")
_PLACE_AFTER_RE = re.compile(r"[ \t]+(?:" + "|".join(sorted(PLACE_WORDS)) + r")\b", re.I)
_WORD_RE = re.compile(rf"{_LETTER}(?:{_LETTER}|['’])*(?:-{_LETTER}(?:{_LETTER}|['’])*)?")
NOT_NAMES = frozenset(STOP_WORDS) | PLACE_WORDS | frozenset("""
said says agreed told asked thinks think wants want feels feel lives live the a an council
people resident residents someone everyone anyone nobody they she he her him them us me
local area community centre services service team group officer staff worker volunteer
about and or but so if who which what when where why how also too very
i've i'd i'll i'm
""".split()) | frozenset(  # roles and bodies people are addressed by: "Thank you, Chair", "the Minister said"
    """chair chairman chairwoman chairperson minister ministers deputy secretary cabinet president madam
    member members government assembly parliament senedd committee welsh english scottish irish british
    """.split())


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The bundled first-name gazetteer, lower case."""
    text = resources.files("kilvoice.redact").joinpath("data/first_names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1 << 16)
def _plain(word: str) -> str:
    """Lower case, possessive 's removed, accents folded (Bożena -> bozena)."""
    word = _POSSESSIVE_RE.sub("", word).lower().replace("ł", "l")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _is_surname(word: str) -> bool:
    """A capitalised token that can follow a first name as its surname."""
    low = _plain(word)
    return (word[:1].isupper() and not word.isupper() and low not in NOT_NAMES
            and low not in PLACES and len(low) > 1)


def _strip_possessive(text: str, start: int, end: int) -> int:
    span = text[start:end]
    if span.endswith("'s") or span.endswith("’s"):
        return end - 2
    return end


def _preceded_by_saint(text: str, start: int) -> bool:
    return _SAINT_RE.search(text[max(0, start - 7):start]) is not None


def _after_proper_noun(text: str, start: int) -> bool:
    """A single name straight after a capitalised word is likely part of a place or
    business name ("Trader Joe's", "Graves Gilbert"); titles and cues are found elsewhere."""
    prev = _PREV_WORD_RE.search(text[max(0, start - 30):start])
    if not prev:
        return False
    word = prev.group(1)
    return word[:1].isupper() and not _TITLE_WORD_RE.fullmatch(word) and _plain(word) not in NOT_NAMES


def find_titled(text: str) -> Iterator[Candidate]:
    for m in TITLE_RE.finditer(text):
        words = m.group(0).split()
        if _plain(words[-1]) in PLACE_WORDS:  # "Dr Johnson Street"? keep the title + first name
            continue
        yield m.start(), _strip_possessive(text, m.start(), m.end()), "PERSON", 0.95, "pattern"
    for m in TITLE_LOWER_RE.finditer(text):
        word = _plain(m.group(2))
        if not m.group(0)[0].islower() or word in NOT_NAMES:
            continue
        if m.group(1).lower() == "miss" and word not in first_names():  # "miss rent"
            continue
        yield m.start(), _strip_possessive(text, m.start(), m.end(2)), "PERSON", 0.75, "pattern"


def find_cued(text: str) -> Iterator[Candidate]:
    """Names after a cue, capitalised or (if in the gazetteer) lower case."""
    names = first_names()
    for m in CUE_RE.finditer(text):
        w = _WORD_RE.match(text, m.end())
        if not w:
            continue
        word = w.group(0)
        low = _plain(word)
        if low in NOT_NAMES or low in PLACES or _TITLE_AT_RE.match(word):
            continue
        if word[:1].isupper() and not word.isupper():
            score = 0.95 if low in names else 0.8
        elif word.islower() and low in names and low not in AMBIGUOUS:
            score = 0.7  # lower-case name after a cue
        else:
            continue
        end = w.end()
        nxt = _NEXT_CAP_RE.match(text, end)
        if nxt and _is_surname(nxt.group(1)):
            end = nxt.end()
        elif word.islower():
            nxt = _NEXT_LOWER_RE.match(text, end)
            if nxt and _plain(nxt.group(1)) not in NOT_NAMES and _plain(nxt.group(1)) in names:
                end = nxt.end()
        yield w.start(), _strip_possessive(text, w.start(), end), "PERSON", score, "context"


_CAP_RE = re.compile(_CAP)


def find_gazetteer(text: str) -> Iterator[Candidate]:
    """Capitalised gazetteer first names, with a following surname when there is one."""
    names = first_names()
    for m in _CAP_RE.finditer(text):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "@._"):
            continue
        first = m.group(0)
        low = _plain(first)
        if low not in names or first.isupper() or _preceded_by_saint(text, m.start()):
            continue
        nxt = _NEXT_CAP_RE.match(text, m.end())
        second = nxt.group(1) if nxt else None
        if second and _plain(second) in PLACE_WORDS:
            continue
        if second and _is_surname(second):
            end = nxt.end()
            third = _NEXT_WORD_RE.match(text, end)
            if third and _plain(third.group(1)) in PLACE_WORDS:  # "Paul Walker Golf Course"
                continue
            yield m.start(), _strip_possessive(text, m.start(), end), "PERSON", 0.9, "gazetteer"
        elif low not in AMBIGUOUS and low not in PLACES and not _after_proper_noun(text, m.start()):
            yield m.start(), _strip_possessive(text, m.start(), m.end()), "PERSON", 0.65, "gazetteer"


def ner_person_ok(text: str, start: int, end: int) -> bool:
    """Filter spaCy PERSON entities: drop all-caps, digits, places and street names."""
    span = text[start:end]
    words = _WORD_RE.findall(span)
    if len(words) < 2 or len(words) > 4 or re.search(r"\d|@", span):
        return False
    for w in words:
        if w.isupper() and len(w) > 1 or not w[:1].isupper() or re.search(r"[a-z][A-Z]", w.replace("Mc", "").replace("Mac", "")):
            return False
    lows = [_plain(w) for w in words]
    if any(l in PLACE_WORDS or l in PLACES for l in lows) or all(l in NOT_NAMES for l in lows):
        return False
    if _PLACE_AFTER_RE.match(text[end:end + 20]):
        return False
    return True


_SAID_RE = re.compile(rf"\b({_CAP})(?:[ \t]+({_CAP}))?[ \t]+(?:said|says|told|tells|thinks|asked|mentioned|"
                      r"explained|added|agreed|reckons|felt|feels|complained|suggested|wants|wanted)\b")


def find_said(text: str) -> Iterator[Candidate]:
    """A capitalised word (or two) before a speech verb: "Doreen said", "Mr Okafor told"."""
    for m in _SAID_RE.finditer(text):
        words = [w for w in m.groups() if w]
        lows = [_plain(w) for w in words]
        if any(l in NOT_NAMES or l in PLACES for l in lows) or any(w.isupper() for w in words):
            continue
        end = m.end(2) if m.group(2) else m.end(1)
        yield m.start(), _strip_possessive(text, m.start(), end), "PERSON", 0.75, "context"


def find_names(text: str) -> list[Candidate]:
    """Names found by rules alone; names known from labels are in ``kilvoice.redact.speakers``."""
    out: list[Candidate] = []
    out.extend(find_titled(text))
    out.extend(find_cued(text))
    out.extend(find_gazetteer(text))
    out.extend(find_said(text))
    return out

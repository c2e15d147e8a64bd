"""Names from speaker labels and metadata: the person, not the label's words.

A transcript's speaker label often carries more than a name: "Hon. Anita Anand (Minister of
Public Services and Procurement)", a Teams "Smith, Jane (Wakefield Council)", "Lynne Neagle AM",
"Sian Gwenllian: Chair". Taking every word of it as a name turned every "government",
"Minister" and "public" of a transcript into ``[PERSON_n]``. Here a label becomes the name parts
of the person(s) it names, and ``find_people`` finds that person in a text only as a name:

- the full name, any case ("Anita Anand", "anita anand"), also "Anand, Anita";
- a title and the surname ("Mr. Anand", "Ms Neagle", "Hon. Anita Anand");
- the surname or a first name alone, in any case, when it is not a common English word
  ("Anand", "Kirsty", "zelphine");
- a part that is a common word ("Dawn", "Mark", "Brown") alone only as written and where it is
  used as a name: mid-sentence, said to someone ("Thank you, Dawn.") or before a speech verb
  ("Dawn has a question"); never "at dawn", "Mark my words", "May we?"; "Will" never alone.

Generic labels (Speaker 1, Interviewer, Chair, Resident B) name nobody and give no names.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator

from kilvoice.redact.names import AMBIGUOUS, NOT_NAMES, PLACE_WORDS, PLACES, _preceded_by_saint, first_names
from kilvoice.redact.patterns import Candidate

# Titles and honorifics before a name (lower case, without the full stop).
TITLE_WORDS = frozenset("""
mr mrs ms miss mx dr doctor prof professor sir dame lord lady baroness baron rev revd reverend
cllr councillor hon honourable rt right the father sister brother
""".split())
# Post-nominals after a name: members of parliaments, honours, degrees.
POST_NOMINALS = frozenset("""
mp ms am msp mla mep mp's ma msc bsc ba phd md obe mbe cbe kbe dbe kc qc jp dl frs fba
jr jnr sr snr ii iii iv pc
""".split())
# Words that name a role or a kind of speaker, never a person.
GENERIC = frozenset("""
speaker speakers interviewer interviewee conversationalist volunteer facilitator moderator host
cohost co-host guest unknown participant participants member members person resident residents
notetaker note taker chair chairman chairwoman chairperson vice deputy committee clerk witness
witnesses officer minister cabinet secretary leader mayor councillor councillors panel panellist
audience attendee attendees respondent staff worker presenter caller q a question answer
interpreter translator everyone all group several voices inaudible crosstalk other others
""".split())
# A name in a label stops at one of these ("Jane Smith Head of Service", "Jane Smith MP for Leeds").
ROLE_WORDS = GENERIC | frozenset("""
head director manager coordinator co-ordinator lead advisor adviser team service services
council government department directorate trust board office spokesperson shadow assistant
executive chief principal governor inspector commissioner representative rep for of at from on
""".split())
# Words that make a label an organisation's ("Welsh Government"), or end a name in it.
ORG_WORDS = PLACE_WORDS | frozenset("""
council government department directorate trust board office team service services committee
association authority agency partnership commission society federation union alliance network
unit nhs parliament senedd assembly cabinet ministry
""".split())
# Lower-case words kept inside a name: "Ursula von der Leyen", "Carlos de la Cruz", "Rhys ap Iorwerth".
PARTICLES = frozenset("de da di du del della der den van von la le ap ab bin binti ibn al el dos das ter".split())

_LETTER = r"[^\W\d_]"
_NAME_TOKEN = re.compile(rf"(?:{_LETTER}|['’])+(?:[-‐]{_LETTER}(?:{_LETTER}|['’])*)*\.?")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_ROLE_SEP = re.compile(r"\s+[-–—|]\s+|\s*[:;|]\s*|\s+[–—]\s*|\s*[–—]\s+")


@dataclass(frozen=True)
class Person:
    """A person named by a label: given names and the surname (particles kept in it)."""

    given: tuple[str, ...] = ()
    surname: str = ""

    @property
    def full(self) -> str:
        return " ".join(self.given + ((self.surname,) if self.surname else ()))

    @property
    def parts(self) -> tuple[str, ...]:
        return self.given + ((self.surname,) if self.surname else ())


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case English words (bundled SCOWL list) plus the redactor's own common words."""
    text = resources.files("kilvoice.redact").joinpath("data/common_words.txt").read_text(encoding="utf-8")
    words = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(words) | NOT_NAMES | PLACES | PLACE_WORDS | GENERIC | ROLE_WORDS


def fold(text: str) -> str:
    """Accents folded letter by letter, keeping offsets ("Siân" -> "Sian", "Llŷr" -> "Llyr")."""
    return "".join(unicodedata.normalize("NFKD", c)[0] if c.isalpha() else ("'" if c == "’" else c)
                   for c in text)


def is_common(word: str) -> bool:
    """A common English word, a place, a role or a first name that is also a word ("Will")."""
    low = fold(word).lower().rstrip(".")
    low = re.sub(r"'s$", "", low)
    return low in common_words() or low in AMBIGUOUS or len(low) < 2


def _key(word: str) -> str:
    return fold(word).lower().rstrip(".")


def _tokens(part: str) -> list[str]:
    return [t.rstrip(".") if _key(t) in TITLE_WORDS | POST_NOMINALS else t for t in _NAME_TOKEN.findall(part)]


def _name_tokens(tokens: list[str], whole: bool = True) -> list[str]:
    """The name inside a label's tokens: titles, post-nominals, roles and organisations taken off.

    ``whole``: the tokens are a whole label, so common words before an organisation's word
    ("Welsh Government", "Public Health Wales") name nobody; not so a Teams surname before its
    comma ("Smith, Jane (Wakefield Council)").
    """
    while tokens and _key(tokens[0]) in TITLE_WORDS:
        tokens = tokens[1:]
    out: list[str] = []
    stop = ""
    for tok in tokens:
        key = _key(tok)
        if key in PARTICLES:
            out.append(tok)
        elif (key in ROLE_WORDS or key in ORG_WORDS or key in POST_NOMINALS or key in TITLE_WORDS
              or not tok[:1].isupper() or out and key in PLACES):
            stop = key
            break
        else:
            out.append(tok)
    while out and _key(out[-1]) in PARTICLES:
        out.pop()
    if all(_key(t) in GENERIC or _key(t) in PLACES or _key(t) in PARTICLES or len(_key(t)) < 2 for t in out):
        return []
    if whole and (stop in ORG_WORDS or stop in PLACES) and (  # "Welsh Government", "Public Health Wales"
            len(out) == 1 or all(is_common(t) and _key(t) not in first_names() for t in out)):
        return []
    return out


def _person(tokens: list[str]) -> Person | None:
    if not tokens:
        return None
    for i, tok in enumerate(tokens):  # the surname starts at its first particle ("Ursula von der Leyen")
        if _key(tok) in PARTICLES:
            return Person(tuple(tokens[:i]), " ".join(tokens[i:])) if i else Person((), " ".join(tokens))
    return Person(tuple(tokens[:-1]), tokens[-1])


def _uncap(label: str) -> str:
    """An all-capitals label ("JANE SMITH AM") in title case; post-nominals stay as written."""
    words = [w for w in label.split() if any(c.isalpha() for c in w)]
    names = [w for w in words if _key(w) not in POST_NOMINALS | TITLE_WORDS]
    if names and all(w.isupper() and len(w) > 1 for w in names):
        return " ".join(w if _key(w) in POST_NOMINALS else w.title() for w in label.split())
    return label


def _reversed(left: str, right: str) -> Person | None:
    """Teams' "Surname, First": one surname (particles allowed) before the comma, given names after."""
    lt, rt = _name_tokens(_tokens(left), whole=False), _name_tokens(_tokens(right))
    if sum(_key(t) not in PARTICLES for t in lt) != 1 or not rt or len(rt) > 3:
        return None
    return Person(tuple(rt), " ".join(lt))


def _parse(text: str) -> list[Person]:
    """People in a label with its brackets taken out."""
    head = _ROLE_SEP.split(_uncap(text.strip().strip(":,-–— ")), maxsplit=1)[0]
    if "," in head:
        left, right = head.split(",", 1)
        swapped = _reversed(left, right.split(",")[0])
        if swapped:
            return [swapped]
        head = left  # "Jane Smith, Chair"
    out = []
    for chunk in re.split(r"\s+(?:and|&)\s+|\s*[/+]\s*", head):
        person = _person(_name_tokens(_tokens(chunk)))
        if person:
            out.append(person)
    return out


@lru_cache(maxsize=4096)
def parse_label(label: str) -> tuple[Person, ...]:
    """The people a speaker label or metadata name names; ``()`` for a generic label.

    >>> parse_label("Hon. Anita Anand (Minister of Public Services and Procurement)")
    (Person(given=('Anita',), surname='Anand'),)
    >>> parse_label("Smith, Jane (Wakefield Council)")
    (Person(given=('Jane',), surname='Smith'),)
    >>> parse_label("Speaker 1")
    ()
    """
    label = unicodedata.normalize("NFC", (label or "").strip())
    outside = _BRACKETS.sub(" ", label).strip()
    people = _parse(outside) if outside else []
    if not people:  # "Chair (Lynne Neagle)": the name is in the brackets
        for m in _BRACKETS.finditer(label):
            people += _parse(m.group(0)[1:-1])
    return tuple(dict.fromkeys(people))


def people(labels: Iterable[str]) -> tuple[Person, ...]:
    """Every distinct person named by ``labels`` (speaker labels and metadata names)."""
    out: dict[Person, None] = {}
    for label in labels:
        for p in parse_label(label or ""):
            out[p] = None
    return tuple(out)


_TITLE_RE = r"(?:(?:Rt\.?\s+|Right\s+)?Hon(?:ourable)?\.?\s+|(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|" \
            r"Lord|Lady|Baroness|Rev|Revd|Cllr|Councillor)\.?\s+)"


def _phrase(words: Iterable[str]) -> str:
    return r"\s+".join(re.escape(fold(w)).replace(r"\-", "[-‐]") for w in words)


def _bounded(pattern: str) -> str:
    return r"(?<![\w@.])(?:" + pattern + r")(?![\w@])"


def _alone(part: str) -> bool:
    """A name part that is a name on its own: not a common word ("Anand"; not "Brown", "Will")."""
    words = [w for w in part.split() if _key(w) not in PARTICLES]
    return bool(words) and not is_common(words[-1])


# Capitalised mid-sentence anyway: never taken as a known person's name on that ground.
_CALENDAR = frozenset("""january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday christmas easter""".split())
IN_CONTEXT = 0.8  # score of a common-word name part found by its context ("Thank you, Dawn.")


def _in_context(word: str) -> bool:
    """A name part that is also a common word ("Dawn", "Mark", "Brown"): a name only where its
    capital is not explained by the start of a sentence, or when it is said to someone."""
    key = _key(word)
    return (word[:1].isupper() and is_common(word) and len(key) > 2 and key not in _CALENDAR
            and key not in NOT_NAMES | PLACES | ROLE_WORDS | ORG_WORDS | TITLE_WORDS | POST_NOMINALS)


@lru_cache(maxsize=512)
def _patterns(persons: tuple[Person, ...]) -> tuple[tuple[re.Pattern, float], ...]:
    """(pattern, score) for the ways a text names these people; patterns run on ``fold(text)``.

    Full names and titled names match in any case unless every word of them is a common word
    ("Mark Reckless" in any case; a "Will Power" only as written). Single parts match alone,
    in any case, only when they are not common words; common-word parts match as written and
    are kept by ``find_people`` only in a name's position (score ``IN_CONTEXT``).
    """
    any_case, as_written, alone, contextual = set(), set(), set(), set()
    for p in persons:
        full = {p.given[:1] + (p.surname,), p.given + (p.surname,)} if p.given and p.surname else set()
        names = {_phrase(f) for f in full}
        if p.given and p.surname:
            names.add(_phrase((p.surname,)) + r",\s+" + _phrase(p.given[:1]))
        common = all(is_common(w) for w in p.full.split())
        (as_written if common else any_case).update(names)
        titled = _TITLE_RE + (r"(?:" + _phrase(p.given[:1]) + r"\s+)?" if p.given else "") + _phrase((p.surname,))
        any_case.add(titled)
        alone.update(_phrase(part.split()) for part in p.parts if _alone(part))
        contextual.update(_phrase((part,)) for part in p.parts if " " not in part and _in_context(part))
    out = []
    for group, flags, score in ((any_case, re.I, 1.0), (as_written, 0, 1.0), (alone, re.I, 0.9),
                                (contextual, 0, IN_CONTEXT)):
        if group:
            out.append((re.compile(_bounded("|".join(sorted(group, key=len, reverse=True))), flags), score))
    return tuple(out)


_SUBJECT_OF = re.compile(r"[ \t]+(?:has|had|is|was|said|says|mentioned|asked|asks|wants|wanted|told|tells|"
                         r"thinks|agreed|raised|on this)\b")


def _name_position(text: str, start: int, end: int) -> bool:
    """Mid-sentence (its capital is not the sentence's), said to someone ("Dawn, ...", "Dawn.") or
    the subject of a speech verb ("Dawn has a question")."""
    before = text[:start].rstrip(" \t\"'‘“(")
    if before and before[-1] not in ".!?:;\n—–-":
        return True
    return (end == len(text) or text[end] in ",.!?;:" or text[end:end + 2] in ("'s", "’s")
            or _SUBJECT_OF.match(text, end) is not None)


def find_people(text: str, labels: Iterable[str]) -> Iterator[Candidate]:
    """PERSON candidates for the people that ``labels`` name, found as names only."""
    persons = people(labels)
    if not persons:
        return
    folded = fold(text)
    for pattern, score in _patterns(persons):
        for m in pattern.finditer(folded):
            if score < 1.0 and _preceded_by_saint(text, m.start()):  # "Trinity Saint David"
                continue
            if score == IN_CONTEXT and not _name_position(text, m.start(), m.end()):
                continue
            end = m.end()
            if text[end - 2:end] in ("'s", "’s") and not m.group(0).lower().endswith("'s"):
                end -= 2
            yield m.start(), end, "PERSON", score, "known"

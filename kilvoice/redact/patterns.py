"""Pattern detectors for UK identifiers: pure functions from text to candidate spans.

Each detector returns ``(start, end, label, score, source)`` tuples with offsets into the
text it was given. Scores below the redactor's review threshold send a span to the review
queue (it is still redacted). Nothing here keeps or logs the matched text.
"""
from __future__ import annotations

import re
from typing import Iterator

Candidate = tuple[int, int, str, float, str]

# -- EMAIL -------------------------------------------------------------------
EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_DOT = r"(?:\s*\.\s*|\s+dot\s+|\s*[\[(]dot[\])]\s*)"
_AT = r"(?:\s+at\s+|\s*[\[(]at[\])]\s*|\s*@\s+|\s+@\s*)"
_TLD = r"(?:com|co|uk|org|net|gov|ac|nhs|sch|ltd|io|info|me|biz|eu|scot|wales|email)"
# "jo dot bloggs at gmail dot com", "jo.bloggs (at) gmail.com": the domain must end in a known TLD.
OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?i)(?<![\w.])[a-z0-9][a-z0-9_+-]*(?:{_DOT}[a-z0-9_+-]+)*{_AT}[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*{_DOT}{_TLD}\b"
    rf"(?:{_DOT}(?:uk|com|org))?"
)
_EMAIL_NOT_LOCAL = {"me", "her", "him", "them", "us", "you", "is", "was", "be", "email", "mail", "look", "it"}


def find_emails(text: str) -> Iterator[Candidate]:
    for m in EMAIL_RE.finditer(text):
        yield m.start(), m.end(), "EMAIL", 1.0, "pattern"
    if " at " in text.lower() or "(at)" in text.lower() or "[at]" in text.lower() or "@ " in text or " @" in text:
        for m in OBFUSCATED_EMAIL_RE.finditer(text):
            local = re.split(r"\s|\.|\(|\[", m.group(0), maxsplit=1)[0].lower()
            if local in _EMAIL_NOT_LOCAL:
                continue
            yield m.start(), m.end(), "EMAIL", 0.9, "pattern"


# -- PHONE -------------------------------------------------------------------
_SEP = r"[ \t\-.]{0,2}"
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?\(?|\(?0\s?)"  # +44 / +44 (0) / 0044 / 0 / (0
    rf"[1-9](?:\)?{_SEP}\(?\d){{8,9}}(?![\d])"
)


def _phone_ok(digits: str) -> bool:
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44"):
        digits = "0" + digits[2:]
    if digits.startswith("00"):
        return False
    first = digits[1:2]
    if first not in set("123578"):
        return False
    if first == "1":
        return len(digits) in (10, 11)
    return len(digits) == 11


def find_phones(text: str) -> Iterator[Candidate]:
    for m in PHONE_RE.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if raw.startswith("+44") or raw.startswith("0044"):
            digits = re.sub(r"^(00)?44(0)?", "0", digits)
        if _phone_ok(digits):
            end = m.end()
            yield m.start(), end, "PHONE", 1.0, "pattern"


# -- POSTCODE ----------------------------------------------------------------
_OUTWARD = r"(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|[A-PR-UWYZ]\d[A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY])"
_INWARD = r"\d[ABD-HJLNP-UW-Z]{2}"
POSTCODE_RE = re.compile(rf"(?i)\b(?:GIR\s?0AA|{_OUTWARD}[ \t]?{_INWARD})\b")


def find_postcodes(text: str) -> Iterator[Candidate]:
    """Full postcodes only: a district alone ("WF9") is reporting data and stays."""
    for m in POSTCODE_RE.finditer(text):
        s = m.group(0)
        spaced = " " in s or "\t" in s
        if s.isupper():
            score = 1.0 if spaced else 0.9
        else:  # lower or mixed case: still redacted, lower score sends it to review
            score = 0.8 if spaced else 0.7
        yield m.start(), m.end(), "POSTCODE", score, "pattern"


# -- ADDRESS -----------------------------------------------------------------
STREET_SUFFIXES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Court|Ct|Crescent|Cres|Terrace|Tce|Grove|"
    "Gardens|Gdns|Place|Pl|Walk|Row|Hill|View|Mews|Square|Sq|Green|Rise|Vale|Fold|Croft|Park|Parade|"
    "Boulevard|Chase|Garth|Yard|Wynd|Gate|Mount|Bank|Brow|Side|Top|End|Meadow|Meadows|Field|Fields|"
    "Approach|Circus|Embankment|Grange|Heights|Hollow|Lea|Ley|Ridge|Wharf|Crest|Dale|Glade|Wood|Woods|Court"
)
_NAME_WORD = r"(?:[A-Z][a-z'’]+|[A-Z]{1}\.|St\.?)"
ADDRESS_RE = re.compile(
    r"(?:\b(?:Flat|Apartment|Apt|Unit|Room|Flat No\.?)\s+\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+(?:House|Court|Building|Lodge|Mansions|Tower|Point),?\s+)?)?"
    r"(?<![\w£$.,/:-])\d{1,4}[A-Za-z]?(?:\s?[-–/]\s?\d{1,4}[A-Za-z]?)?,?\s+"
    rf"(?:(?:{_NAME_WORD}[ \t]+){{1,3}}(?:{STREET_SUFFIXES})\b|[A-Z][a-z]+(?:gate|field|thorpe|royd|ings)\b)"
)
_FLAT_ONLY_RE = re.compile(r"\b(?:Flat|Apartment|Apt)\s+\d{1,4}[A-Za-z]?,?\s+[A-Z][a-z]+\s+(?:House|Court|Lodge|Mansions|Tower|Point)\b")
_NOT_ADDRESS_WORDS = {"Junction", "Bus", "Years", "Year", "Per", "Of", "And", "Or", "In", "On", "At"}


def find_addresses(text: str) -> Iterator[Candidate]:
    for m in ADDRESS_RE.finditer(text):
        words = re.findall(r"[A-Za-z]+", m.group(0))
        if words and words[0] in _NOT_ADDRESS_WORDS:
            continue
        yield m.start(), m.end(), "ADDRESS", 1.0, "pattern"
    for m in _FLAT_ONLY_RE.finditer(text):
        yield m.start(), m.end(), "ADDRESS", 0.8, "pattern"


# -- NI NUMBER ---------------------------------------------------------------
NI_RE = re.compile(r"(?i)\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ \t-]?(\d{2})[ \t-]?(\d{2})[ \t-]?(\d{2})[ \t-]?([A-D])\b")
_NI_UNALLOCATED = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


# Shaped like an NI number but with a prefix HMRC never issues (QQ is the classic dummy):
# still redacted, at a score that sends it to the review queue.
NI_SHAPE_RE = re.compile(r"\b([A-Z]{2})[ \t-]?(\d{2})[ \t-]?(\d{2})[ \t-]?(\d{2})[ \t-]?([A-D])\b")


def find_ni_numbers(text: str) -> Iterator[Candidate]:
    for m in NI_SHAPE_RE.finditer(text):
        if not NI_RE.fullmatch(m.group(0)):
            yield m.start(), m.end(), "NI_NUMBER", 0.6, "pattern"
    for m in NI_RE.finditer(text):
        prefix = m.group(1).upper()
        score = 1.0 if m.group(0).isupper() or m.group(0)[:2].isupper() else 0.85
        if prefix in _NI_UNALLOCATED:
            score = 0.6  # shaped like an NI number; HMRC does not allocate the prefix
        yield m.start(), m.end(), "NI_NUMBER", score, "pattern"


# -- NHS NUMBER --------------------------------------------------------------
NHS_RE = re.compile(r"(?<![\d+])(\d{3})[ \t-]?(\d{3})[ \t-]?(\d{4})(?![\d])")
NHS_CONTEXT_RE = re.compile(r"(?i)\b(?:nhs|health\s*(?:service|care)?\s*(?:no|number|num)|patient\s*(?:no|number))\b")


def nhs_checksum_ok(digits: str) -> bool:
    """Modulus 11 check digit of a 10-digit NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_nhs_numbers(text: str) -> Iterator[Candidate]:
    for m in NHS_RE.finditer(text):
        digits = "".join(m.groups())
        context = NHS_CONTEXT_RE.search(text[max(0, m.start() - 40):m.start()]) is not None
        valid = nhs_checksum_ok(digits)
        if context:
            yield m.start(), m.end(), "NHS_NUMBER", 1.0 if valid else 0.6, "context" if not valid else "pattern"
        elif valid and (" " in m.group(0) or "-" in m.group(0)) and not digits.startswith("0"):
            yield m.start(), m.end(), "NHS_NUMBER", 0.6, "pattern"


# -- DATE OF BIRTH -----------------------------------------------------------
_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:[0-2]?\d|3[01])(?:st|nd|rd|th)?"
DATE_RE = re.compile(
    rf"(?i)\b(?:{_DAY}[/.\-]\s?(?:0?[1-9]|1[0-2])[/.\-]\s?(?:\d{{4}}|\d{{2}})"
    rf"|{_DAY}(?:\s+of)?\s+{_MONTHS},?\s+(?:\d{{4}}|'\d{{2}})"
    rf"|{_MONTHS}\s+{_DAY},?\s+\d{{4}}"
    rf"|{_DAY}(?:\s+of)?\s+{_MONTHS}(?![a-z])"
    rf"|{_MONTHS}\s+{_DAY}(?![\d/])"
    rf"|(?:19|20)\d\d-[01]\d-[0-3]\d)\b"
)
DOB_CUE_RE = re.compile(
    r"(?i)(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bborn\b|\bbirthday\b|\bbirth\s+date\b|\bb\.\s)"
)


def find_dates_of_birth(text: str) -> Iterator[Candidate]:
    """Dates near a birth cue; other dates (conversation dates, events) stay."""
    if not DOB_CUE_RE.search(text):
        return
    for m in DATE_RE.finditer(text):
        before = text[max(0, m.start() - 45):m.start()]
        after = text[m.end():m.end() + 20]
        cue = DOB_CUE_RE.search(before)
        if cue is None:
            if re.match(r"(?i)\s*\(?(?:dob|d\.o\.b\.?|date of birth)", after):
                yield m.start(), m.end(), "DATE_OF_BIRTH", 0.9, "context"
            continue
        gap = before[cue.end():]
        if re.search(r"[.!?;]\s", gap) or len(gap) > 35 or DATE_RE.search(gap):
            continue
        has_year = re.search(r"\d{4}|'\d\d|[/.\-]\d{2}\b", m.group(0)) is not None
        yield m.start(), m.end(), "DATE_OF_BIRTH", 1.0 if has_year else 0.8, "context"


DETECTORS = (find_emails, find_phones, find_postcodes, find_addresses, find_ni_numbers,
             find_nhs_numbers, find_dates_of_birth)


def find_patterns(text: str) -> list[Candidate]:
    """All pattern candidates in ``text`` (overlaps not yet resolved)."""
    out: list[Candidate] = []
    for detect in DETECTORS:
        out.extend(detect(text))
    return out

"""Survey-platform exports read without ``--map``: Citizen Space, SmartSurvey, Microsoft Forms,
Google Forms and Commonplace.

Each exports one row per response and one column per question, with the question text as the
header, after some columns of its own (ids, times, IP address). :func:`detect` recognises a
platform by those columns; :func:`survey_plan` then decides, from the header and a sample of
the rows, which columns are

* free-text questions -> one utterance each, ``question`` set from the header ("strong" /
  "future" when it asks one of the Big Conversation questions, else the header's own words);
* respondent metadata (id, date, area/ward, postcode, age band, organisation, consent to quote)
  -> the schema fields of docs/METADATA.md;
* closed questions (few distinct, short answers) -> extra metadata, kept as given;
* the platform's contact columns (name, email, IP address) -> dropped: they are personal data
  the analysis never needs.

Pure functions; no I/O. Used by :mod:`kilvoice.ingest.formats.tabular`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from kilvoice.errors import KilvoiceError


def norm(header: Any) -> str:
    """Lower case, single spaces, no trailing colon: ``" Start time: "`` -> ``"start time"``."""
    return re.sub(r"\s+", " ", str(header or "")).strip().rstrip(":").strip().lower()


@dataclass(frozen=True)
class Platform:
    name: str
    matches: Callable[[list[str]], bool]    # given the normalised headers, in order
    system: dict[str, str | None]   # platform column -> schema field (None: dropped)


PLATFORMS = (
    Platform("Microsoft Forms",
             lambda h: {"id", "start time", "completion time"} <= set(h),
             {"id": "id", "start time": None, "completion time": "date", "email": None, "name": None,
              "last modified time": None, "total points": None, "quiz feedback": None}),
    Platform("Google Forms",
             lambda h: h[:1] == ["timestamp"] and "speaker" not in h,
             {"timestamp": "date", "email address": None, "email": None, "score": None}),
    Platform("SmartSurvey",
             lambda h: {"started", "ended"} <= set(h) and bool({"userid", "user id", "response id"} & set(h)),
             {"userid": "id", "user id": "id", "response id": "id", "started": None, "ended": "date",
              "ip address": None, "status": None, "custom variables": None, "email": None,
              "name": None, "email address": None}),
    Platform("Citizen Space",
             lambda h: "response id" in h and bool({"submitted on", "date submitted", "response submitted"} & set(h)),
             {"response id": "id", "submitted on": "date", "date submitted": "date", "response submitted": "date",
              "started on": None, "respondent id": None, "status": None, "email address": None, "email": None,
              "what is your name?": None, "what is your email address?": None, "name": None}),
    Platform("Commonplace",
             lambda h: "contribution id" in h or {"latitude", "longitude"} <= set(h),
             {"contribution id": "id", "date": "date", "date created": "date", "created": "date",
              "latitude": None, "longitude": None, "user id": None, "email": None, "name": None}),
)

# Questions that ask for respondent metadata, by their words (checked in order).
META_QUESTIONS = (
    (re.compile(r"\bpost ?code\b"), "postcode_district"),
    (re.compile(r"\bward\b|which (?:area|part of|neighbourhood|town|village)|where do you live|\blocality\b"),
     "area"),
    (re.compile(r"\bage\b|how old"), "age_band"),
    (re.compile(r"\b(?:quote|publish)\b|\bconsent\b"), "consent_to_quote"),
    (re.compile(r"\borgani[sz]ation(?:'s)? name\b|name of (?:your|the) organi[sz]ation"), "organisation"),
)
FREE_TEXT_HINT = re.compile(r"\b(?:why|explain|tell us|describe|comments?|suggestions?|what (?:do|would|is|are|else)"
                            r"|how could|anything else|other views?|ideas?|please give|please say|like about)\b")
SAMPLE_ROWS = 200


def detect(columns: list) -> Platform | None:
    """The platform whose export has these columns, or None."""
    headers = [norm(c) for c in columns if c is not None]
    return next((p for p in PLATFORMS if p.matches(headers)), None)


def question_text(header: str) -> str:
    """The question a header asks, without its numbering ("Q3.", "3)")."""
    text = re.sub(r"\s+", " ", str(header)).strip()
    text = re.sub(r"^(?:q(?:uestion)?\s*)?\d+(?:\.\d+)*\s*[.):\-]?\s+", "", text, flags=re.I)
    return text[:200]


def _long(values: list[str]) -> bool:
    """Answers too long to be metadata (a question that mentions age or a postcode but asks for views)."""
    answers = [v for v in values if v]
    return bool(answers) and sum(len(v.split()) for v in answers) / len(answers) >= 6


def _is_free_text(header: str, values: list[str]) -> bool:
    """Free text: long answers, or varied answers to a question that invites them. Closed
    questions have few distinct short answers (choices, ratings, numbers)."""
    answers = [v for v in values if v]
    if not answers:
        return bool(FREE_TEXT_HINT.search(norm(header)))
    words = sum(len(v.split()) for v in answers) / len(answers)
    distinct = len(set(answers)) / len(answers)
    if all(re.fullmatch(r"[\d.,%£\s-]+", v) for v in answers):
        return False
    if words >= 6 or (words >= 3 and distinct >= 0.8 and len(answers) >= 3):
        return True
    return bool(FREE_TEXT_HINT.search(norm(header))) and distinct >= 0.8 and words >= 2


def survey_plan(platform: Platform, columns: list, sample: list[dict], path: str):
    """(text columns, column -> schema field, text column -> question, extras) for a platform export.

    ``extras["drop"]`` names the contact columns to leave out; ``extras["platform"]`` the platform.
    Raises K225 when no column holds free text.
    """
    from kilvoice.ingest.formats import question_of

    text_cols: list[str] = []
    meta_cols: dict[str, str] = {}
    drop: list[str] = []
    used_fields: set[str] = set()
    for col in columns:
        if col is None:
            continue
        key = norm(col)
        if key in platform.system:
            field = platform.system[key]
            if field is None or field in used_fields:
                drop.append(col)
            else:
                meta_cols[col] = field
                used_fields.add(field)
            continue
        values = [str(r.get(col) or "").strip() for r in sample]
        field = next((f for rx, f in META_QUESTIONS if rx.search(key)), None)
        if field and field not in used_fields and not _long(values):
            meta_cols[col] = field
            used_fields.add(field)
        elif _is_free_text(col, values):
            text_cols.append(col)
    if not text_cols:
        raise KilvoiceError("K225", path=path, platform=platform.name,
                            columns=", ".join(str(c) for c in columns if c is not None)[:300])
    questions = {c: question_of(str(c)) or question_text(c) for c in text_cols}
    return text_cols, meta_cols, questions, {"drop": drop, "platform": platform.name}

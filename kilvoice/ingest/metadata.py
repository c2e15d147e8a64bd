"""The conversation metadata schema: key names, validation and normalisation.

Documented in docs/METADATA.md. Rules: a recognised value is normalised; an invalid
value is kept (as given) with a warning, never dropped; unknown keys go to
``Note.extra``. Warnings name the field and the value given, never resident text.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from datetime import date as _date
from typing import Any

from kilvoice.records import AGE_BANDS, SETTINGS

FIELDS = (
    "id", "conversationalist", "organisation", "setting", "area", "postcode_district", "date",
    "age_band", "residents", "consent_to_quote", "language",
)

# Alternative spellings of the schema keys (after lower-casing and _ for spaces/dashes).
KEY_SYNONYMS = {
    "conversation_id": "id", "note_id": "id", "ref": "id", "reference": "id",
    "interviewer": "conversationalist", "volunteer": "conversationalist", "facilitator": "conversationalist",
    "conversationalist_name": "conversationalist",
    "organization": "organisation", "org": "organisation",
    "ward": "area", "neighbourhood": "area", "neighborhood": "area", "locality": "area",
    "postcode": "postcode_district", "post_code": "postcode_district", "district": "postcode_district",
    "age": "age_band", "ageband": "age_band", "age_group": "age_band",
    "number_of_residents": "residents", "n_residents": "residents", "people": "residents",
    "num_residents": "residents", "residents_count": "residents",
    "consent": "consent_to_quote", "consent_to_quote?": "consent_to_quote", "can_quote": "consent_to_quote",
    "lang": "language",
    "location_type": "setting", "venue_type": "setting",
}

SETTING_SYNONYMS = {
    "work": "work", "workplace": "work", "at work": "work", "office": "work", "employer": "work",
    "business": "work",
    "social": "social", "pub": "social", "cafe": "social", "café": "social", "club": "social",
    "sports club": "social", "social club": "social",
    "community": "community", "community centre": "community", "community center": "community",
    "library": "community", "school": "community", "church": "community", "event": "community",
    "community event": "community",
    "other": "other",
}

LANGUAGE_NAMES = {
    "english": "en", "welsh": "cy", "cymraeg": "cy", "polish": "pl", "urdu": "ur", "punjabi": "pa",
    "bengali": "bn", "arabic": "ar", "romanian": "ro", "somali": "so", "french": "fr", "spanish": "es",
    "portuguese": "pt", "gujarati": "gu", "lithuanian": "lt", "italian": "it", "german": "de",
    "chinese": "zh", "mandarin": "zh", "cantonese": "yue", "turkish": "tr", "tamil": "ta",
}

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9

TRUE = {"yes", "y", "true", "t", "1", "agreed", "given"}
FALSE = {"no", "n", "false", "f", "0", "refused", "declined"}

POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*[0-9][A-Z]{2}$")


@lru_cache(maxsize=4096, typed=True)  # a table's few column names, asked again for every row
def normalise_key(key: Any) -> str:
    """``"Postcode District"`` -> ``postcode_district``; synonyms to schema names."""
    k = re.sub(r"[\s\-]+", "_", str(key).strip().lower()).strip("_")
    k = k.replace("'", "").replace("’", "")
    return KEY_SYNONYMS.get(k, k)


def _iso_date(value: str) -> str | None:
    v = value.strip()
    m = re.fullmatch(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[T ].*)?", v)
    if m:
        y, mo, d = int(m[1]), int(m[3]), int(m[4])
    else:  # survey exports add a time: "14/07/2022 10:32:11"
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T,].*)?", v)
        if m:  # UK order: day/month/year
            d, mo, y = int(m[1]), int(m[2]), int(m[3])
            y = y + 2000 if y < 100 else y
        else:
            m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})", v)
            if m and m[2].lower() in MONTHS:
                d, mo, y = int(m[1]), MONTHS[m[2].lower()], int(m[3])
            else:
                m = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", v)
                if not (m and m[1].lower() in MONTHS):
                    return None
                d, mo, y = int(m[2]), MONTHS[m[1].lower()], int(m[3])
    try:
        return _date(y, mo, d).isoformat()
    except ValueError:
        return None


def _age_band(value: str) -> str | None:
    v = value.strip().lower().replace("–", "-").replace("—", "-")
    v = re.sub(r"\s*(?:to|-)\s*", "-", v)
    v = re.sub(r"\s+", " ", v)
    if v in AGE_BANDS:
        return v
    if v in {"<18", "u18", "under-18", "under 18s", "0-17", "under18"}:
        return "under 18"
    m = re.fullmatch(r"(?:75\+|75 ?plus|75 and over|over 75|75-\d+)", v)
    if m:
        return "75+"
    return None


def validate(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Split raw ``key -> value`` pairs into (schema meta, extra, warnings).

    Empty values are left out. Values that do not validate are kept as given with a warning
    (for ``residents`` and ``consent_to_quote``, whose columns are typed, the raw value
    goes to ``extra`` and the field is left unknown).
    """
    meta: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in raw.items():
        if key is None:
            continue
        k = normalise_key(key)
        if k not in FIELDS:
            if value not in (None, ""):
                extra[str(key).strip()] = value
            continue
        if value is None:
            continue
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, (_date,)):
            text = value.isoformat()[:10]
        else:
            text = str(value).strip()
        if text == "":
            continue
        if k in ("id", "conversationalist", "organisation", "area"):
            meta[k] = re.sub(r"\s+", " ", text)
        elif k == "setting":
            s = SETTING_SYNONYMS.get(re.sub(r"\s+", " ", text.lower()))
            if s is None:
                warnings.append(f"setting '{text}' is not one of {', '.join(SETTINGS)}; kept as given")
                meta[k] = text
            else:
                meta[k] = s
        elif k == "postcode_district":
            up = re.sub(r"\s+", " ", text.upper())
            full = FULL_POSTCODE.match(up)
            if POSTCODE_DISTRICT.match(up):
                meta[k] = up
            elif full:
                meta[k] = full[1]
                warnings.append("postcode_district was a full postcode; only the district was kept")
            else:
                warnings.append(f"postcode_district '{text}' does not look like a district such as KV3; kept as given")
                meta[k] = up
        elif k == "date":
            iso = _iso_date(text)
            if iso is None:
                warnings.append(f"date '{text}' is not a date (use 2022-06-12 or 12/06/2022); kept as given")
                meta[k] = text
            else:
                meta[k] = iso
        elif k == "age_band":
            band = _age_band(text)
            if band is None:
                warnings.append(f"age_band '{text}' is not one of {', '.join(AGE_BANDS)}; kept as given")
                meta[k] = text
            else:
                meta[k] = band
        elif k == "residents":
            m = re.fullmatch(r"(\d+)(?:\.0+)?(?:\s+(?:residents?|people))?", text.lower())
            if m:
                meta[k] = int(m[1])
            else:
                warnings.append(f"residents '{text}' is not a whole number; kept in extra")
                extra[str(key).strip()] = value
        elif k == "consent_to_quote":
            t = text.lower().rstrip(".")
            if t in TRUE or t.startswith(("yes,", "yes ", "i agree", "i consent")):
                meta[k] = True
            elif t in FALSE or t.startswith(("no,", "no ", "do not", "don't", "i do not")):
                meta[k] = False
            else:
                warnings.append(f"consent_to_quote '{text}' is not yes or no; treated as unknown, kept in extra")
                extra[str(key).strip()] = value
        elif k == "language":
            t = text.lower()
            code = LANGUAGE_NAMES.get(t, t)
            if re.fullmatch(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})?", code):
                meta[k] = code.split("_")[0].split("-")[0]
            else:
                warnings.append(f"language '{text}' is not an ISO code such as en or cy; kept as given")
                meta[k] = text
    return meta, extra, warnings


def pseudonym(name: str | None, salt: str) -> str | None:
    """Stable pseudonymous code for a conversationalist: ``cv-`` + 6 hex of a salted hash."""
    if not name:
        return None
    norm = re.sub(r"\s+", " ", str(name).strip().lower())
    if not norm:
        return None
    return "cv-" + hashlib.sha256(f"{salt}\x00{norm}".encode()).hexdigest()[:6]


def parse_header_lines(lines: list[str]) -> dict[str, str] | None:
    """``Key: value`` lines -> dict, or None when any line is not of that form."""
    out: dict[str, str] = {}
    for line in lines:
        m = re.match(r"^\s*([A-Za-z][A-Za-z0-9 _'’\-?]{0,40}?)\s*:\s*(.*?)\s*$", line)
        if not m:
            return None
        out[m[1]] = m[2]
    return out

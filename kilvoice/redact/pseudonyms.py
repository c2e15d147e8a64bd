"""Replacement text for redacted spans: consistent pseudonyms within one note."""
from __future__ import annotations

import re

STYLES = ("pseudonym", "label", "remove")
_TITLE_RE = re.compile(r"(?i)^(?:mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|rev|revd|cllr|councillor)\.?\s+")


def _key(label: str, value: str) -> str:
    if label in ("PHONE", "NHS_NUMBER"):
        digits = re.sub(r"\D", "", value)
        return re.sub(r"^(00)?44", "0", digits) if label == "PHONE" else digits
    return re.sub(r"[\s.\-,]+", "", value.lower())


class Pseudonymiser:
    """Hands out ``[LABEL_n]`` per note, the same number for the same person or value.

    People: "Doreen Hartley", "Doreen", "Mrs Hartley" and "doreen" share one number; a
    single name is matched to an earlier full name by first name or surname.
    """

    def __init__(self, style: str = "pseudonym"):
        self.style = style
        self._values: dict[tuple[str, str], int] = {}
        self._counts: dict[str, int] = {}
        self._first: dict[str, int] = {}
        self._last: dict[str, int] = {}

    def _new(self, label: str) -> int:
        self._counts[label] = self._counts.get(label, 0) + 1
        return self._counts[label]

    def person_number(self, value: str) -> int:
        titled = _TITLE_RE.match(value) is not None
        words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", _TITLE_RE.sub("", value))]
        words = [re.sub(r"['’]s$", "", w) for w in words] or [value.lower()]
        key = ("PERSON", " ".join(words))
        if key in self._values:
            return self._values[key]
        number = None
        if len(words) >= 2:
            number = self._first.get(words[0]) if words[0] in self._first and words[-1] in self._last \
                and self._first[words[0]] == self._last[words[-1]] else None
            if number is None:
                number = self._last.get(words[-1]) if words[-1] in self._last and words[0] not in self._first else None
            if number is None:
                number = self._first.get(words[0]) if words[0] in self._first and words[-1] not in self._last else None
        elif titled:
            number = self._last.get(words[0])
        else:
            number = self._first.get(words[0], self._last.get(words[0]))
        if number is None:
            number = self._new("PERSON")
        self._values[key] = number
        if len(words) >= 2:
            self._first.setdefault(words[0], number)
            self._last.setdefault(words[-1], number)
        elif titled:
            self._last.setdefault(words[0], number)
        else:
            self._first.setdefault(words[0], number)
        return number

    def number(self, label: str, value: str) -> int:
        if label == "PERSON":
            return self.person_number(value)
        key = (label, _key(label, value))
        if key not in self._values:
            self._values[key] = self._new(label)
        return self._values[key]

    def replacement(self, label: str, value: str) -> str:
        if self.style == "remove":
            return ""
        if self.style == "label":
            return f"[{label}]"
        return f"[{label}_{self.number(label, value)}]"

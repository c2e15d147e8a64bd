"""Case-insensitive patterns matched faster where that gives the same matches.

:class:`Folded` wraps a compiled ``re.I`` pattern written in lower case (the substantive-statement
rules, ingest's template and spam patterns).
"""
from __future__ import annotations

import re

# Punctuation with no case. In text of ASCII and these, str.lower() changes only ASCII capitals,
# one for one, so a case-insensitive pattern written in lower case matches the text exactly where
# the same pattern, case-sensitive, matches the lower-cased text: Python's regex engine skips
# alternatives that cannot start at a character only when matching case-sensitively (the
# substantive rules' PROCEDURE is searched 4x faster). Other text (accented letters, "ſ", the
# Kelvin sign) keeps re.I.
CASELESS = frozenset("’‘“”–—…£€•·°½¼¾\u00a0")


class Folded:
    """A case-insensitive pattern written in lower case, run case-sensitively on lower-cased text
    where that gives the same matches (see ``CASELESS``)."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        lower = pattern.pattern == pattern.pattern.lower()
        self.folded = re.compile(pattern.pattern, pattern.flags & ~re.I) if lower else None

    def _lowered(self, text: str) -> str | None:
        if self.folded is not None and (text.isascii() or all(c.isascii() or c in CASELESS for c in text)):
            return text.lower()
        return None

    def found(self, text: str) -> bool:
        low = self._lowered(text)
        return bool(self.pattern.search(text) if low is None else self.folded.search(low))

    def count(self, text: str) -> int:
        """``len(pattern.findall(text))``."""
        low = self._lowered(text)
        return len(self.pattern.findall(text) if low is None else self.folded.findall(low))

    def sub(self, repl: str, text: str) -> str:
        """``pattern.sub(repl, text)`` for a plain ``repl`` (no group references)."""
        low = self._lowered(text)
        if low is None:
            return self.pattern.sub(repl, text)
        out, pos = [], 0
        for m in self.folded.finditer(low):
            out += (text[pos:m.start()], repl)
            pos = m.end()
        return "".join(out) + text[pos:] if out else text

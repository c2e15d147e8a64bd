"""Safeguarding flags: a lexicon classifier over raw text that returns categories only.

It errs on the side of flagging: a flagged note goes to a named lead, is kept out of quotes
and exports and counted in the report without content. It never returns the matched text.
"""
from __future__ import annotations

import re

_P = r"(?:him|her|them|me|myself|herself|himself|themselves|the kids|the children|my|his|their)"
_FAMILY = r"(?:husband|wife|partner|boyfriend|girlfriend|ex|dad|father|mum|mother|stepdad|son|daughter|carer|fella)"
CATEGORIES: dict[str, list[str]] = {
    "self-harm": [
        r"\bsuicid\w*", r"\bkill(?:ing|ed)?\s+(?:myself|herself|himself|themselves)\b",
        r"\b(?:end|ending|take|taking|took)\s+(?:my|his|her|their)\s+(?:own\s+)?life\b", r"\bself[- ]?harm\w*",
        r"\bcut(?:s|ting)?\s+(?:myself|herself|himself|themselves)\b", r"\boverdos\w*",
        r"\b(?:do(?:es)?n'?t|did\s?n'?t|not)\s+want\s+to\s+(?:live|be\s+here|be\s+alive|go\s+on)\b",
        r"\bhurt(?:ing)?\s+(?:myself|herself|himself|themselves)\b", r"\bbetter\s+off\s+dead\b",
    ],
    "domestic-violence": [
        r"\bdomestic\s+(?:violence|abuse)\b", r"\bcoercive\s+control\w*",
        rf"\b(?:my|her|his|their)\s+{_FAMILY}\s+(?:hits|hit|beats|beat|punched|punches|kicked|kicks|hurts|slapped|strangled|chokes|choked)\b",
        r"\b(?:women'?s\s+)?refuge\b", r"\bfleeing\s+(?:abuse|violence|him|her)\b",
    ],
    "abuse": [
        r"\babus(?:e|ed|es|ing|ive)\b", r"\bsexual(?:ly)?\s+(?:abus\w*|assault\w*|harass\w*)",
        r"\brap(?:e|ed|ist)\b", r"\bmolest\w*", r"\bassault(?:ed|s)?\b", r"\bexploit(?:ed|ing|ation)\b",
    ],
    "neglect": [
        r"\bself[- ]neglect\w*", rf"\bneglect(?:ed|ing)?\s+(?:{_P}|(?:the|her|his|their)?\s*(?:child|children|kids|baby|mum|dad|mother|father|elderly))",
        r"\b(?:not\s+(?:been|being)\s+(?:fed|washed|changed|cared\s+for))\b", r"\bno\s+food\s+in\s+the\s+house\b",
        r"\b(?:can(?:no|')?t|unable\s+to)\s+look\s+after\s+(?:himself|herself|themselves)\b", r"\bliving\s+in\s+squalor\b",
        r"\bleft\s+(?:on\s+(?:his|her|their)\s+own|alone)\s+for\s+(?:days|hours|weeks)\b",
    ],
    "danger": [
        r"\bthreat(?:en|ened|ening|s)?\s+(?:to\s+(?:kill|hurt|stab|burn)|me|her|him|them)\b",
        r"\b(?:going\s+to|gonna|will|wants?\s+to)\s+(?:kill|stab|hurt|shoot)\s+(?:me|her|him|them|us|you)\b",
        r"\bstalk(?:ed|ing|er|s)\b", r"\b(?:scared|afraid|frightened)\s+(?:to\s+go\s+home|of\s+(?:him|her|my|them))\b",
        r"\bnot\s+safe\s+at\s+home\b", r"\b(?:knife|gun|weapon)\s+(?:to|at)\s+(?:me|her|him|them|my|his)\b",
    ],
    "child-at-risk": [
        r"\b(?:child|children|kids?|baby|toddler)\s+(?:is\s+|are\s+)?(?:at\s+risk|in\s+danger|unsafe)\b",
        r"\bchild\s+protection\b", r"\bgroom(?:ed|ing)\b", r"\b(?:kids|children|child|baby)\s+(?:were\s+|was\s+|is\s+|are\s+)?left\s+alone\b",
        r"\bchild\s+(?:abuse|neglect|sexual\s+exploitation)\b", r"\bsocial\s+services\s+(?:took|removed|involved)\b",
    ],
}
_COMPILED = {cat: re.compile("|".join(f"(?:{p})" for p in pats), re.I) for cat, pats in CATEGORIES.items()}


def safeguarding_categories(text: str) -> list[str]:
    """Categories whose lexicon matches ``text`` (sorted); never the matched words."""
    return sorted(cat for cat, rx in _COMPILED.items() if rx.search(text))


def safeguarding_flags(texts) -> list[tuple[str, str]]:
    """``("safeguarding", category)`` pairs for a note given as texts."""
    found: set[str] = set()
    for text in texts:
        found.update(safeguarding_categories(text))
    return [("safeguarding", cat) for cat in sorted(found)]

"""Stance of a statement within a theme: strength, problem or aspiration.

Appreciative-inquiry framing of the Big Conversation: answers to "what's strong about
your area" are strengths unless they complain; answers to "what would make it better
for the next generation" are aspirations unless they describe a present problem.
Cue lexicons decide first; the question tag decides ties and cue-less statements.
"""
from __future__ import annotations

import re

STANCES = ("strength", "problem", "aspiration")

STRENGTH_CUES = (
    "love", "loved", "lovely", "great", "proud", "brilliant", "fantastic", "excellent", "good",
    "best", "amazing", "wonderful", "friendly", "helpful", "enjoy", "enjoyed", "thriving",
    "beautiful", "safe", "welcoming", "kind", "caring", "thank", "thanks", "happy", "fab",
    "well run", "really good", "so good", "works well", "lucky", "strong", "supportive",
)
PROBLEM_CUES = (
    "no", "not enough", "closed", "closing", "dangerous", "can't", "cannot", "cant", "never",
    "nothing", "lack", "lack of", "lacking", "poor", "bad", "worse", "worst", "problem",
    "problems", "unsafe", "expensive", "unaffordable", "struggle", "struggling", "broken",
    "dirty", "litter", "fly-tipping", "cut", "cuts", "lost", "gone", "empty", "boarded",
    "waiting", "wait", "late", "cancelled", "rude", "worried", "scared", "afraid", "isolated",
    "lonely", "too many", "too much", "not", "don't", "doesn't", "isn't", "won't", "hardly",
    "shame", "sad", "complain", "complaint", "awful", "terrible", "rubbish", "difficult",
)
ASPIRATION_CUES = (
    "would be nice", "would be good", "would be great", "would love", "would like", "need more",
    "needs more", "need a", "needs a", "should", "wish", "hope", "more", "could", "if only",
    "want", "wants", "we need", "they need", "bring back", "reopen", "invest", "improve",
    "better", "would help", "it'd be", "ought", "in future", "future", "next generation",
    "somewhere for", "a place for", "imagine", "plans", "plan",
)

_WORD = re.compile(r"[a-z']+(?:-[a-z]+)?")


def _compile(cues: tuple[str, ...]) -> re.Pattern:
    alts = sorted({re.escape(c) for c in cues}, key=len, reverse=True)
    return re.compile(r"(?<![a-z'])(?:" + "|".join(alts) + r")(?![a-z'])")


_PATTERNS = {
    "strength": _compile(STRENGTH_CUES),
    "problem": _compile(PROBLEM_CUES),
    "aspiration": _compile(ASPIRATION_CUES),
}


def cue_counts(text: str) -> dict[str, int]:
    """How many cues of each stance occur in ``text`` (case-insensitive)."""
    low = (text or "").lower().replace("’", "'")
    return {stance: len(p.findall(low)) for stance, p in _PATTERNS.items()}


def stance_of_text(text: str, question: str | None = None) -> str:
    """Stance of a text answering ``question`` ("strong", "future" or None)."""
    counts = cue_counts(text)
    # Strong aspiration phrasing ("would be nice", "should") wins over stray negatives.
    if counts["aspiration"] and counts["aspiration"] >= counts["problem"] and question != "strong":
        return "aspiration"
    if question == "strong":
        if counts["problem"] > counts["strength"]:
            return "problem"
        if counts["aspiration"] > counts["strength"] + counts["problem"]:
            return "aspiration"
        return "strength"
    if question == "future":
        if counts["problem"] > counts["aspiration"] and counts["problem"] > counts["strength"]:
            return "problem"
        return "aspiration"
    best = max(STANCES, key=lambda s: (counts[s], -STANCES.index(s)))
    return best if counts[best] else "strength"


def stance_of(statement) -> str:
    """Stance of a :class:`kilvoice.records.Statement`: "strength", "problem" or "aspiration"."""
    return stance_of_text(statement.text, getattr(statement, "question", None))


def count_stances(stances) -> dict[str, int]:
    out = {s: 0 for s in STANCES}
    for s in stances:
        out[s] += 1
    return out

"""Plain typed records passed between stages.

Stages take and return these (or lists of them) and nothing else: no stage reaches
into another's objects. ``Reject`` is the "could not process" channel every stage has.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SETTINGS = ("work", "social", "community", "other")
AGE_BANDS = ("under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+")
ROLES = ("resident", "conversationalist", "unknown")
QUESTIONS = ("strong", "future")  # what's strong about your area / what would make it better
# A theme the topic stage found to gather varied remarks rather than one subject is titled
# "Mixed: ..."; an officer's rename (a decision that it has a subject) removes the prefix.
CATCH_ALL_PREFIX = "Mixed: "
# the stance count of statements that say none and answer no question (kilvoice.topics.stance, cues.v2)
UNSTATED = "unstated"


def is_catch_all(title: str) -> bool:
    """Whether a theme title marks a catch-all ("Mixed: ...")."""
    return (title or "").startswith(CATCH_ALL_PREFIX)


@dataclass
class Utterance:
    """One stretch of speech or writing in a note, in reading order.

    ``text`` is raw in the raw store and redacted everywhere downstream.
    ``speaker`` is the raw speaker label (personal data: raw store only).
    """

    index: int
    text: str
    role: str = "resident"
    question: str | None = None
    speaker: str | None = None


@dataclass
class Note:
    """One conversation as handed in: metadata plus utterances (raw)."""

    id: str
    source: str  # path of the file it came from, relative where possible
    utterances: list[Utterance]
    meta: dict[str, Any] = field(default_factory=dict)  # validated schema fields
    extra: dict[str, Any] = field(default_factory=dict)  # unknown fields, kept as given
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(u.text for u in self.utterances)


@dataclass
class RedactionSpan:
    """Where personal data was found: label and offsets, never the text."""

    start: int
    end: int
    label: str
    score: float = 1.0
    source: str = "pattern"  # pattern | ner | gazetteer | context
    replacement: str = ""


@dataclass(slots=True)  # a million of them in a national run
class Statement:
    id: str
    conversation_id: str
    utterance_index: int
    index: int
    text: str  # redacted
    question: str | None = None


@dataclass
class Theme:
    id: str
    title: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    size: int = 0
    n_conversations: int = 0
    parent: str | None = None
    stance: dict[str, int] = field(default_factory=dict)  # strength/problem/aspiration (+ UNSTATED: cues.v2)
    representative: list[str] = field(default_factory=list)  # statement ids, most typical first


@dataclass(slots=True)
class Assignment:
    statement_id: str
    theme_id: str
    score: float
    primary: bool = True


LINK, POSSIBLE = "link", "possible"  # Link.status


@dataclass(slots=True)  # a million-statement run holds ~2M statement links
class Link:
    """A link from a theme or statement to a framework item."""

    source_kind: str  # theme | statement
    source_id: str
    framework_id: str
    item_id: str
    score: float
    evidence: list[str] = field(default_factory=list)  # statement ids
    rationale: str = ""
    status: str = "link"  # link | possible (a theme's weaker candidate, shown but not counted)


@dataclass(slots=True)
class Reject:
    """Something a stage could not use, with a reason. Never holds resident text."""

    stage: str
    item: str  # file path, conversation id or statement id
    code: str
    reason: str


def flat(record) -> dict:
    """A flat record's fields as a dict: ``asdict`` without the deep copy (works with slots)."""
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def as_dict(record) -> dict:
    return asdict(record)

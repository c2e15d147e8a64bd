"""The optional LLM title labeller: a seam (``TitleLabeller``) and one implementation that talks to
an OpenAI-compatible chat endpoint the council runs itself (llama.cpp server, Ollama, Azure).

Off by default (``[topics] labeller = "phrases"``). With ``labeller = "llm"``, ``llm_url`` and
``llm_model`` set, each theme's most typical statements, as the theme stage sees them (redacted:
placeholders such as ``[PERSON_1]`` stay as they are), and its phrase title are sent, and the
model's title is kept only when it passes the checks every title passes: at most 8 words, not
another theme's title, no "X and Y" that no one statement says together, no placeholder. Otherwise
the phrase title stays. The manifest records the model, the endpoint and how many titles it gave.

Nothing else leaves the machine; the URL is the council's. Only the standard library is used.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Protocol, Sequence

from kilvoice.errors import KilvoiceError
from kilvoice.topics.labels import PLACEHOLDER, _cap
from kilvoice.topics.phrases import TITLE_MAX_WORDS, joins_different_statements

SAMPLE = 8  # typical statements sent per theme
SAMPLE_CHARS = 300

PROMPT = (
    "You name themes from a council listening exercise. For each theme below you get some of what "
    "residents said (personal details are already replaced by placeholders) and a draft title. Write "
    "one title per theme: a short phrase in the residents' own terms that says what they raised, at "
    f"most {TITLE_MAX_WORDS} words, no quotation marks, different from every other title. Answer with "
    'JSON only: {"titles": ["...", "..."]}, one title per theme, in order.'
)


class TitleLabeller(Protocol):
    """Anything that proposes one title per theme (None where it has none)."""

    model_id: str

    def titles(self, themes: Sequence[dict]) -> list[str | None]:
        """``themes``: dicts with ``draft`` (the phrase title) and ``statements`` (redacted text)."""
        ...


class OpenAIChatLabeller:
    """Titles from an OpenAI-compatible ``/chat/completions`` endpoint at ``url`` (e.g.
    ``http://127.0.0.1:8080/v1``). ``api_key`` only when the council's server needs one."""

    def __init__(self, url: str, model: str, timeout: float = 60.0, api_key: str = ""):
        self.url = url.rstrip("/")
        self.model = model
        self.timeout = float(timeout)
        self.api_key = api_key
        self.model_id = f"{model}@{self.url}"

    def titles(self, themes: Sequence[dict]) -> list[str | None]:
        lines = []
        for n, theme in enumerate(themes, 1):
            said = "\n".join(f"  - {s[:SAMPLE_CHARS]}" for s in theme["statements"][:SAMPLE])
            lines.append(f"Theme {n} (draft title: {theme['draft']}):\n{said}")
        body = {"model": self.model, "temperature": 0,
                "messages": [{"role": "system", "content": PROMPT},
                             {"role": "user", "content": "\n\n".join(lines)}]}
        answer = self._post(body)
        try:
            content = answer["choices"][0]["message"]["content"]
            match = re.search(r"\{.*\}", content, flags=re.S)
            titles = json.loads(match.group(0) if match else content)["titles"]
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise KilvoiceError("K722", url=self.url, reason=type(exc).__name__, model=self.model) from None
        titles = [t if isinstance(t, str) else None for t in titles]
        return (titles + [None] * len(themes))[: len(themes)]

    def _post(self, body: dict) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
            headers["api-key"] = self.api_key  # Azure's header
        request = urllib.request.Request(f"{self.url}/chat/completions", data=json.dumps(body).encode("utf-8"),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - council URL
                raw = response.read()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise KilvoiceError("K721", url=self.url, reason=str(reason)[:80]) from None
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            raise KilvoiceError("K722", url=self.url, reason="not JSON", model=self.model) from None


def labeller_from_settings(settings: dict) -> TitleLabeller:
    import os

    return OpenAIChatLabeller(settings["llm_url"], settings["llm_model"], settings.get("llm_timeout", 60.0),
                              os.environ.get("KILVOICE_LLM_API_KEY", ""))


def clean_title(title: str | None) -> str:
    """The model's title on one line, without quotes or a trailing full stop."""
    title = " ".join((title or "").split()).strip(" \"'“”‘’.*#-")
    return _cap(title) if title else ""


def check_title(title: str, texts: Sequence[str], taken: set[str]) -> bool:
    """Whether a proposed title passes the checks every title passes."""
    return bool(title) and len(title.split()) <= TITLE_MAX_WORDS and title.lower() not in taken \
        and not PLACEHOLDER.search(title) and "[" not in title and not joins_different_statements(title, texts)


def llm_titles(labeller: TitleLabeller, picked: list[tuple[str, object]], ranked, members, texts: Sequence[str],
               reserved: Sequence[str] = ()):
    """(picked with the model's titles where they pass the checks, what the manifest records)."""
    themes = [{"draft": title, "statements": [texts[i] for i in idx[:SAMPLE]]} for (title, _), idx in zip(picked, members)]
    proposed = labeller.titles(themes)
    taken = {t.lower() for t in reserved}
    out, accepted = [], 0
    drafts = [title.lower() for title, _ in picked]
    for pos, ((title, phrase), idx, new) in enumerate(zip(picked, members, proposed)):
        new = clean_title(new)
        others = set(drafts[pos + 1:])  # later themes keep their own phrase title if the model gives none
        if check_title(new, [texts[i] for i in idx], taken | others):
            out.append((new, phrase))
            accepted += 1
        else:
            out.append((title, phrase))
        taken.add(out[-1][0].lower())
    return out, {"name": "llm", "model": labeller.model_id, "titles_from_model": accepted,
                 "titles_kept_from_phrases": len(picked) - accepted}

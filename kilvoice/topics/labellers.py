"""Each title labeller version as one object, chosen once by name (``[topics] labeller``).

A ``Labeller`` says how a theme's candidate phrases are found and scored (``rank``: the keyword
arguments of ``phrases.rank_phrases``), how titles are picked from them (``pick``), and how
groups are named (``group_list_max``: with it, a group whose themes share no phrase is named by
listing them only when it holds at most that many, and a larger one is no group at all;
``group_own_top``: a theme shares a phrase only when it is among its own best that many).

- ``keywords``: two keywords, the old titles (``phrases`` says False: no phrase ranking);
- ``phrases``: noun phrases of the theme's statements (kilvoice.topics.phrases);
- ``phrases2``: and what is said of a subject (kilvoice.topics.phrases2);
- ``phrases3``: and the aspect residents judge (kilvoice.topics.phrases3);
- ``phrases4``: titles many statements carry (kilvoice.topics.phrases4);
- ``phrases5``: titles carried as well as the theme's best-carried candidate (kilvoice.topics.phrases5);
- ``phrases6``: what residents said of a subject: waiting time, praise or problems (kilvoice.topics.phrases6);
- ``phrases7``: the manner, the action and the stance residents said (kilvoice.topics.phrases7);
- ``phrases8``: a subject's noun, not a word that qualifies one, in the number residents write it
  (kilvoice.topics.phrases8);
- ``phrases9``: a catch-all named by the stance most of it says ("Mixed: mostly praise")
  (kilvoice.topics.phrases9);
- ``phrases10``: phrases9, "nothing has improved" read as a complaint, as stance ``cues.v4`` reads it,
  a theme whose title names few of its statements described with what else they mention, and a word
  said as part of a phrase listed as the phrase (kilvoice.topics.phrases10);
- ``phrases11``: phrases10, a compound's first noun kept when it is a stop word ("Call handlers", not
  "Handler"; kilvoice.topics.phrases11);
- ``phrases12``: phrases11, a broad subject most statements use ("Work") when no narrower candidate names
  a tenth of the theme (kilvoice.topics.phrases12);
- ``llm``: ``phrases``' titles, then a local model's where they pass the same checks (kilvoice.topics.llm).

The parts are imported when first used: a pipeline that never titles with phrases4 never
imports it.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable


@dataclass(frozen=True)
class Labeller:
    name: str
    module: str = "phrases"  # kilvoice.topics.<module> holds the parts named below
    parts: tuple[str, ...] = ()  # rank_phrases arguments it gives: "scorer", "spans", "candidates", "screen"
    own_pick: bool = False  # its module's pick_titles, else phrases.pick_titles
    group_list_max: int | None = None
    group_own_top: int | None = None  # a child shares a phrase only among its own best (phrases.group_title)
    phrases: bool = True  # titles from ranked phrases (all but "keywords")
    llm: bool = False
    own_stances: bool = False  # its module's said_stances (what "Praise for ..." counts), else phrases'
    own_catch_all: bool = False  # its module's catch_all_name: what a "Mixed: ..." theme mostly says
    said_when_narrow: bool = False  # a theme whose title names few of its statements still says what else they mention
    own_mentions: bool = False  # its module's mentions: the phrases a description lists, else phrases'

    def _module(self):
        return import_module(f"kilvoice.topics.{self.module}")

    def rank(self) -> dict:
        """Keyword arguments of ``rank_phrases`` for this version."""
        names = {"scorer": "score_phrases", "spans": "spans", "candidates": "candidates", "screen": "screen"}
        mod = self._module() if self.parts else None
        return {part: getattr(mod, names[part]) for part in self.parts}

    def pick(self) -> Callable:
        return (self._module() if self.own_pick else import_module("kilvoice.topics.phrases")).pick_titles

    def said_stances(self) -> Callable:
        return (self._module() if self.own_stances else import_module("kilvoice.topics.phrases")).said_stances

    def mentions(self) -> Callable:
        """``(scored phrases, title key) -> [(phrase, statements)]``: what a description lists besides the title."""
        return (self._module() if self.own_mentions else import_module("kilvoice.topics.phrases")).mentions

    def catch_all_name(self) -> Callable | None:
        """``(said stance counts, statements read) -> str | None``: a catch-all's name, else None (the
        theme stage names it by its title)."""
        return self._module().catch_all_name if self.own_catch_all else None


LABELLERS: dict[str, Labeller] = {lab.name: lab for lab in (
    Labeller("phrases"),
    Labeller("phrases2", "phrases2", ("scorer", "spans")),
    Labeller("phrases3", "phrases3", ("scorer", "candidates")),
    Labeller("phrases4", "phrases4", ("scorer", "candidates"), own_pick=True, group_list_max=2),
    Labeller("phrases5", "phrases5", ("scorer", "candidates"), own_pick=True, group_list_max=2,
             group_own_top=6),
    Labeller("phrases6", "phrases6", ("scorer", "candidates", "screen"), own_pick=True, group_list_max=0,
             group_own_top=6),
    Labeller("phrases7", "phrases7", ("scorer", "candidates", "screen"), own_pick=True, group_list_max=0,
             group_own_top=6, own_stances=True),
    Labeller("phrases8", "phrases8", ("scorer", "candidates", "screen"), own_pick=True, group_list_max=0,
             group_own_top=6, own_stances=True),
    Labeller("phrases9", "phrases9", ("scorer", "candidates", "screen"), own_pick=True, group_list_max=0,
             group_own_top=6, own_stances=True, own_catch_all=True),
    Labeller("phrases10", "phrases10", ("scorer", "candidates", "screen"), own_pick=True, group_list_max=0,
             group_own_top=6, own_stances=True, own_catch_all=True, said_when_narrow=True, own_mentions=True),
    Labeller("phrases11", "phrases11", ("scorer", "candidates", "screen"), own_pick=True, group_list_max=0,
             group_own_top=6, own_stances=True, own_catch_all=True, said_when_narrow=True, own_mentions=True),
    Labeller("phrases12", "phrases12", ("scorer", "candidates", "screen"), own_pick=True, group_list_max=0,
             group_own_top=6, own_stances=True, own_catch_all=True, said_when_narrow=True, own_mentions=True),
    Labeller("keywords", phrases=False),
    Labeller("llm", llm=True),
)}


def labeller(name: str) -> Labeller:
    """The labeller of that name (the stage checks the name before: K705)."""
    return LABELLERS[name]

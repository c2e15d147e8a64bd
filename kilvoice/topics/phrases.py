"""Theme titles as phrases people write (the "phrases" labeller; "keywords" is the old one).

A theme's title is one phrase taken from its own statements: a noun chunk ("evening buses",
"friendly, caring staff"), a noun chunk with the prepositional phrase after it ("waiting times
for GP appointments"), two chunks joined by "and" *in one statement* ("buses and trains"), a
verb with its object, 3 words or more ("fix the potholes"), or one of the theme's keyphrases
(c-TF-IDF x coverage) that ends in a noun. Only the PARSE_SAMPLE most typical statements of each
theme are parsed (spaCy's small English pipeline with the parser), each cut to PARSE_WORDS words.

Each candidate is scored by

- coverage: the share of the theme's statements that use its head noun, times the square root
  of the share of those that use all its content words (singular or plural, stopwords aside);
- distinctiveness: that share against the share of every other statement using it;
- closeness: the cosine between the phrase's embedding and the theme's centroid (KeyBERT-style),
  with the run's embedder when the stage is given one (``embed``), else the mean embedding of
  the statements that use the phrase.

times a length weight (one word 0.7, two or three 1.0). Titles are unique and at most
TITLE_MAX_WORDS words; a one-word winner gives way to the phrase around it that a fifth of its
statements use. A theme STANCE_SHARE of whose statements say a problem (or a strength) in cue
words, and whose phrase is bare nouns, is titled "Problems with ..." ("Praise for ..."). Groups are named by a phrase most of their children use, else GROUP_OTHER.
Descriptions count: statements, conversations, stances and the phrases most statements use.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from kilvoice.tagger import load_parser
from kilvoice.topics.procedural import chairing_only
from kilvoice.topics.labels import (FILLER, GENERIC, PLACEHOLDER, STANCE_WORDS, STOPWORDS, TOKEN_PATTERN, _acronyms,
                                    _cap, _join, _singular, clean_text, unstated_clause)
from kilvoice.topics.stance import UNSTATED, stated

TITLE_MAX_WORDS = 8
PHRASE_MAX_WORDS = 6  # leaves room for "Problems with"
PARSE_SAMPLE = 20  # most typical statements per theme parsed for phrases
PARSE_WORDS = 40  # words of each parsed statement
STANCE_SHARE = 0.7  # "Problems with ..." when at least this share of the theme are problems
GROUP_OTHER = "Other community issues"
GROUP_OTHERS = (GROUP_OTHER, "More community issues", "Further community issues")
LENGTH_WEIGHT = {1: 0.7, 2: 1.0, 3: 1.0, 4: 0.9, 5: 0.8, 6: 0.7}
STANCE_PREFIX = {"problem": "Problems with ", "strength": "Praise for "}
# leading words a title may keep although they are stopwords ("more buses")
KEEP_LEADING = frozenset({"more", "fewer", "less", "better", "cheaper", "free", "new", "local"})
_SKIP_LEADING_POS = frozenset({"DET", "PRON", "PUNCT", "CCONJ", "ADP", "PART", "SCONJ", "AUX", "INTJ", "NUM",
                               "ADV", "SPACE", "SYM", "X"})
_NOUNS = frozenset({"NOUN", "PROPN"})
# Words a phrase may hold but never be about on their own ("friendly people", not "People");
# a phrase with a vague word ("careers stuff") is no title at all.
VAGUE = frozenset({"stuff", "thing", "things", "lot", "lots", "bit", "loads", "kind", "sort", "way", "something",
                   "anything", "everything", "nothing", "someone", "everyone", "qs", "etc", "eg"})
TITLE_STOP = frozenset(ENGLISH_STOP_WORDS) | VAGUE | {"im", "i'm", "it's", "don't", "dont", "can't", "cant",
                                                     "yeah", "yep", "ok", "okay", "redacted"}
ALONE_STOP = FILLER | GENERIC  # never a one-word title ("Kids", "Work"), as for keyword titles


def content_words(text: str) -> list[str]:
    """Lower-case words of ``text`` a title phrase counts (English stopwords and vague words aside)."""
    return [w for w in re.findall(TOKEN_PATTERN, clean_text(text)) if w not in TITLE_STOP]


@lru_cache(maxsize=1 << 15)  # the postings and then each theme's title coverage read the same statements
def key_of(text: str) -> tuple[str, ...]:
    """A phrase's content words, singular, in order: "Evening buses" -> ("evening", "bus")."""
    return tuple(_singular(w) for w in content_words(text))


@dataclass
class Phrase:
    """A candidate title: its most common surface form and how it was found."""
    key: tuple[str, ...]
    head: str
    forms: Counter = field(default_factory=Counter)
    plain: bool = True  # nouns only: no adjective or verb already says the stance
    joined: bool = False  # two chunks joined by "and" in one statement
    cover: tuple[str, ...] | None = None  # the words whose statements it stands for, when not its key (phrases3)

    @property
    def text(self) -> str:
        return self.forms.most_common(1)[0][0]


def _surface(tokens) -> str:
    """Tokens as written, lower case except proper nouns and acronyms, with their spacing."""
    out = []
    for tok in tokens:
        word = tok.text if (tok.pos_ == "PROPN" or (tok.text.isupper() and len(tok.text) <= 5)) else tok.lower_
        out.append(word + tok.whitespace_)
    return _acronyms("".join(out).strip(" ,;:-"))


def _trim(tokens) -> list:
    tokens = list(tokens)
    while tokens and (tokens[0].pos_ in _SKIP_LEADING_POS or tokens[0].tag_ in ("PRP$", "WP$", "PDT")
                      or (tokens[0].lower_ in TITLE_STOP and tokens[0].lower_ not in KEEP_LEADING)):
        tokens.pop(0)
    while tokens and tokens[-1].pos_ in ("PUNCT", "CCONJ", "ADP", "PART", "DET"):
        tokens.pop()
    return tokens


def _spans(doc) -> list[tuple[list, bool]]:
    """(tokens, joined) of a parsed statement's candidate phrases."""
    out = []
    chunks = {c.root.i: c for c in doc.noun_chunks}
    for chunk in chunks.values():
        toks = _trim(chunk)
        if not toks:
            continue
        out.append((toks, False))
        root = chunk.root
        end = chunk.end
        for child in root.rights:  # "waiting times for GP appointments"
            if child.dep_ == "prep" and child.i == end and child.lower_ in ("for", "of", "on", "in", "at", "to"):
                pobj = next((c for c in child.children if c.dep_ == "pobj" and c.i in chunks), None)
                if pobj is not None:
                    out.append((toks + list(doc[child.i:chunks[pobj.i].end]), False))
            if child.dep_ == "conj" and child.i in chunks:  # "buses and trains", said together
                span = list(doc[toks[0].i:chunks[child.i].end])
                if any(t.lower_ == "and" for t in span):
                    out.append((span, True))
    for tok in doc:  # a verb and its object, 3 words or more: "fix the potholes", "ban the sale of barbecues"
        if tok.pos_ == "VERB" and tok.lower_ not in STOPWORDS:
            obj = next((c for c in tok.children if c.dep_ == "dobj" and c.i in chunks), None)
            if obj is not None and chunks[obj.i].start == tok.i + 1:
                span = [tok] + list(chunks[obj.i])
                nxt = chunks[obj.i].end
                prep = doc[nxt] if nxt < len(doc) else None
                if prep is not None and prep.dep_ == "prep" and prep.head.i == obj.i and prep.lower_ in ("of", "for", "on"):
                    pobj = next((c for c in prep.children if c.dep_ == "pobj" and c.i in chunks), None)
                    if pobj is not None:
                        span += list(doc[prep.i:chunks[pobj.i].end])
                if len(span) >= 3:
                    out.append((span, False))
    return out


def _is_nounish(tokens) -> bool:
    return all(t.pos_ in _NOUNS or t.lower_ in STOPWORDS or t.is_punct for t in tokens)


def candidate_phrases(docs, exclude: frozenset[str] = frozenset(), spans=None) -> dict[tuple[str, ...], Phrase]:
    """Candidate phrases of parsed statements by key. ``exclude``: words (place names) never in a title;
    ``spans(doc)``: (tokens, joined) of a statement's candidates (default ``_spans``)."""
    found: dict[tuple[str, ...], Phrase] = {}
    for doc in docs:
        for toks, joined in (spans or _spans)(doc):
            verbal = any(t.pos_ in ("VERB", "AUX") for t in toks)
            text = _surface(toks)
            if not text or PLACEHOLDER.search(text) or "[" in text or "]" in text:
                continue
            key = key_of(text)
            if not key or len(text.split()) > PHRASE_MAX_WORDS or len(set(key)) < len(key):
                continue
            words = set(re.findall(TOKEN_PATTERN, text.lower()))
            if words & exclude or words & VAGUE or (len(key) == 1 and key[0] in ALONE_STOP | STOPWORDS):
                continue
            head = next((t for t in reversed(toks) if t.tag_.startswith("NN")), None)
            if head is None or head.lower_ in TITLE_STOP:
                continue
            ph = found.setdefault(key, Phrase(key, _singular(head.lower_), joined=joined))
            ph.forms[text] += 1
            ph.plain = ph.plain and not verbal and _is_nounish(toks)
    return found


def keyphrases(keywords: Sequence[str], nouns: dict[str, float] | None = None) -> dict[tuple[str, ...], Phrase]:
    """The theme's keywords as candidates (head = last word). With ``nouns`` (the share of each
    word's uses in the parsed statements that are nouns), a keyphrase must end in a word used
    mostly as a noun ("quicker", "overall" are not titles), and is plain when all its words are."""
    out = {}
    for kw in keywords:
        key = key_of(kw)
        words = kw.lower().split()
        if not key or len(set(key)) < len(key) or (len(key) == 1 and key[0] in ALONE_STOP):
            continue
        if nouns is not None and (nouns.get(words[-1], 0.0) < 0.5 or any(nouns.get(w) == VERB for w in words)):
            continue  # "quicker", "overall" name nothing; "require schools" is a fragment
        plain = nouns is not None and all(nouns.get(w, 0.0) >= 0.5 for w in words)
        out.setdefault(key, Phrase(key, key[-1], Counter({_acronyms(kw): 1}), plain=plain))
    return out


VERB = -1.0  # noun_share's mark for a word used mostly as a verb


def noun_share(docs) -> dict[str, float]:
    """Share of each lower-case word's uses in ``docs`` tagged noun or proper noun (VERB when most
    of its uses are verbs)."""
    noun, verb, total = Counter(), Counter(), Counter()
    for doc in docs:
        for tok in doc:
            total[tok.lower_] += 1
            noun[tok.lower_] += tok.tag_.startswith("NN")
            verb[tok.lower_] += tok.tag_.startswith("VB")
    return {w: VERB if verb[w] > n / 2 else noun[w] / n for w, n in total.items()}


class Postings:
    """Which statements use each (singular) content word, as boolean arrays."""

    def __init__(self, texts: Sequence[str]):
        self.n = len(texts)
        index: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            for w in set(key_of(text)):
                index.setdefault(w, []).append(i)
        self._index = index
        self._cache: dict[tuple[str, ...], np.ndarray] = {}

    def using(self, key: Sequence[str]) -> np.ndarray:
        """Statements using every word of ``key``."""
        key = tuple(sorted(set(key)))
        if key not in self._cache:
            mask = np.ones(self.n, dtype=bool)
            for w in key:
                one = np.zeros(self.n, dtype=bool)
                one[self._index.get(w, [])] = True
                mask &= one
            self._cache[key] = mask
        return self._cache[key]


def _normalize(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    return X / (np.linalg.norm(X, axis=-1, keepdims=True) + 1e-12)


@dataclass
class ScoredPhrase:
    phrase: Phrase
    score: float
    count: int  # theme statements using every content word
    tier: int = 0  # ranked before any higher tier whatever its score (phrases4)
    carried: int | None = None  # theme statements using the head noun of some part (phrases5)


def score_phrases(cands: dict[tuple[str, ...], Phrase], members: np.ndarray, postings: Postings,
                  centroid: np.ndarray, vectors: dict[tuple[str, ...], np.ndarray], *,
                  length_weight: dict[int, float] = LENGTH_WEIGHT, coverage_power: float = 0.5,
                  close_power: float = 1.0, min_head_share: float = 0.0,
                  skip: Callable[[Phrase], bool] | None = None) -> list[ScoredPhrase]:
    """Candidates by score, best first (see the module docstring); ties by text. The keyword
    arguments are a labeller version's own (kilvoice.topics.phrases2); the defaults are this one's."""
    inside = np.zeros(postings.n, dtype=bool)
    inside[members] = True
    n_in, n_out = max(int(inside.sum()), 1), max(postings.n - int(inside.sum()), 1)
    floor = 2 if len(members) >= 6 else 1
    out = []
    for key, ph in cands.items():
        if skip is not None and skip(ph):
            continue
        use = postings.using(ph.cover or key)
        count = int(use[inside].sum())
        if count < floor:
            continue
        head_count = max(float(postings.using((ph.head,))[inside].sum()), count)
        if count < min_head_share * head_count:  # "end for football": 2 of the 49 that say football
            continue
        cov_in = count / n_in
        cov_out = float(use[~inside].sum()) / n_out
        distinct = cov_in / (cov_in + cov_out)
        vec = vectors.get(key)
        close = max(float(vec @ centroid), 0.0) if vec is not None else 0.5
        # a longer phrase is credited with its head noun's coverage, less a little for its rarity
        coverage = (head_count / n_in) * np.sqrt(count / head_count)
        coverage = np.sqrt(coverage) if coverage_power == 0.5 else coverage ** coverage_power
        score = coverage * distinct * close ** close_power * length_weight.get(len(key), 0.6)
        out.append(ScoredPhrase(ph, float(score), count))
    out.sort(key=lambda s: (-s.score, s.phrase.text))
    return out


def phrase_vectors(keys: Sequence[tuple[str, ...]], texts: dict[tuple[str, ...], str], postings: Postings,
                   embeddings: np.ndarray, embed: Callable[[list[str]], np.ndarray] | None):
    """One unit vector per phrase: the embedder's when given, else the mean of the statements using it."""
    keys = list(keys)
    if not keys:
        return {}
    if embed is not None:
        vecs = _normalize(np.asarray(embed([texts[k] for k in keys]), dtype=np.float32))
        return dict(zip(keys, vecs))
    out = {}
    for k in keys:
        use = postings.using(k)
        if use.any():
            out[k] = _normalize(embeddings[use].mean(axis=0))
    return out


def stance_title(text: str, phrase: Phrase, stance: dict[str, int] | None, size: int) -> str:
    """"Problems with ..." / "Praise for ..." when that share of the theme says so and the phrase
    (nouns only) does not already."""
    from kilvoice.topics.stance import cue_counts

    counts = stance or {}
    cued = any(cue_counts(text)[s] for s in ("strength", "problem"))  # "caring", "poor": says it already
    for name, prefix in STANCE_PREFIX.items():
        if size and counts.get(name, 0) >= STANCE_SHARE * size and phrase.plain and not phrase.joined and not cued:
            return prefix + text
    return _cap(text)


def said_stances(texts: Sequence[str]) -> dict[str, int]:
    """How many of ``texts`` say a strength or a problem in so many words (more cues of one than
    the other, kilvoice.topics.stance): the stance prefix needs residents to have said it, not the
    default a cue-less statement gets."""
    from kilvoice.topics.stance import cue_counts

    out = Counter()
    for text in texts:
        c = cue_counts(text)
        if c["strength"] > c["problem"]:
            out["strength"] += 1
        elif c["problem"] > c["strength"]:
            out["problem"] += 1
    return dict(out)


def joins_different_statements(title: str, texts: Sequence[str]) -> bool:
    """Whether ``title`` joins with "and" (or a comma list) parts that no one statement of ``texts``
    uses together: "Parents and meals" when no statement mentions both."""
    core = strip_prefix(title)
    parts = [set(key_of(p)) for p in re.split(r",| and ", core) if key_of(p)]
    if len(parts) < 2:
        return False
    for text in texts:
        words = set(key_of(text))
        if all(p & words for p in parts):
            return False
    return True


def strip_prefix(title: str) -> str:
    """A title without its stance or catch-all prefix."""
    for prefix in (*STANCE_PREFIX.values(), "Mixed: "):
        if title.startswith(prefix):
            return title[len(prefix):]
    return title


def phrase_coverage(title: str, texts: Sequence[str]) -> int:
    """How many of ``texts`` use the head noun (the last content word) of some part of ``title``
    ("Waiting times for GP appointments": "appointment"; "Buses and trains": "bus" or "train")."""
    heads = title_heads(title)
    return sum(1 for t in texts if heads & set(key_of(t)))


def title_heads(title: str) -> set[str]:
    """The head noun (last content word, singular) of each part of ``title``: {"time", "appointment"}."""
    heads = set()
    for part in re.split(r",| and | for | of | on | in | at | to ", strip_prefix(title)):
        key = key_of(part)
        if key:
            heads.add(key[-1])
    return heads


def too_long(title: str) -> bool:
    return len(title.split()) > TITLE_MAX_WORDS


def pick_titles(ranked: list[list[ScoredPhrase]], stances: list[dict], sizes: list[int],
                reserved: Sequence[str] = ()) -> list[tuple[str, Phrase | None]]:
    """One unique title per theme (earlier themes choose first): (title, phrase)."""
    taken = {t.lower() for t in reserved}
    keys: set[tuple[str, ...]] = set()
    out = []
    for scored, stance, size in zip(ranked, stances, sizes):
        chosen = next(((title, sp.phrase) for title, sp in title_options(scored, stance, size)
                       if title.lower() not in taken and sp.phrase.key not in keys), None)
        if chosen is None:
            chosen = (_unique("Mixed statements", taken), None)
        taken.add(chosen[0].lower())
        if chosen[1] is not None:
            keys.add(chosen[1].key)
        out.append(chosen)
    return out


def title_options(scored: list[ScoredPhrase], stance: dict | None, size: int, longer=None):
    """(title, scored phrase) a theme may take, best first, none over TITLE_MAX_WORDS words. A title
    of chairing words only ("Questions", "Evidence") names the meeting, not what was said: those
    come after every other (kilvoice.topics.procedural). ``longer(sp, scored)``: the phrase a
    one-word one gives way to (default ``_longer``; phrases5 its own)."""
    for chairing in (False, True):
        for sp in scored:
            sp = (longer or _longer)(sp, scored)
            title = stance_title(sp.phrase.text, sp.phrase, stance, size)
            if not too_long(title) and chairing_only(strip_prefix(title)) <= chairing:
                yield title, sp


def _longer(sp: ScoredPhrase, scored: list[ScoredPhrase], share: float = 0.2) -> ScoredPhrase:
    """A one-word phrase gives way to the phrase around it that at least ``share`` of its statements
    (and 3) use and that scores at least half as high ("library" -> "mobile library")."""
    if len(sp.phrase.key) > 1:
        return sp
    word = sp.phrase.key[0]
    longer = [o for o in scored if len(o.phrase.key) > 1 and word in o.phrase.key and not o.phrase.joined
              and o.count >= max(3, share * sp.count) and o.score >= 0.5 * sp.score]
    return max(longer, key=lambda o: (o.count, o.score), default=sp)


def _unique(base: str, taken: set[str]) -> str:
    title, n = base, 2
    while title.lower() in taken:
        title, n = f"{base} ({n})", n + 1
    return title


def group_title(children: list[np.ndarray], candidates: list[list[ScoredPhrase]], postings: Postings,
                taken: set[str], min_share: float = 0.1, child_titles: list[str] | None = None,
                list_max: int | None = None, own_top: int | None = None) -> str | None:
    """The phrase that the most of a group's children use (at least two statements and ``min_share``
    of each; at least half the children, and two), then the most of its statements; else (they share
    nothing) what it holds: its first children's titles ("Towpath, Youth club and 6 more"), or
    GROUP_OTHER when no child titles are given. With ``list_max`` (phrases4), only a group of at
    most that many children is named by listing them, in at most TITLE_MAX_WORDS words ("Buses /
    Libraries"); for a larger one (or a list too long) it returns None: children that share nothing
    are no group (the theme stage shows each alone), never a list of unrelated titles or "3 themes".
    With ``own_top`` (phrases5) a child shares a phrase only when it is among that child's own
    ``own_top`` best candidates (or their heads): what the children are about, not a word some of
    their statements happen to use ("Food" for a leisure centre, a market hall and a shop)."""
    if not children:
        children, candidates = [np.zeros(0, dtype=int)], []
    need = max(2, (len(children) + 1) // 2)
    members = np.concatenate(children)
    pool: dict[tuple[str, ...], str] = {}
    own: list[set[tuple[str, ...]]] = []
    for scored in candidates:
        own.append(set())
        for rank, sp in enumerate(scored[:12]):
            head_form = sp.phrase.text.split()[-1] if sp.phrase.key[-1] == sp.phrase.head else sp.phrase.head
            for key, text in ((sp.phrase.key, sp.phrase.text), ((sp.phrase.head,), head_form)):
                pool.setdefault(key, text)
                if own_top is None or rank < own_top:
                    own[-1].add(key)
    best, best_score = None, 0.0
    for key, text in sorted(pool.items()):
        use = postings.using(key)
        hit = sum(1 for idx, mine in zip(children, own if own_top is not None else [None] * len(children))
                  if len(idx) and use[idx].sum() >= max(2, min_share * len(idx)) and (mine is None or key in mine))
        if hit < need or _cap(text).lower() in taken or key[-1] in GROUP_STOP or (len(key) == 1 and key[0] in ALONE_STOP):
            continue
        score = hit / len(children) + float(use[members].mean())
        if score > best_score:
            best, best_score = _cap(text), score
    if best:
        return best
    if child_titles and list_max is None:
        return _unique(holding_title(child_titles), taken)
    listed = holding_title(child_titles) if child_titles and len(child_titles) <= list_max else ""
    if listed and not too_long(listed) and not listed.endswith(" themes"):
        return _unique(listed, taken)
    if list_max is not None:
        return None
    return next((name for name in GROUP_OTHERS if name.lower() not in taken), None) or _unique(GROUP_OTHER, taken)


def holding_title(child_titles: list[str], max_words: int = 8) -> str:
    """A group title that lists what it holds, largest first: "Towpath, Youth club and 6 more",
    "Local school kids / Health"; never an "X and Y" that reads as one subject. A catch-all child
    ("Mixed: ...") is counted, not named: it has no subject to lend the group."""
    from kilvoice.records import is_catch_all

    if len(child_titles) == 1:
        return child_titles[0]
    named = [t for t in child_titles if not is_catch_all(t)]
    if named and len(named) < len(child_titles):
        child_titles = named + [t for t in child_titles if is_catch_all(t)]
        if len(child_titles) == 2:
            return f"{named[0]} and 1 more"
    if len(child_titles) == 2:
        title = f"{child_titles[0]} / {child_titles[1]}"
        return title if len(title.split()) <= max_words else f"{child_titles[0]} and 1 more"
    for shown in (2, 1):
        title = ", ".join(child_titles[:shown]) + f" and {len(child_titles) - shown} more"
        if len(title.split()) <= max_words:
            return title
    return f"{len(child_titles)} themes"


# heads that say nothing of what a group holds
GROUP_STOP = frozenset({"lot", "thing", "people", "time", "way", "area", "place", "bit", "kind", "day", "year"})


def mentions(scored: list[ScoredPhrase], title_key: tuple[str, ...] | None, k: int = 3) -> list[tuple[str, int]]:
    """Up to ``k`` (phrase, statements using it) besides the title's, each adding a new word, most used first."""
    seen = set(title_key or ())
    out = []
    for sp in sorted(scored, key=lambda s: (-s.count, s.phrase.text)):
        if set(sp.phrase.key) <= seen or sp.phrase.joined:
            continue
        out.append((sp.phrase.text, sp.count))
        seen |= set(sp.phrase.key)
        if len(out) == k:
            break
    return out


def describe(size: int, n_conversations: int, stance: dict[str, int] | None, about: str,
             said: Sequence[tuple[str, int]] = (), approx: bool = False) -> str:
    """One or two sentences with counts: "31 statements from 12 conversations about evening buses:
    18 problems, 9 aspirations and 4 strengths. Most mention bus fares (14) or the bus pass (6)."
    Built from counts and the theme's own phrases; never quotes a statement."""
    noun = "statement" if size == 1 else "statements"
    convs = f" from {n_conversations} conversation{'s' if n_conversations != 1 else ''}" if n_conversations else ""
    counts = sorted(((v, k) for k, v in stated(stance).items()), key=lambda x: (-x[0], x[1]))
    parts = [f"{v} {STANCE_WORDS.get(k, k) if v != 1 else k}" for v, k in counts]
    first = f"{size} {noun}{convs} about {_acronyms(about.lower()) if about else 'this theme'}"
    unstated = (stance or {}).get(UNSTATED, 0)
    if parts:
        first += ": " + _join(parts) + (f"; {unstated_clause(unstated, size)}" if unstated else "")
    elif unstated:
        first += f": {unstated_clause(unstated, size)}"
    first += "."
    if not said:
        return first
    return first + " Also mentioned: " + mention_list(said, approx) + "."


def mention_list(said: Sequence[tuple[str, int]], approx: bool = False) -> str:
    """"bins (8), lanes (8) and lights (8)": phrases with the statements using them (``approx``: scaled
    from a sample, written "about N")."""
    return _join([f"{_acronyms(text)} ({'about ' if approx else ''}{n})" for text, n in said])


def rank_phrases(texts: Sequence[str], members: list[np.ndarray], keywords: list[list[str]],
                 embeddings: np.ndarray, embed: Callable[[list[str]], np.ndarray] | None = None,
                 exclude: frozenset[str] = frozenset(), parse: bool = True, scorer=None, spans=None,
                 candidates=None, screen=None):
    """(each theme's scored candidate phrases, best first; the postings of ``texts``).
    ``scorer`` (default ``score_phrases``), ``spans`` (default ``_spans``) and ``candidates(docs,
    exclude, texts)`` (default ``candidate_phrases``; ``texts``: the theme's statements) and
    ``screen(found, texts)`` (the candidates and keyphrases a theme keeps; default all): a labeller
    version's own.

    ``members``: each theme's statement indices, most typical first; ``keywords``: each theme's
    keyphrases; ``embeddings``: the statements' vectors (for the theme centroids)."""
    postings = Postings(texts)
    nlp = load_parser() if parse else None
    docs: list[list] = [[] for _ in members]
    if nlp is not None:
        sample = [(pos, " ".join(PLACEHOLDER.sub(" ", texts[i]).split()[:PARSE_WORDS]))
                  for pos, idx in enumerate(members) for i in idx[:PARSE_SAMPLE]]
        for (pos, _), doc in zip(sample, nlp.pipe([t for _, t in sample], batch_size=64)):
            docs[pos].append(doc)
    nouns = noun_share(d for theme in docs for d in theme) if nlp is not None else None
    # the small tagger calls "quicker" a noun in "answer the phone quicker": a word it ever tags as a
    # comparative or superlative heads no title
    graded = {t.lower_ for theme in docs for d in theme for t in d if t.tag_ in ("JJR", "RBR", "JJS", "RBS")}
    if nouns is not None:
        nouns = {w: (0.0 if w in graded else v) for w, v in nouns.items()}
    cands = []
    for pos in range(len(members)):
        found = (candidates(docs[pos], exclude, [texts[i] for i in members[pos]]) if candidates else candidate_phrases(docs[pos], exclude, spans))
        found = {k: ph for k, ph in found.items() if ph.head not in graded}
        for key, ph in keyphrases([k for k in keywords[pos][:10] if not set(k.split()) & exclude], nouns).items():
            found.setdefault(key, ph)
        cands.append(screen(found, [texts[i] for i in members[pos]]) if screen else found)
    surface = {key: ph.text for found in cands for key, ph in found.items()}
    vectors = phrase_vectors(sorted(surface), surface, postings, embeddings, embed)
    ranked = []
    for idx, found in zip(members, cands):  # rows normalised per theme: no second copy of all embeddings
        centroid = (_normalize(_normalize(embeddings[idx]).mean(axis=0)) if len(idx)
                    else np.zeros(embeddings.shape[1], np.float32))
        ranked.append((scorer or score_phrases)(found, idx, postings, centroid, vectors))
    return ranked, postings

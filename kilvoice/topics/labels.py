"""Readable theme labels without an LLM: keywords, a short title, a one-sentence description.

Keywords come from BERTopic's c-TF-IDF over a vectorizer that drops stopwords, filler
words and redaction placeholders ("[PERSON_1]"). Titles are built from the keywords
that are noun phrases (spaCy's tagger on the theme's most typical statements; never a
generic noun such as "work" or "kids" alone): the strongest phrase paired with the next
one that adds a new word ("Market hall and leisure centre"). Titles are unique across
themes. Where keywords cannot name a theme, the stage says so instead: a theme most of whose
statements give one short answer word for word is titled with that answer ('"Nothing"',
``common_answer``), and one whose statements share none of its main keywords is called
"Mixed: ..." (``keyword_coverage``). Descriptions describe (phrases + the dominant stance) and never quote residents:
whether a statement may be quoted is decided in the report.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from kilvoice.tagger import load_tagger
from kilvoice.topics.stance import UNSTATED, stated

PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*(?:_\d+)?\]")
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z'’-]*[a-zA-Z]\b"

# Words that carry no theme in conversation notes or feedback, on top of English stopwords.
FILLER = {
    "really", "lot", "lots", "think", "thing", "things", "like", "just", "get", "got", "getting",
    "make", "makes", "making", "would", "could", "also", "much", "many", "people", "good", "great",
    "better", "need", "needs", "want", "wants", "bit", "well", "way", "one", "quite", "always",
    "im", "i'm", "it's", "don't", "dont", "can't", "cant", "didn't", "doesn't", "isn't", "won't",
    "there's", "that's", "they're", "we're", "you're", "i've", "we've", "i'd", "we'd", "said",
    "say", "says", "know", "going", "go", "goes", "use", "used", "able", "maybe", "actually",
    "still", "even", "lovely", "nice", "love", "loved", "area", "place", "every", "sure", "yes",
    "okay", "ok", "thank", "thanks", "etc", "bring", "kind", "sort", "especially", "mean",
    "feel", "felt", "something", "anything", "everything", "nothing", "someone", "everyone",
    "far", "new", "little", "big", "best", "years", "year", "time", "day", "days", "come",
    "comes", "look", "looking", "see", "want", "wanted", "person", "phone", "email", "postcode",
    "address", "date", "number", "redacted",
    # note-taking shorthand and reported speech in conversation notes
    "asked", "ask", "asking", "spoke", "told", "tell", "talked", "talk", "mentioned", "reckons",
    "thinks", "thought", "wants", "yr", "yrs", "wk", "wks", "eg", "e.g", "pt", "lad", "lads",
    "woman", "man", "mum", "dad", "son", "daughter", "husband", "wife", "gone", "happy",
    "hes", "shes", "isnt", "doesnt", "didnt", "wasnt", "arent", "cos", "loads", "stuff",
    "generation", "next", "better", "strong", "resident", "residents", "conversation",
    "he's", "she's", "let", "means", "getting", "bit", "proper", "really", "used",
    "knows", "alright", "sat", "came", "ones", "walked", "reckon", "agreed",
    "named", "note", "notes", "write-up", "qs",
}
# Never keywords or title words, but left in the word features themes are clustered on:
# dropping them there too moved petitions AMI from 0.270 to 0.265 (seeds 42-44); "yeah" and
# "yep" (said in three or more sample statements) are kept out of keywords without moving themes.
KEYWORD_ONLY = frozenset({"somebody", "everybody", "anybody", "ago", "yeah", "yep"})
STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | FILLER | KEYWORD_ONLY


def clean_text(text: str) -> str:
    """Lowercase text with redaction placeholders removed."""
    return PLACEHOLDER.sub(" ", text or "").lower()


def has_words(text: str) -> bool:
    """True when ``text`` has at least one token after cleaning."""
    return re.search(TOKEN_PATTERN, clean_text(text)) is not None


def proper_nouns(texts: Sequence[str], share: float = 0.8, min_count: int = 2) -> set[str]:
    """Lowercased words written Capitalised (not sentence-initially) in >= ``share`` of their uses.

    Place and person names ("Holmefield", "Ashby Moor") make poor theme keywords;
    acronyms in capitals (GP, NHS) and ordinary words are kept. (Counted a sentence at a time with
    ``findall`` and ``Counter``: the same counts as a loop over each match, ~3x faster at 10k.)
    """
    total: Counter = Counter()
    caps: Counter = Counter()
    initial: list[str] = []  # sentence-initial capitals say nothing: not counted as uses
    split, tokens, placeholder = _SENTENCE_BREAK.split, _TOKEN.findall, PLACEHOLDER.sub
    for text in texts:
        for sentence in split(placeholder(" ", text or "")):
            words = tokens(sentence)
            if not words:
                continue
            total.update(map(str.lower, words))
            if words[0][0].isupper():
                initial.append(words[0].lower())
            caps.update(w.lower() for w in words[1:] if w[0].isupper() and not w.isupper())
    total.subtract(initial)
    return {w for w, c in caps.items() if c >= min_count and c >= share * max(total[w], 1)}


_SENTENCE_BREAK = re.compile(r"(?<=[.!?:;])\s+|\n+")
_TOKEN = re.compile(TOKEN_PATTERN)


# where a phrase ends: punctuation (not the apostrophe inside "don't"), a spaced dash, a line break
_PHRASE_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”…/|+&*]|\s[-–—]+\s|\n")


class PhraseAnalyzer:
    """Words and two-word phrases of a text, lower case. A phrase is two words written next to
    each other: it never spans punctuation, a redaction placeholder or a stopword, so "the
    youth club, the church" gives "youth club" but not "club church" (scikit-learn's n-grams
    are formed after stopwords are dropped and across commas)."""

    MEMO_MAX_CHARS = 2000  # longer texts (BERTopic's one joined document per theme) are not kept
    MEMO_MAX_ITEMS = 30000  # ~1.5 fitted samples of statements (kilvoice.topics.sampled)

    def __init__(self, stop_words: Iterable[str] = (), vocabulary: Iterable[str] | None = None,
                 memo: dict | None = None):
        self.stop_words = frozenset(stop_words)
        self.vocabulary = None if vocabulary is None else frozenset(vocabulary)
        # text -> its tokens before the vocabulary: one theme fit reads each statement five to six
        # times (the vocabulary, BERTopic's keywords and their re-ranking, the rescue's tests);
        # shared by the analyzers of one run with the same stop words (``make_vectorizer``)
        self.memo = memo

    def __deepcopy__(self, _memo) -> "PhraseAnalyzer":
        return self  # settings never change after construction: a cloned vectorizer shares its memo

    def __call__(self, text: str) -> list[str]:
        memo = self.memo
        tokens = None if memo is None else memo.get(text)
        if tokens is None:
            tokens = self._tokens(text)
            if memo is not None and len(text or "") <= self.MEMO_MAX_CHARS and len(memo) < self.MEMO_MAX_ITEMS:
                memo[text] = tokens
        if self.vocabulary is not None:
            return [t for t in tokens if t in self.vocabulary]
        return list(tokens)

    def _tokens(self, text: str) -> tuple[str, ...]:
        tokens: list[str] = []
        for chunk in _PHRASE_BREAK.split(PLACEHOLDER.sub(".", text or "").lower()):
            prev = None
            for word in re.findall(TOKEN_PATTERN, chunk):
                if word in self.stop_words:
                    prev = None
                    continue
                tokens.append(word)
                if prev is not None:
                    tokens.append(f"{prev} {word}")
                prev = word
        return tuple(tokens)


def make_vectorizer(texts: Sequence[str], exclude: Iterable[str] = (), stopwords: bool = True,
                    min_statements: int | None = None, memo: dict | None = None) -> CountVectorizer:
    """Word and two-word phrase counts (:class:`PhraseAnalyzer`) without stopwords,
    placeholders or the ``exclude`` words, keeping only words and phrases that at least
    ``min_statements`` of ``texts`` use (3 from 60 statements, else 1).

    ``stopwords=False`` keeps every word: the fallback when statements hold nothing else.
    The floor counts statements, not themes: BERTopic fits the vectorizer on one joined document
    per theme, where scikit-learn's ``min_df=2`` dropped exactly the phrases only one theme uses,
    its most specific ("waiting list" -> the title "List and waiting"). Counted over statements,
    a phrase is kept when three statements say it, whichever themes they are in; two let in
    one-off pairs ("green folk", "fiver"). NPMI rose on NHS, petitions and Bowling Green and 12
    of 25 sample titles changed, most to a phrase of the theme's own (docs/PERFORMANCE.md, session 7).

    ``memo``: a dict kept for one run; analyzers made with it remember each statement's tokens
    (per set of stop words), so the fits of one run read a statement once.
    """
    stop = frozenset(STOPWORDS | set(exclude) if stopwords else ())
    shared = None if memo is None else memo.setdefault(stop, {})
    analyzer = PhraseAnalyzer(stop, memo=shared)
    if min_statements is None:
        min_statements = 3 if len(texts) >= 60 and stopwords else 1
    if min_statements > 1:
        used = Counter(token for text in texts for token in set(analyzer(text)))
        analyzer = PhraseAnalyzer(stop, {t for t, n in used.items() if n >= min_statements}, memo=shared)
    return CountVectorizer(analyzer=analyzer, min_df=1)


def pick_keywords(words: Sequence[tuple[str, float]], k: int = 8) -> list[str]:
    """Top ``k`` keywords, skipping stopword-only phrases and phrases already covered."""
    out: list[str] = []
    for word, _ in words:
        tokens = word.split()
        if not tokens or all(t in STOPWORDS for t in tokens) or word in out or len(set(tokens)) < len(tokens):
            continue
        out.append(word)
        if len(out) == k:
            break
    return out


def content_words(text: str) -> list[str]:
    """The words of ``text`` the keyword vectorizer keeps: lower case, no placeholders, no stopwords."""
    return [w for w in re.findall(TOKEN_PATTERN, clean_text(text)) if w not in STOPWORDS]


def distinctive_words(texts: Sequence[str], background: Sequence[str], k: int = 8) -> list[str]:
    """Up to ``k`` words that ``texts`` use often and ``background`` (all statements) rarely:
    in-group document frequency x log inverse document frequency over the background. For a
    theme made by hand (an officer's split), where no c-TF-IDF model exists."""
    df = Counter(w for t in background for w in set(content_words(t)))
    n = max(len(background), 1)
    inside = Counter(w for t in texts for w in set(content_words(t)))
    scored = sorted(((c * math.log(n / df.get(w, 1)), w) for w, c in inside.items() if c >= min(2, len(texts))),
                    key=lambda x: (-x[0], x[1]))
    return [w for score, w in scored if score > 0][:k]


def _head(keywords: list[str]) -> str:
    """The leading phrase: the first two-word keyword among the top six that contains one of
    the top three words ("youth club" over "club"), else the top keyword."""
    top = set(" ".join(keywords[:3]).split())
    for word in keywords[:6]:
        parts = word.split()
        if len(parts) > 1 and len(set(parts)) == len(parts) and top & set(parts):
            return word
    return keywords[0]


def _stem(word: str) -> str:
    """Crude singular form so "bus" / "buses" and "park" / "parks" count as one word in titles."""
    for suffix in ("es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def title_candidates(keywords: list[str]) -> Iterable[str]:
    """Titles in order of preference, built from a theme's keywords."""
    if not keywords:
        return
    head = _head(keywords)
    used = {_stem(t) for t in head.split()}
    rest = [w for w in keywords if w != head and not ({_stem(t) for t in w.split()} & used)]
    for second in rest[:4]:
        yield f"{head} and {second}"
    if len(rest) >= 2:
        yield f"{head}, {rest[0]} and {rest[1]}"
    yield head


ACRONYMS = {"gp": "GP", "gps": "GPs", "nhs": "NHS", "uk": "UK", "esol": "ESOL", "a&e": "A&E",
            "sen": "SEN", "send": "SEND", "mp": "MP", "tv": "TV", "wifi": "WiFi", "eu": "EU", "fe": "FE",
            "cctv": "CCTV", "camhs": "CAMHS", "gcse": "GCSE", "gcses": "GCSEs", "ehcp": "EHCP", "asb": "ASB",
            "pcso": "PCSO", "pcsos": "PCSOs", "dwp": "DWP", "hgv": "HGV", "hgvs": "HGVs", "lgbt": "LGBT",
            "sats": "SATs", "ofsted": "Ofsted", "hmrc": "HMRC", "dvla": "DVLA", "bbc": "BBC"}


def _acronyms(text: str) -> str:
    return " ".join(ACRONYMS.get(w, w) for w in text.split(" "))


def _cap(title: str) -> str:
    title = _acronyms(title)
    return title[:1].upper() + title[1:]


def make_titles(keyword_lists: list[list[str]], reserved: Iterable[str] = ()) -> list[str]:
    """One unique title per keyword list (themes in order; earlier themes choose first)."""
    taken = {t.lower() for t in reserved}
    signatures: set[frozenset] = set()
    titles = []
    for i, keywords in enumerate(keyword_lists):
        chosen = None
        for cand in title_candidates(keywords):
            sig = frozenset(re.split(r"[ ,]+(?:and )?", cand))
            if cand.lower() not in taken and sig not in signatures:
                chosen, signatures = cand, signatures | {sig}
                break
        if chosen is None:
            base = keywords[0] if keywords else "Mixed statements"
            chosen = f"{base} ({i + 1})"
        taken.add(chosen.lower())
        titles.append(_cap(chosen))
    return titles


# Nouns too broad to name a theme on their own ("Work", "Kids and week"); fine inside a
# phrase ("youth work", "school kids").
GENERIC = frozenset({
    "work", "kids", "kid", "children", "child", "week", "weeks", "month", "months", "men",
    "women", "hall", "centre", "group", "groups", "club", "town", "help", "support", "home",
    "life", "lives", "money", "world", "friends", "family", "families", "ones", "side", "end",
    "lot", "part", "case", "problem", "problems", "issue", "issues", "idea", "point", "fact",
    "council", "government", "service", "services", "room", "house", "street", "road",
    "morning", "night", "evening", "weekend", "today", "hour", "hours", "minutes",
    "job", "school", "care", "community", "uk", "stop", "fun", "free", "old", "young", "older",
})
# Penn tags of nouns, proper nouns and numbers: read straight from the tagger, so the attribute
# ruler that maps them to NOUN/PROPN/NUM need not run (0.8 s of a 10 s run on 1,264 petitions)
NOUN_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "CD"})


def noun_shares(texts: Sequence[str]) -> dict[str, float]:
    """Share of each lowercased word's uses in ``texts`` tagged noun / proper noun / number.

    Empty when no tagger is installed (titles then skip the part-of-speech filter). Callers
    pass a bounded sample of typical statements, to stay fast.
    """
    nlp = load_tagger()
    if nlp is None or not texts:
        return {}
    noun: dict[str, int] = {}
    total: dict[str, int] = {}
    for doc in nlp.pipe([clean_text(t) for t in texts], batch_size=256):
        for tok in doc:
            w = tok.text
            total[w] = total.get(w, 0) + 1
            if tok.tag_ in NOUN_TAGS:
                noun[w] = noun.get(w, 0) + 1
    return {w: noun.get(w, 0) / n for w, n in total.items()}


def _nounish(word: str, nouns: dict[str, float]) -> bool:
    """Used as a noun in >= 60% of its tagged uses; unseen words judged by their ending."""
    if word in nouns:
        return nouns[word] >= 0.6
    return not re.search(r"(?:ed|ing|ly|ful|ous|ive|able)$", word)


def title_phrases(keywords: Sequence[str], nouns: dict[str, float], k: int = 10,
                  scores: dict[str, float] | None = None) -> list[str]:
    """Keywords fit to name a theme: phrases ending in a word mostly used as a noun
    (>= 60% of uses in ``nouns``, the tagged sample; unchecked when empty), never a generic noun alone
    ("work", "kids"). A single word gives way to a two-word keyword that contains it and
    scores at least half as high ("pass" -> "bus pass"). Falls back to ``keywords``."""
    scores = scores or {}
    out: list[str] = []
    for kw in keywords:
        tokens = kw.split()
        if not tokens or all(t in STOPWORDS for t in tokens):
            continue
        if len(tokens) == 1:
            longer = [b for b in keywords if len(b.split()) == 2 and kw in b.split()
                      and scores.get(b, 0.0) >= 0.5 * scores.get(kw, np.inf)
                      and (not nouns or _nounish(b.split()[-1], nouns))]
            if longer:
                kw, tokens = longer[0], longer[0].split()
            elif tokens[0] in GENERIC:
                continue
        if nouns and not _nounish(tokens[-1], nouns):
            continue
        if kw not in out:
            out.append(kw)
        if len(out) == k:
            break
    return out or list(keywords[:k])


def description_phrases(title: str, phrases: Sequence[str], k: int = 4) -> list[str]:
    """Up to ``k`` phrases for a description: the title's own phrases first, then others that
    add a new word ("bus pass" after "cheaper buses", not "buses")."""
    parts = [p.strip().lower() for p in re.split(r",| and ", title) if p.strip()]
    seen = {_stem(w) for p in parts for w in p.split()}
    out = list(parts)
    for ph in phrases:
        stems = {_stem(w) for w in ph.split()}
        if ph not in out and not stems <= seen:
            out.append(ph)
            seen |= stems
        if len(out) >= k:
            break
    return out[:k]


ANSWER_WORDS = 6  # a recurring answer names a theme only when it is this short


def _answer_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower()))


def common_answer(texts: Sequence[str], groups: Sequence[str] | None = None,
                  min_groups: int = 3) -> tuple[str, int]:
    """The short answer most of ``texts`` give word for word ("Nothing.", "Everything was
    good"), case and punctuation aside, and how many give it; ``("", 0)`` when no answer of at
    most ANSWER_WORDS words comes from at least ``min_groups`` different ``groups``
    (conversations), or when it holds a redaction placeholder.

    Feedback forms and conversation notes repeat answers whose every word is a stopword
    ("Nothing", "No comment"): keywords cannot name such a theme, the answer itself can. A
    phrase of a few words given word for word in several conversations identifies no one."""
    groups = list(groups) if groups is not None else [str(i) for i in range(len(texts))]
    seen: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        if PLACEHOLDER.search(text):
            continue
        key = _answer_key(text)
        if key and len(key.split()) <= ANSWER_WORDS and re.search(r"[a-z]", key):
            seen.setdefault(key, []).append(i)
    best = max(seen.items(), key=lambda kv: (len({groups[i] for i in kv[1]}), len(kv[1]), kv[0]), default=None)
    if best is None or len({groups[i] for i in best[1]}) < min_groups:
        return "", 0
    shown = Counter(" ".join(texts[i].split()).strip(" .!,;:-\"'“”‘’") for i in best[1]).most_common(1)[0][0]
    return _cap(shown), len(best[1])


def phrase_list(phrases: Sequence[str]) -> str:
    """ "a, b and c", acronyms in capitals ("GP, bus pass and NHS")."""
    return _join([_acronyms(p) for p in phrases])


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@lru_cache(maxsize=1 << 16)  # called for every word of every statement read; words repeat
def _singular(word: str) -> str:
    """English singular, roughly: "buses" -> "bus", "fares" -> "fare", "libraries" -> "library"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses", "zes", "ses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def title_coverage(title: str, texts: Sequence[str]) -> int:
    """How many of ``texts`` use at least one phrase of ``title`` ("Bus pass and fares": "bus
    pass" or "fares"), case-insensitive, singular or plural. Stopwords are skipped on both sides,
    as the keyword vectorizer skips them ("buses into town" uses "buses town")."""
    def words_of(text: str) -> list[str]:
        return [_singular(w) for w in content_words(text)]

    parts = [words_of(p) for p in re.split(r",| and ", title)]
    parts = [p for p in parts if p]
    found = 0
    for text in texts:
        words = words_of(text)
        if any(words[i:i + len(p)] == p for p in parts for i in range(len(words) - len(p) + 1)):
            found += 1
    return found


def keyword_coverage(keywords: Sequence[str], texts: Sequence[str]) -> float:
    """Share of ``texts`` that use at least one of ``keywords`` (a two-word keyword counts when
    both its words appear), singular or plural."""
    return coverage_of_words(keywords, [singular_words(text) for text in texts])


def singular_words(text: str) -> frozenset[str]:
    """The content words of ``text``, singular: what :func:`keyword_coverage` matches keywords in."""
    return frozenset(_singular(w) for w in content_words(text))


def coverage_of_words(keywords: Sequence[str], words: Sequence[frozenset[str]]) -> float:
    """:func:`keyword_coverage` over texts already reduced by :func:`singular_words`."""
    if not words:
        return 0.0
    wanted = [{_singular(w) for w in k.split()} for k in keywords if k.split()]
    return sum(1 for ws in words if any(k <= ws for k in wanted)) / len(words)


STANCE_WORDS = {"strength": "strengths", "problem": "problems", "aspiration": "aspirations"}


def make_description(keywords: list[str], stance: dict[str, int] | None, size: int,
                     lead: str | None = None) -> str:
    """One sentence describing the theme from its own keywords and stance counts (``lead``, when
    given, replaces the "N statements about ..." opening).

    Never quotes a statement: whether a resident may be quoted is decided in the report.
    """
    noun = "statement" if size == 1 else "statements"
    sentence = lead or f"{size} {noun} about {phrase_list(keywords[:4]) or 'this theme'}"
    counts = stated(stance)
    unstated = (stance or {}).get(UNSTATED, 0)
    if counts and size:
        top = max(counts, key=lambda s: (counts[s], s))
        share = counts[top] / (size - unstated if 0 < unstated < size else size)  # of those saying one
        lead = "mostly" if share >= 0.5 else "most often"
        said = sum(counts.values())
        of = f"of the {said} that say a stance, " if unstated else ""
        sentence += f"; {of}{lead} {STANCE_WORDS.get(top, top)}"
    if unstated and size:
        sentence += f"; {unstated_clause(unstated, size)}"
    return sentence + "."


def unstated_clause(unstated: int, size: int) -> str:
    """How many of a theme's ``size`` statements say no clear stance (kilvoice.topics.stance's
    UNSTATED), in words: "50 say no clear stance", "none says a clear stance" when all of them."""
    if unstated >= size:
        return "none says a clear stance" if size > 1 else "it says no clear stance"
    return f"{unstated} {'says' if unstated == 1 else 'say'} no clear stance"


class CoverageKeywords:
    """BERTopic representation: re-rank c-TF-IDF words by how many of the theme's statements use them.

    c-TF-IDF alone favours words that are rare in the corpus even if only one statement of
    the theme uses them ("lady", "bed"); titles then read like noise. Score =
    c-TF-IDF x (share of the theme's statements containing the word) ** ``power``; words
    used by fewer than ``min_docs`` statements (in themes of 10 or more) drop out.
    A two-word phrase that most statements using one of its words use it in (at least
    ``absorb`` of them: "waiting list" for "list") ranks just above that word, so the title
    reads "Waiting list", not "List and waiting".
    Passed to BERTopic inside a list, so BERTopic calls ``extract_topics``.
    """

    def __init__(self, analyzer, top_n: int = 25, power: float = 0.5, min_docs: int = 2, absorb: float = 0.6):
        self.analyzer = analyzer
        self.top_n = top_n
        self.power = power
        self.min_docs = min_docs
        self.absorb = absorb

    def extract_topics(self, topic_model, documents, c_tf_idf, topics):
        return {topic: self.rank(words, [set(self.analyzer(d)) for d in documents.Document[documents.Topic == topic]])
                for topic, words in topics.items()}

    def rank(self, words: list[tuple[str, float]], sets: Sequence[set | frozenset]) -> list[tuple[str, float]]:
        """One theme's c-TF-IDF ``words`` re-ranked over ``sets``, its statements' analyzed words."""
        size = max(len(sets), 1)
        scored = []
        for word, score in words:
            if not word:
                continue
            df = sum(1 for s in sets if word in s)
            if size >= 10 and df < self.min_docs:
                continue
            scored.append((word, float(score) * (df / size) ** self.power, df))
        scored = self._absorb(scored)
        scored.sort(key=lambda ws: (-ws[1], ws[0]))
        return scored[: self.top_n] or words[: self.top_n]

    def _absorb(self, scored: list[tuple[str, float, int]]) -> list[tuple[str, float]]:
        """(word, score) with each phrase raised to just above the word it mostly carries."""
        by_word = {w: (score, df) for w, score, df in scored}
        out = []
        for word, score, df in scored:
            parts = word.split()
            if len(parts) == 2:
                carried = [by_word[p][0] for p in parts if p in by_word and df >= self.absorb * by_word[p][1]]
                if carried and max(carried) > score:
                    score = max(carried) * 1.0001
            out.append((word, score))
        return out

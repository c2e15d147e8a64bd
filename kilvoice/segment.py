"""Split redacted utterances into statements: one point a resident made.

Lines and bullets are split first (notes are often lists; Markdown headings, quote and emphasis
marks are layout and are dropped), then sentences with spaCy's
rule-based sentencizer (fast: no model). Fragments too short to stand alone are joined to
their neighbour; statements with no words left after redaction are rejected with a reason.

``kilvoice.segment.sentences.v2`` also leaves out a note's opening lines that say where and
with whom the conversation was held ("Ryecroft Park fun day.", "Dad of twins (8).", "Lady 80+,
very sharp."): in a note with question headings, the run of verbless sentences before the
first question. They are the conversationalist's context, not a resident's view, and were
themed as if residents had said them. The run ends at the first sentence with a verb ("Says
the park is lovely"), so what a resident said in the opening lines stays.

``kilvoice.segment.sentences.v3`` also leaves out statements that carry no view
(:mod:`kilvoice.substantive`): backchannel, greetings and thanks, procedure and chairing,
fragments, and everything the facilitator or chair said (K655-K659, each counted under
"What could not be used"); in transcripts, what a resident said in one turn is kept as
points of about 60 words rather than single spoken sentences (on the Senedd committee
transcripts, single sentences put 37% of statements in catch-all themes and "other"; points
of 40 words 16%, of 60 words 15%: docs/PERFORMANCE.md).

``kilvoice.segment.sentences.v6`` also reads which Big Conversation question a transcript's
answers respond to as a conversation runs: the facilitator's question holds until they put
another one, so a question that names neither Big Conversation question and raises a subject of
its own (four or more content words: "How will the new funding formula affect rural schools?")
ends it, while a follow-up ("Why's that?", "Can you tell me more about that?", "Anything else?")
does not. Ingest tags every answer after a chair once said "future" or "improve" with "what
would make it better" for the rest of the meeting: 128 of 200 labelled Senedd statements, whose
stance was then read in that framing (docs/PERFORMANCE.md, "session33").
"""
from __future__ import annotations

import re
from functools import lru_cache

from kilvoice.errors import Errors
from kilvoice.records import Reject, Statement, Utterance
from kilvoice.registry import register
from kilvoice.substantive import reason as substantive_reason
from kilvoice.tagger import load_tagger

_ASKED = re.compile(r"[^.?!]*\?")
_ASK_WORD = re.compile(r"[a-z']+")
# words of a follow-up that keep the question it follows ("Can you tell me more about that?")
_FOLLOW_UP = frozenset({"does", "did", "doing", "tell", "say", "mean", "example", "else", "anything", "thing",
                        "things", "think", "explain", "bit", "more", "sort", "kind", "why", "like", "really"})
NEW_SUBJECT_WORDS = 4


def new_subject(text: str) -> bool:
    """True when a facilitator's turn puts a question of its own: a sentence ending "?" with
    NEW_SUBJECT_WORDS or more content words (not a follow-up such as "Can you say more?")."""
    from kilvoice.stopwords import ENGLISH_STOP_WORDS

    for asked in _ASKED.findall(text.lower().replace("\u2019", "'")):
        words = [w for w in _ASK_WORD.findall(asked)
                 if len(w) > 2 and w not in ENGLISH_STOP_WORDS and w not in _FOLLOW_UP]
        if len(words) >= NEW_SUBJECT_WORDS:
            return True
    return False


def asked(utterances: list[Utterance]) -> dict[int, str | None]:
    """The question each utterance of a transcript answers, where it differs from ingest's: none
    after the facilitator puts a question of their own (:func:`new_subject`) that names neither
    Big Conversation question, until they name one again."""
    from kilvoice.ingest.formats import last_question

    out: dict[int, str | None] = {}
    ended = False
    for u in utterances:
        if u.role == "conversationalist":
            if last_question(u.text):
                ended = False
            elif new_subject(u.text):
                ended = True
        elif ended and u.question:
            out[u.index] = None
    return out


_BULLET = re.compile(r"^\s*(?:[-*•·‣–]|\d+[.)]|[a-z][.)])\s+")
_HEADING = re.compile(r"^\s*(?:#+\s*)?[A-Z][\w’' /?-]{0,60}[:?]\s*$")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Markdown in typed notes: "> quoted" lines, "**bold**" / "__bold__" / "*italic*" emphasis
_QUOTE_MARK = re.compile(r"^\s*(?:>\s*)+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# a short line that is all bold and not a sentence ("**Good**", "__What would help__") heads a list
_BOLD_HEADING = re.compile(r"^\s*(\*\*|__)[^*_.!]{1,60}\1\s*:?\s*$")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_PLACEHOLDER = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")


@lru_cache(maxsize=1)
def _sentencizer():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


# what spaCy's sentencizer reads of a token: a word, punctuation, or one of its sentence-final marks
_WORDTOK, _PUNCT, _FINAL = 0, 1, 2
_CHUNK = re.compile(r"\S+")
# chunk -> ((offset, kind) of its tokens, what a next chunk may start with to bridge to it)
_CHUNKS: dict[str, tuple[tuple[tuple[int, int], ...], tuple[str, ...]]] = {}
_CHUNKS_MAX = 200_000
# a word ending a sentence ("park.", "Why?"): spaCy splits the mark off as a suffix (a lower-case
# letter before it) unless the chunk or the word is one of its special cases ("etc.", "Mr.",
# "id" -> "i" "d", and then "d." is one)
_WORD_FINAL = re.compile(r"[A-Za-z]*[a-z][.?!]")


@lru_cache(maxsize=1)
def _tokenizer():
    """(spaCy's English tokenizer, the sentencizer's final marks, the tokenizer's special cases)."""
    nlp = _sentencizer()
    return nlp.tokenizer, frozenset(nlp.get_pipe("sentencizer").punct_chars), frozenset(nlp.tokenizer.rules)


@lru_cache(maxsize=1)
def _bridges() -> tuple[dict[str, tuple[str, ...]], tuple[int, ...], bool]:
    """Where a special case could match across a space. spaCy matches its special cases that
    contain affixes (":)", "a.m.") over the token sequence, spaces or not; a match across a space
    changes nothing itself but can hide one inside a chunk (": x.Y" is ":" "x" "." "Y", while
    "x.Y" alone is "x." "Y"). Returns (token -> tokens that follow it in such a special case,
    the lengths of the first tokens, whether any pair has a letter or digit on both sides)."""
    from spacy.tokenizer import Tokenizer

    tok = _sentencizer().tokenizer
    bare = Tokenizer(tok.vocab, rules={}, prefix_search=tok.prefix_search, suffix_search=tok.suffix_search,
                     infix_finditer=tok.infix_finditer, token_match=tok.token_match, url_match=tok.url_match)
    follows: dict[str, set[str]] = {}
    for special in tok.rules:
        parts = [t.text for t in bare(special)]
        for a, b in zip(parts, parts[1:]):
            follows.setdefault(a, set()).add(b)
    alnum = any(a[-1].isalnum() and b[0].isalnum() for a, bs in follows.items() for b in bs)
    return {a: tuple(bs) for a, bs in follows.items()}, tuple(sorted({len(a) for a in follows})), alnum


def _bridged_by(chunk: str) -> tuple[str, ...]:
    """What a next chunk may start with to hold, with the end of ``chunk``, two tokens of one
    special case (empty: nothing)."""
    follows, lengths, alnum = _bridges()
    out = {b for k in lengths for b in follows.get(chunk[-k:], ())}
    if not alnum and chunk[-1].isalnum():
        out = {b for b in out if not b[0].isalnum()}
    return tuple(out)


def _chunk_tokens(chunk: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]]:
    """((offset, kind) of the tokens spaCy's English tokenizer makes of one whitespace-free
    chunk, what a next chunk may start with to bridge to it: :func:`_bridges`).

    The tokenizer splits text at whitespace first and tokenizes each chunk on its own, so a
    chunk's tokens do not depend on its neighbours (except where a special case bridges a
    space, which ``split_sentences`` leaves to spaCy). The sentencizer asks of a token only
    whether it is punctuation or a final mark, so a chunk that starts with a letter or digit
    and holds no final mark ("don't", "park,") is one word whatever its split, and a word
    with a final mark after a lower-case letter ("park.") is a word and the mark, unless the
    chunk or the word is one of the tokenizer's special cases; only the
    rest is tokenized, once per distinct chunk."""
    known = _CHUNKS.get(chunk)
    if known is not None:
        return known
    tokenizer, finals, special = _tokenizer()
    if chunk[0].isalnum() and not any(map(finals.__contains__, chunk)):
        # its first token holds a letter or digit (a word) and no token is a final mark
        kinds = ((0, _WORDTOK),)
    elif _WORD_FINAL.fullmatch(chunk) and chunk not in special and chunk[:-1] not in special:
        kinds = ((0, _WORDTOK), (len(chunk) - 1, _FINAL))
    else:
        kinds = tuple((t.idx, _FINAL if t.text in finals else _PUNCT if t.is_punct else _WORDTOK)
                      for t in tokenizer(chunk))
    if len(_CHUNKS) >= _CHUNKS_MAX:
        _CHUNKS.clear()
    known = _CHUNKS[chunk] = (kinds, _bridged_by(chunk))
    return known


def split_sentences(text: str) -> list[str]:
    """The sentences spaCy's rule-based sentencizer finds in ``text`` (``spacy.blank("en")``
    with ``sentencizer``), each stripped, without making a Doc: a sentence starts at the
    first token that is not punctuation after one of its sentence-final marks (".", "!",
    "?" ...). Runs of whitespace other than one space are tokens that are not punctuation,
    as in spaCy. ``tests/test_segment_batch.py`` checks it equals spaCy on real text."""
    starts = [0]
    seen_final = False
    pos, bridges = 0, ()
    for m in _CHUNK.finditer(text):
        begin, chunk = m.start(), m.group()
        if bridges and chunk.startswith(bridges):  # rare: spaCy itself decides
            return [s for s in (sent.text.strip() for sent in _sentencizer()(text).sents) if s]
        kinds, bridges = _chunk_tokens(chunk)
        if seen_final and (begin - pos > 1 or (begin > pos and text[pos] != " ")):  # a whitespace token
            starts.append(pos + 1 if text[pos] == " " else pos)
            seen_final = False
        for offset, kind in kinds:
            if seen_final and kind == _WORDTOK:
                starts.append(begin + offset)
                seen_final = False
            elif kind == _FINAL:
                seen_final = True
        pos = m.end()
    if pos < len(text) and seen_final and (len(text) - pos > 1 or text[pos] != " "):
        starts.append(pos + 1 if text[pos] == " " else pos)
    starts.append(len(text))
    return [s for s in (text[a:b].strip() for a, b in zip(starts, starts[1:])) if s]


def plain(line: str) -> str:
    """``line`` without Markdown emphasis marks ("**Good:** the *library*" -> "Good: the
    library"): the marks are layout, not what the resident said."""
    return _EMPHASIS.sub(r"\1", _STRONG.sub(r"\2", line))


def _pieces(text: str) -> list[str]:
    out: list[str] = []
    for line in re.split(r"\n+", text):
        line = _BULLET.sub("", _QUOTE_MARK.sub("", line))
        if _BOLD_HEADING.match(line) and len(line.split()) <= 6:
            continue
        line = plain(line).strip()
        if not line or _HEADING.match(line):
            continue
        out.append(line)
    return out


# abbreviations that never end a sentence, which the sentencizer ends one at: "my hon. Friend",
# "amendment No. 4" (segment v4)
_NO_END = re.compile(r"\b(?:[Hh]on|HON)\.(?=\s+\S)|\bN[Oo]\.(?=\s*\d)")


def _mask(text: str, abbreviations: bool = False) -> tuple[str, list[str]]:
    """Hide redaction placeholders from the sentencizer, which splits "[PHONE_1]" apart (and,
    with ``abbreviations``, "hon." and "No." before a number, where it ends a sentence)."""
    held: list[str] = []

    def keep(m):
        held.append(m.group(0))
        return f"Kvph{len(held) - 1}x"

    text = _PLACEHOLDER.sub(keep, text)
    return (_NO_END.sub(keep, text) if abbreviations and "." in text else text), held


def _unmask(text: str, held: list[str]) -> str:
    return re.sub(r"Kvph(\d+)x", lambda m: held[int(m.group(1))], text)


def word_count(text: str) -> int:
    return len(_WORD.findall(_PLACEHOLDER.sub(" ", text)))


# Penn tags of a verb that makes a sentence a statement; a participle before a noun ("reading
# group", "befriending phone call") modifies it and does not count
_VERB_TAGS = frozenset({"VB", "VBD", "VBP", "VBZ", "MD"})
_PARTICIPLES = frozenset({"VBG", "VBN"})


def has_verb(doc) -> bool:
    """True when a tagged spaCy ``doc`` has a verb (not a participle modifying a noun)."""
    for i, tok in enumerate(doc):
        if tok.tag_ in _VERB_TAGS:
            return True
        if tok.tag_ in _PARTICIPLES and not (i + 1 < len(doc) and doc[i + 1].tag_.startswith("NN")):
            return True
    return False


class SentenceSegmenter:
    """Statements from sentences; short fragments merged into the previous statement.

    With ``opening_context``, a note's opening verbless lines before its first question
    heading are rejected (K650) instead of becoming statements (needs spaCy's small English
    tagger; without it nothing is left out)."""

    def __init__(self, min_words: int = 3, max_words: int = 80, roles: tuple[str, ...] = ("resident", "unknown"),
                 opening_context: bool = False, substantive: bool = False, point_words: int = 0,
                 rules: int = 1, language: int = 1, questions: int = 1):
        self.min_words = min_words
        self.questions = questions  # 2: a transcript's answers after a question of the facilitator's own answer none
        self.language = language  # which other-language check the segment step runs (kilvoice.pernote)
        self.rules = rules  # the substantive rule set (kilvoice.substantive.RULES); v4's 2 also keeps "hon." whole
        self.max_words = max_words
        self.roles = tuple(roles)
        self.opening_context = opening_context
        self.substantive = substantive
        self.point_words = point_words

    def run(self, conversation_id: str, utterances: list[Utterance]) -> tuple[list[Statement], list[Reject]]:
        statements: list[Statement] = []
        rejects: list[Reject] = []
        spoken = any(u.role == "conversationalist" for u in utterances)  # a transcript
        answers = asked(utterances) if spoken and self.questions >= 2 else {}
        for utt in utterances:
            if utt.role not in self.roles and not (self.substantive and utt.role == "conversationalist"):
                continue
            kept: list[Statement] = []
            sentences: list[str] = []
            for piece in _pieces(utt.text):
                masked, held = _mask(piece, self.rules >= 2)
                for sent in split_sentences(masked):
                    s = _unmask(sent, held)
                    if not s:
                        continue
                    if sentences and word_count(s) < self.min_words and word_count(sentences[-1]) < self.max_words:
                        sentences[-1] = f"{sentences[-1]} {s}"
                    else:
                        sentences.append(s)
            # a short first sentence joins the one after it
            if len(sentences) > 1 and word_count(sentences[0]) < self.min_words:
                sentences[1] = f"{sentences[0]} {sentences[1]}"
                sentences.pop(0)
            for i, s in enumerate(sentences):
                sid = f"{conversation_id}-u{utt.index}-s{i}"
                if word_count(s) == 0:
                    rejects.append(Reject("segment", sid, "empty", "no words left after redaction"))
                    continue
                code = substantive_reason(s, utt.role, self.rules) if self.substantive else None
                if code:
                    rejects.append(Reject("segment", sid, code, getattr(Errors, code)))
                    continue
                kept.append(Statement(id=sid, conversation_id=conversation_id, utterance_index=utt.index,
                                      index=i, text=s, question=answers.get(utt.index, utt.question)))
            statements += self._points(kept) if spoken and self.point_words else kept
        if self.opening_context:
            statements, context = self._opening_context(statements, utterances)
            rejects += context
        return statements, rejects

    def _points(self, sentences: list[Statement]) -> list[Statement]:
        """A speaker's turn as points: consecutive kept sentences joined until a point has
        ``point_words`` words; a short remainder joins the point before it. Spoken sentences
        lean on each other ("So, it wasn't a huge success, clearly."); alone they make
        themes of nothing in particular."""
        points: list[Statement] = []
        group: list[Statement] = []

        def emit(into_last: bool = False) -> None:
            text = " ".join(g.text for g in group)
            if into_last and points:
                points[-1].text = f"{points[-1].text} {text}"
            else:
                first = group[0]
                points.append(Statement(id=first.id, conversation_id=first.conversation_id,
                                        utterance_index=first.utterance_index, index=first.index, text=text,
                                        question=first.question))
            group.clear()

        for st in sentences:
            group.append(st)
            if sum(word_count(g.text) for g in group) >= self.point_words:
                emit()
        if group:
            emit(into_last=sum(word_count(g.text) for g in group) < self.point_words // 2)
        return points

    @staticmethod
    def _opening_context(statements: list[Statement], utterances: list[Utterance]):
        """(statements kept, rejects) with the note's opening verbless run left out."""
        first = next((u.index for u in utterances if u.question), None)
        nlp = load_tagger() if first is not None else None
        if nlp is None:
            return statements, []
        opening = [s for s in statements if s.utterance_index < first]
        n = 0
        for doc in nlp.pipe(s.text for s in opening):
            if has_verb(doc):
                break
            n += 1
        rejects = [Reject("segment", s.id, "K650", Errors.K650) for s in opening[:n]]
        return statements[n:], rejects


@register("kilvoice.segment.sentences.v1")
def make_segmenter(min_words: int = 3, max_words: int = 80, roles: list[str] | None = None) -> SentenceSegmenter:
    return SentenceSegmenter(min_words=min_words, max_words=max_words,
                             roles=tuple(roles) if roles else ("resident", "unknown"))


@register("kilvoice.segment.sentences.v2")
def make_segmenter_v2(min_words: int = 3, max_words: int = 80, roles: list[str] | None = None,
                      opening_context: bool = True) -> SentenceSegmenter:
    """v1, and a note's opening lines on where and with whom are left out (the default)."""
    return SentenceSegmenter(min_words=min_words, max_words=max_words,
                             roles=tuple(roles) if roles else ("resident", "unknown"),
                             opening_context=opening_context)


@register("kilvoice.segment.sentences.v3")
def make_segmenter_v3(min_words: int = 3, max_words: int = 80, roles: list[str] | None = None,
                      opening_context: bool = True, substantive: bool = True, point_words: int = 60) -> SentenceSegmenter:
    """v2, and only substantive statements: backchannel, greetings, procedure, fragments and
    the facilitator's lines are left out with a reason (K655-K659; :mod:`kilvoice.substantive`).
    In a transcript (a conversation with a facilitator's turns) the sentences a resident
    said in one turn are kept together as points of about ``point_words`` words."""
    return SentenceSegmenter(min_words=min_words, max_words=max_words,
                             roles=tuple(roles) if roles else ("resident", "unknown"),
                             opening_context=opening_context, substantive=substantive, point_words=point_words)


@register("kilvoice.segment.sentences.v4")
def make_segmenter_v4(min_words: int = 3, max_words: int = 80, roles: list[str] | None = None,
                      opening_context: bool = True, substantive: bool = True, point_words: int = 60) -> SentenceSegmenter:
    """v3 with the substantive rules of a Westminster-style committee (rule set 2: the clerk's
    record, turn management, introductions, more deferrals; :mod:`kilvoice.substantive`) and
    "hon." / "No. 4" kept inside their sentence."""
    return SentenceSegmenter(min_words=min_words, max_words=max_words,
                             roles=tuple(roles) if roles else ("resident", "unknown"),
                             opening_context=opening_context, substantive=substantive, point_words=point_words,
                             rules=2)


@register("kilvoice.segment.sentences.v5")
def make_segmenter_v5(min_words: int = 3, max_words: int = 80, roles: list[str] | None = None,
                      opening_context: bool = True, substantive: bool = True, point_words: int = 60) -> SentenceSegmenter:
    """v4, with statements in another language found by each language's function words read
    against English's (:func:`kilvoice.language.statement_language_v2`), and a sentence in another
    language run into an English one split off (K750); what is left out is kept, redacted, for the
    report's "Not in English" table."""
    return SentenceSegmenter(min_words=min_words, max_words=max_words,
                             roles=tuple(roles) if roles else ("resident", "unknown"),
                             opening_context=opening_context, substantive=substantive, point_words=point_words,
                             rules=2, language=2)


@register("kilvoice.segment.sentences.v6")
def make_segmenter_v6(min_words: int = 3, max_words: int = 80, roles: list[str] | None = None,
                      opening_context: bool = True, substantive: bool = True, point_words: int = 60) -> SentenceSegmenter:
    """v5, and in a transcript a facilitator's question that names neither Big Conversation question
    and raises a subject of its own ends the question the answers after it respond to (:func:`asked`)."""
    return SentenceSegmenter(min_words=min_words, max_words=max_words,
                             roles=tuple(roles) if roles else ("resident", "unknown"),
                             opening_context=opening_context, substantive=substantive, point_words=point_words,
                             rules=2, language=2, questions=2)

"""Which statements carry a view: speech is not prose.

A transcript holds much that is not anyone's view of the subject: "yeah, yeah, no, it's
fine", "Good morning, everyone", "Can I ask Members if there are any declarations of
interest?", "I'll bring in Suzy", a facilitator's questions, and half-sentences cut off.
:func:`reason` names why a statement is not substantive (a K655-K659 code) or returns
None when it is. The rules are written down, not learned, and were set on the dev half of
the labelled Senedd statements (``benchmarks/labels/``; ``benchmarks/transcripts_bench.py``
reports precision and recall on the test half):

- K655 backchannel and fillers: every word is a filler or an acknowledgement, or a short
  agreement with what was just said ("I think that's fair to say, yes");
- K656 greetings, thanks and farewells: a greeting or thanks with at most three other
  content words (names are redacted to placeholders and do not count);
- K657 procedure and chairing: agenda items, declarations, apologies, "move on to",
  "bring in", time keeping, with at most three other content words (six when it names the
  business itself: an item, the agenda, declarations);
- K658 said by the facilitator or chair (their questions and prompts are not residents'
  views; see :mod:`kilvoice.ingest.formats.roles`);
- K659 fragments: no content word left, a cut-off of under six words ("So the —"), or a
  piece cut off at both ends ("—or they can be in a zone or they can—").

Rule sets (``rules``): 1, segment v3's; 2 (segment v4) adds what a Westminster-style committee
transcript says besides evidence: the clerk's record of a bill committee ("Question put and
agreed to.", "The Committee divided: Ayes 6, Noes 9.", "Amendment, by leave, withdrawn.",
"Adjourned till Thursday ..."), turn management ("Can I switch to workforce?", "A short
question and a short answer, please", "I call Mr ...", "the Member for X has a
supplementary"), a witness introducing themselves ("[PERSON_1], director of primary care at
..."), "a pleasure to be here", and deferrals in other words ("I don't have the exact figure
with me", "I cannot give him a date", "place a copy in the Library"). Set on the invented
Westminster-style meetings (``benchmarks/labels/westminster-committee.txt``); the Senedd and
notes labels did not move (docs/PERFORMANCE.md, "westminster16").

:func:`speech_text` is the text used for embedding and keywords: disfluencies ("erm",
"you know", "I, I think") removed. Quotes keep the words as spoken (redacted).
"""
from __future__ import annotations

import re

from kilvoice.errors import Errors
from kilvoice.folded import Folded as _Folded
from kilvoice.stopwords import ENGLISH_STOP_WORDS  # scikit-learn's list, without importing scikit-learn

_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*(?:_\d+)?\]")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

HESITATIONS = r"(?:e+r+m+|u+m+|u+h+m*|e+r+|a+h+|m+h*m+|h+m+|mhm)"
BACKCHANNEL = frozenset("""
yeah yes yep yup yeh ya no nope nah mm mmm mhm hmm um erm er uh ah oh ooh okay ok right sure fine
absolutely exactly indeed true definitely certainly course of well so and but yes i see know agree
agreed it's its that's thats is it that was right correct quite lovely great good brilliant really
wow alright sorry pardon go on fair enough very much much perfect cool super excellent totally
completely thank thanks you oh aye anyway anyhow then there yeah so just all okay-dokey okey
""".split())
GREETING = re.compile(
    r"\b(?:good (?:morning|afternoon|evening)|morning(?: all| everyone)?|hello|hiya|hi|welcome(?: back)?|"
    r"thank(?:s| you)(?: (?:very|so) much)?(?: (?:all|everyone|everybody|again|indeed))?|many thanks|cheers|"
    r"bore da|prynhawn da|noswaith dda|diolch(?: yn fawr)?|bye(?:-bye)?|goodbye|see you(?: later| soon)?|"
    r"take care|nice to (?:meet|see) you|(?:lovely|good|great) to (?:meet|see) you|"
    r"(?:i'?m|we'?re|very) (?:very )?(?:pleased|glad|delighted) to (?:welcome|be here|see)|"
    r"appreciate (?:it|that|your time)|for (?:having|inviting) (?:me|us)|"
    r"(?:i )?(?:thank|congratulate) (?:the|my) (?:right )?hon(?:ourable|\.)? (?:members?|friends?|lady|gentleman))\b", re.I)
PROCEDURE = re.compile(
    r"\b(?:item (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)|agenda|declarations? of interest|"
    r"apologies(?: for absence)?|substitut(?:e|ion)s?|standing order|papers? to note|minutes|private session|"
    r"public (?:are|is) excluded|record of proceedings|simultaneous (?:translation|interpretation)|"
    r"microphones?|broadcast|senedd\.tv|video-?conference|technical (?:problems?|difficult(?:y|ies))|"
    r"(?:a|short|comfort) break|reconvene|(?:we'?ll|i'?ll|let'?s|can we|shall we|we can|we'?re going to|"
    r"i'?m going to|i want to|i'?d like to) (?:now |just |then |quickly )?(?:move on|turn|go|come back|"
    r"bring in|hand over|pass)|moving on|move on to|bring in|brought in|come in on|over to you|"
    r"questions? (?:are |is )?from|first questions?|next questions?|final question|last question|"
    r"(?:out of|short of|running out of|pressed for|conscious of|mindful of the) time|"
    r"time (?:is|'s) (?:short|against|up|getting on|pressing)|for the record|on the record|"
    r"next meeting|(?:close|end|conclude) (?:the|this) (?:meeting|session)|end of (?:the |this )?(?:session|meeting)|"
    r"(?:is it )?(?:alright|ok(?:ay)?) (?:if|for me to|to) record|recording|transcript|"
    r"(?:can|could|may) i (?:just )?(?:ask|come in|check|bring)|any (?:other|more|further) questions|"
    r"members(?:'|’)? questions|(?:note|noted) the (?:papers?|letters?)|"
    # the answering side's turn-taking and deferrals: "could I jump in", "we'd need to go away and check"
    r"(?:could|can|may) i (?:just )?(?:jump|come) in|come back (?:to|on) (?:that|the|your|this)|if i may|"
    r"go away and|get back to you|write to (?:you|the committee)|(?:not|n't) (?:\d+ per ?cent )?sure i understand|"
    r"understand the question|have to check|need to check|i nominate|i move\b|i second|carry on in (?:english|welsh)|i (?:don't|do not|couldn't|could not|can't|cannot) "
    r"(?:know|say|give you|answer|tell you|remember)|"
    # deferrals: "not off the top of my head, but I can let you know", "we'll send a note"
    r"off the top of my head|(?:can|could|will|'ll|happy to) (?:let you know|send (?:you|the committee)|"
    r"provide (?:you|the committee|a note|that|those|the figures)|follow (?:that|this) up)|"
    r"(?:haven't|have not|don't have) (?:got )?(?:the|those) (?:exact |precise )?(?:figures|numbers|details)|"
    # a chamber's or bill committee's business and courtesies ("I thank the hon. Member for her question",
    # "Will the Minister give way?", "It is a pleasure to serve under your chairmanship")
    r"(?:right )?hon(?:ourable|\.)? (?:and (?:learned|gallant) )?(?:members?|friends?|lady|gentleman|gentlemen)|"
    r"give way|giving way|beg to move|question (?:put|agreed)|stand part|under your chairmanship|"
    r"(?:pleasure|privilege) to serve|(?:mr|madam|mrs|ms) (?:chair(?:man)?|speaker|deputy speaker)|"
    r"order,? order|(?:new )?clause \d+|amendment (?:\d+|no\.)|sitting (?:suspended|adjourned)|"
    r"adjourn(?:ed|ment)? (?:the|this|our) (?:debate|meeting|sitting|committee)|point of order)\b", re.I)
# rules 2: the clerk's record of a bill committee: a longer line is still procedure (as BUSINESS)
_RECORD_FORMS = (
    r"(?:the )?committee divided|ayes,? \d+|noes,? \d+|division no\.? \d|question accordingly|"
    r"question (?:put|proposed),? that|question put and|question (?:agreed to|negatived)|by leave,? withdrawn|"
    r"ordered, that|ordered to stand part|adjourned (?:till|until)|examination of witnesses|"
    r"sitting (?:resumed|suspended)")
RECORD = re.compile(r"\b(?:" + _RECORD_FORMS + r")\b", re.I)
# rules 2: a Westminster-style committee's record, turn management and deferrals (K657)
CHAMBER = re.compile(
    r"\b(?:" + _RECORD_FORMS + r"|line-by-line|(?:we'?ll|we will|i'?ll|i will|let'?s) (?:now |just )?(?:suspend|adjourn)|"
    r"(?:can|could|may|let) (?:i|me) (?:just |now |quickly )?(?:switch|turn|move|pick up|go back|return) (?:to|on)|"
    r"(?:short|brief|quick|concise) questions?|supplementar(?:y|ies)(?=\s*(?:[.?,!]|$))|"
    r"(?:short|brief|quick|concise) (?:answers?|responses?),? please|(?:short|brief|quick|concise) answers|"
    r"i call (?:on )?(?:the (?:minister|member|hon)|mr|mrs|ms|miss|dr|sir|dame|\[person)|"
    r"(?:pleasure|privilege) to see you in the chair|"
    r"(?:place|deposit|lay) (?:a copy|copies)|"
    r"(?:haven't|have not|don't have|do not have) (?:got )?(?:the|those|that) (?:exact |precise )?"
    r"(?:figures?|numbers?|details?)|"
    r"(?:can't|cannot|can not|couldn't|could not) give (?:you|him|her|them|the committee|the member) "
    r"(?:a|an|the) (?:date|figure|number|timescale|timetable|answer))\b", re.I)
# rules 2: courtesies of a witness or minister arriving (K656)
WELCOME = re.compile(r"\b(?:(?:it is|it's|it’s) (?:a |an )?(?:real )?(?:pleasure|privilege|honour) to be "
                     r"(?:here|with you|before (?:you|the committee))|thank you for (?:having|inviting) (?:me|us))\b", re.I)
# rules 2: a speaker introducing themselves, "[PERSON_1], director of primary care at the ICB",
# "I am [PERSON_2], chair of the Association of ...", "[PERSON_3], Rural Transport Action."
# a name: a redaction placeholder, or two to four capitalised words ("Recently, environment
# secretary ..." is not one), or one after a title or "I am"
_PLACE = r"\[[A-Z][A-Z_]*(?:_\d+)?\]"
_TITLED = (r"(?:(?i:dr|professor|prof|mr|mrs|ms|miss|sir|dame|councillor|cllr)\.?\s+)"
           r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}")
_NAME = (r"(?:(?i:i am|i'm|i’m|my name is|this is)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}|" + _PLACE + "|"
         + _TITLED + r"|[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3})")
_POST = (r"(?i:(?:and\s+)?(?:i'?m\s+|i am\s+)?(?:the\s+|a\s+|an\s+)?(?:[\w'’-]+\s+){0,4}?"
         r"(?:director|chief|chair|chairman|chairwoman|chairperson|head|professor|lecturer|manager|officer|lead|"
         r"president|secretary|adviser|advisor|co-?ordinator|founder|trustee|deputy|commissioner|minister|"
         r"governor|principal|consultant|researcher|fellow|partner|representative|spokesperson|clerk|convenor|convener)\b)")
# an organisation's name alone after a person's ("[PERSON_3], Rural Transport Action."): only after a
# placeholder or a title, so that "Friendly Staff, Lovely Nurses." is not taken for one
_ORGANISATION = (r"(?:" + _PLACE + r"|[A-Z][\w'’&-]*)(?:\s+(?:(?i:of|for|and|the|in|on)|[A-Z][\w'’&-]*|" + _PLACE
                 + r"))*\s*[.]?\s*$")
INTRODUCTION = re.compile(r"^(?:" + _NAME + r",\s+" + _POST + r"|(?:" + _PLACE + "|" + _TITLED + r"),\s+"
                          + _ORGANISATION + ")")
_CLAIM = re.compile(r"\b(?:is|was|are|were|has|have|had|will|would|said|says|told|think|thought|do|does|did|can|could|"
                    r"should|must|need|needs|want|wants|feel|felt|get|got|make|made)\b", re.I)
_SELF = re.compile(r"\b(?:i am|i'm|i’m|my name is|this is)\b", re.I)
_FINITE = frozenset({"VB", "VBD", "VBP", "VBZ", "MD"})  # Penn tags of a verb that makes a claim
INTRODUCTION_WORDS = 16  # an introduction is a name and a post, not a paragraph
RULES = (1, 2)
# the committee's business itself: a longer line is still procedure
BUSINESS = re.compile(r"\b(?:item (?:\d+|one|two|three|four|five)|agenda|declarations? of interest|standing order|"
                      r"apologies|moving on|move on to|questions? (?:are |is )?from|bring in|evidence session)\b", re.I)
# agreement with what was just said: "I think that's fair to say, yes", "And rightly so"
AGREEMENT = frozenset("""
think fair say said crucial important importance rightly true agree agreed right exactly clearly point
absolutely key vital essential correct accept helpful useful valid interesting really quite very yes
completely entirely totally wholeheartedly echo add nothing minister chair colleague colleagues
""".split())
# words of chairing and turn-taking that are not a view of the subject
PROCEDURAL_WORDS = frozenset("""
item items meeting meetings committee members member question questions chair chairman chairs session
evidence minister ministers cabinet secretary officials record papers paper note noted agenda
colleagues colleague witness witnesses panel everyone everybody today morning afternoon evening
thank thanks welcome ask asking answer answers point points briefly quickly time minutes
start begin final last first second next start finish come move moving turn bring brought pick
please okay right fine sure happy great good lovely obviously just perhaps bit
hon honourable gentleman lady friend friends chairman chairmanship clause clauses amendment amendments
intervention debate briefly let know figures detail details note follow
""".split())
HESITATION_WORDS = frozenset({"yeah", "yes", "yep", "mm", "mmm", "mhm", "hmm", "um", "erm", "er", "uh", "ah", "oh", "okay", "ok"})
_CUT_OFF = re.compile(r"(?:[-–—]|\.\.\.|…)\s*$")
_CUT_IN = re.compile(r"^\s*(?:[-–—]|\.\.\.|…)")
STOP = frozenset(ENGLISH_STOP_WORDS) | {"it's", "i'm", "that's", "there's", "we're", "you're", "they're",
                                         "i've", "we've", "don't", "can't", "i'll", "we'll", "i'd", "we'd"}

FRAGMENT_WORDS = 12  # a piece cut off at one end and shorter than this has no claim of its own
REASONS = ("K655", "K656", "K657", "K658", "K659")

_PROCEDURE, _GREETING, _BUSINESS = _Folded(PROCEDURE), _Folded(GREETING), _Folded(BUSINESS)
_CHAMBER, _WELCOME, _RECORD = _Folded(CHAMBER), _Folded(WELCOME), _Folded(RECORD)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_PLACEHOLDER.sub(" ", text).lower().replace("’", "'"))


def _content(tokens: list[str], drop: frozenset = frozenset()) -> list[str]:
    return [t for t in tokens if t not in STOP and t not in BACKCHANNEL and t not in drop and len(t) > 1]


def reason(text: str, role: str = "resident", rules: int = 1) -> str | None:
    """Why ``text`` (one redacted statement) is not substantive: a code in :data:`REASONS`,
    or None when it carries a view. ``role`` is the speaker's role (``conversationalist`` is
    the facilitator side); ``rules`` the rule set (see the module docstring)."""
    if role == "conversationalist":
        return "K658"
    plain = speech_text(text, hedges=False)
    tokens = _tokens(plain)
    if not tokens:  # nothing but hesitations ("Mm, mm.") or no words at all
        return "K655" if _tokens(text) else "K659"
    greeting = _greeting(plain, rules)
    if all(t in BACKCHANNEL for t in tokens):
        return "K656" if greeting else "K655"
    if len(tokens) <= 10 and all(t in BACKCHANNEL or t in STOP or t in AGREEMENT for t in tokens):
        return "K655"
    if _procedure(plain, rules):
        return "K657"
    if greeting:
        return "K656"
    if rules >= 2 and len(tokens) <= INTRODUCTION_WORDS and _introduction(plain):
        return "K656"
    if len(tokens) <= 12 and not _content(tokens, PROCEDURAL_WORDS | AGREEMENT):  # "Just very briefly."
        return "K657"
    if (not [t for t in tokens if t not in STOP and t not in HESITATION_WORDS]
            or ((_CUT_OFF.search(text) or _CUT_IN.search(text)) and len(tokens) < FRAGMENT_WORDS)
            or (_CUT_OFF.search(text) and _CUT_IN.search(text) and len(tokens) < 20)):
        return "K659"
    return None


def _procedure(text: str, rules: int) -> bool:
    """Procedure or chairing with at most three other content words (six when it names the
    business itself)."""
    chamber = rules >= 2 and _CHAMBER.found(text)
    if not (chamber or _PROCEDURE.found(text)):
        return False
    rest = _GREETING.sub(" ", text)
    if rules >= 2:
        rest = _CHAMBER.sub(" ", _WELCOME.sub(" ", rest))
    rest = _content(_tokens(_PROCEDURE.sub(" ", rest)), PROCEDURAL_WORDS)
    return len(rest) <= (6 if _BUSINESS.found(text) or (chamber and _RECORD.found(text)) else 3)


def _greeting(text: str, rules: int = 1) -> bool:
    """A greeting, thanks or farewell with at most three other content words."""
    welcome = rules >= 2 and _WELCOME.found(text)
    if not (welcome or _GREETING.found(text)):
        return False
    rest = _GREETING.sub(" ", _WELCOME.sub(" ", text) if welcome else text)
    return len(_content(_tokens(rest), PROCEDURAL_WORDS)) <= 3


def _introduction(text: str) -> bool:
    """A speaker giving their name and post, after any greeting ("Good morning. I am [PERSON_1],
    chair of ...")."""
    rest = _GREETING.sub(" ", text).lstrip(" ,.;:!-–—")
    m = INTRODUCTION.match(rest)
    if not m:
        return False
    post = _SELF.sub(" ", rest)
    first = _tokens(post)[:1]
    # "So, the head of the school ..." is not a name; "..., chair of X, and we have seen ..." says more than a post
    if (first and (first[0] in STOP or first[0] in BACKCHANNEL)) or _CLAIM.search(post):
        return False
    # nor is "Wakefield Council, the chief executive never answers letters.": a post has no verb
    from kilvoice.tagger import load_tagger

    nlp = load_tagger()
    return nlp is not None and not any(t.tag_ in _FINITE for t in nlp(post))


def message(code: str) -> str:
    """The catalogue text of a reason code."""
    return getattr(Errors, code)


_HESITATION = re.compile(r"(?:(?<=\s)|^)" + HESITATIONS + r"\b[,.…]*\s*", re.I)
_YOU_KNOW = re.compile(r"(?:,\s*|^)(?:you know|i mean|like|sort of|kind of|basically)\s*(?:,\s*|$)", re.I)
# stance adverbs and hedges of speech: no topic of their own, and they pull spoken statements
# into a "Mixed: ..." theme of their own ("absolutely", "obviously", "I think")
_HEDGE = re.compile(r"\b(?:absolutely|certainly|obviously|clearly|actually|basically|genuinely|honestly|literally|"
                    r"really|indeed|of course|sorry|i think|i suppose|i guess|i would say|i'd say)\b,?\s*", re.I)
# talk about the conversation itself: "that's a good question", "as I said", "in terms of"
_META = re.compile(r"\b(?:(?:that's|that is|it's|it is) (?:a |an )?(?:really |very )?(?:good|fair|interesting|important|"
                   r"difficult|valid|great|big) (?:question|point)|to answer (?:your|the|that) question|"
                   r"(?:your|the|that|this) question|as i (?:said|say|mentioned)(?: earlier| before)?|in terms of|"
                   r"you'?re (?:absolutely |quite )?right|that'?s right|i take (?:your|the|that) point|"
                   r"if i (?:can|could|may)|can i (?:just )?say|i have to say)\b,?\s*", re.I)
# a transcriber's notes: "[Laughter.]", "[Inaudible.]" (redaction placeholders are capitals: "[PERSON_1]")
_STAGE = re.compile(r"\[\s*[A-Z]?[a-z][^\]]{0,40}\]")
_FOLDED_HEDGE, _FOLDED_META = _Folded(_HEDGE), _Folded(_META)
_SPACE_BEFORE_MARK, _COMMA_RUN = re.compile(r"\s+([,.?!])"), re.compile(r",\s*,+")
_COMMA_BEFORE_MARK, _LEADING_MARKS = re.compile(r",\s*([.?!])"), re.compile(r"^[\s,.]+")
_SPACE_RUN = re.compile(r"\s{2,}")
_REPEAT = re.compile(r"\b([A-Za-z]+(?:['’][a-z]+)?)(?:[,\s]+\1\b)+", re.I)


def speech_text(text: str, hedges: bool = True) -> str:
    """``text`` without disfluencies: a transcriber's notes ("[Laughter.]"), hesitations
    ("erm", "um"), words said twice or more
    ("I, I think" -> "I think"), ", you know," / ", I mean," as fillers and, with ``hedges``,
    stance adverbs, hedges and talk about the conversation itself ("absolutely", "I think",
    "that's a good question", "as I said", "in terms of"). Redaction placeholders
    and all other words are kept. :func:`reason` reads it without removing hedges."""
    out = _HESITATION.sub("", _STAGE.sub(" ", text))
    out = _REPEAT.sub(r"\1", out)
    out = _YOU_KNOW.sub(" ", out)
    if hedges:
        out = _FOLDED_HEDGE.sub("", _FOLDED_META.sub("", out))
    out = _SPACE_BEFORE_MARK.sub(r"\1", out)
    if "," in out:  # both need a comma
        out = _COMMA_RUN.sub(",", out)
        out = _COMMA_BEFORE_MARK.sub(r"\1", out)
    out = _LEADING_MARKS.sub("", out)
    return _SPACE_RUN.sub(" ", out).strip()


_PLACEHOLDER_GAP = re.compile(r"\s*\[[A-Z][A-Z_]*(?:_\d+)?\]")


def without_placeholders(text: str) -> str:
    """``text`` without its redaction placeholders ("[PERSON_1], [PHONE_1] - happy to help set a
    hub up." -> "- happy to help set a hub up."), or ``text`` itself when nothing else is left:
    what an embedder that reads content, not the shape of a contact line, is given."""
    if "[" not in text:  # most statements: no regex pass
        return text
    out = _PLACEHOLDER_GAP.sub("", text)
    if out == text:
        return text
    out = _SPACE_BEFORE_MARK.sub(r"\1", out)
    out = _COMMA_RUN.sub(",", out)
    out = _COMMA_BEFORE_MARK.sub(r"\1", out)
    out = _SPACE_RUN.sub(" ", _LEADING_MARKS.sub("", out)).strip()
    return out if _TOKEN.search(out) else text


def as_analysed(statements: list) -> list:
    """Copies of ``statements`` whose text is :func:`speech_text` (the same objects when
    nothing changes): what is embedded and themed. The stored statements, and so the quotes,
    keep the words as spoken."""
    from dataclasses import replace

    out = []
    for st in statements:
        clean = analysed_text(st.text)
        out.append(st if clean == st.text else replace(st, text=clean))
    return out


def analysed_text(text: str) -> str:
    """What :func:`as_analysed` makes of a statement's stored text: :func:`speech_text`, or the text
    itself when nothing is left."""
    return speech_text(text) or text

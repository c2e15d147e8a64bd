"""The safeguarding rules: constructions that disclose harm to a specific person.

Each rule names the categories it adds. A rule with ``refine`` (a harm verb whose victim or
agent is not named by the rule itself) also adds domestic-violence when a partner or family
member is in the sentence and child-at-risk when a child is.

Principles (see docs/REDACTION.md):
* a harm word counts only with a specific person: a personal object ("hits *her*"), a reflexive
  ("cut *herself*"), a personal subject ("*she* self-harms", "*I* was raped") or a possessive
  ("*my* suicide attempt"); generic plurals ("kids are self-harming while they wait") and bare
  nouns ("drug abuse", "domestic violence funding", "suicide prevention") are not;
* threats count when they are to kill or hurt a person and are reported as said or made
  ("he *said* he'll kill me"), not idiom ("my husband will kill me if I spend more");
* sentences about films, books, news and inquests are left alone (``VETO``).
"""
from __future__ import annotations

import re
from typing import NamedTuple

CATEGORIES = ("abuse", "child-at-risk", "danger", "domestic-violence", "neglect", "self-harm")


class Rule(NamedTuple):
    name: str
    categories: tuple[str, ...]
    anchor: tuple[str, ...]  # cheap pre-check: the rule is tried only on text containing one of these
    pattern: re.Pattern
    refine: bool = False
    not_animals: bool = False  # "causing my horse to panic and hurt herself": no flag when an animal is named


def _words(alternatives: str) -> tuple[str, ...]:
    """Literal substrings for a rule's anchor ("a|b|c"); ``in`` is far cheaper than a regex search."""
    return tuple(alternatives.split("|"))


def _rx(pattern: str) -> re.Pattern:
    """Rules run on lower-cased text without re.I (about 9x faster on the shared corpora)."""
    return re.compile(pattern)


# --- vocabulary --------------------------------------------------------------------------
PARTNER = (r"(?:husband|wife|partner|boyfriend|girlfriend|bf|gf|fella|lass|missus|"
           r"ex(?:[- ]?(?:husband|wife|partner|boyfriend|girlfriend|bf))?|fianc[eé]e?|spouse)")
RELATIVE = (r"(?:dad|daddy|father|mum|mam|mom|mummy|mother|step-?dad|step-?father|step-?mum|step-?mother|"
            r"son|daughter|brother|sister|uncle|aunt|aunty|auntie|nan|nana|gran|grandad|granddad|grandma|"
            r"grandpa|grandson|granddaughter|cousin|nephew|niece|mother-in-law|father-in-law|in-laws?)")
OTHER = (r"(?:man|woman|bloke|friend|mate|neighbour|carer|carers|landlord|boss|manager|coach|teacher|lad|lads|girl|boy|kid|"
         r"kids|child|children|baby|little one|client|tenant|flatmate|housemate|support worker|worker)")
PERSON = rf"(?:{PARTNER}|{RELATIVE}|{OTHER})"
POSS = r"(?:my|me|our|her|his|their|your)"
# "my husband", "her ex-partner", "me fella", "the man next door", "he", "she" (not "we", "they":
# in real text they are mostly generic, "we caused this suicide", "people ... killing themselves")
SUBJ = (rf"(?:\b(?:i|i'm|im|i've|ive|i'd|he|he's|hes|she|she's|shes)\b|\b{POSS}\s+(?:\w+\s+)?{PERSON}s?\b|"
        r"\b(?:the|this)\s+(?:\w+\s+)?(?:man|woman|lady|gentleman|girl|boy|lad|teenager|"
        r"young person|young man|young woman|tenant|resident)\b)")
OBJ = r"(?:me|her|him|them|us|myself|herself|himself)"
VICTIM = r"(?:me|her|him|my\s+(?:mum|mam|mother|wife|partner|girlfriend|husband))"  # not "us", "them", "it": mostly generic
REFLEX = r"(?:myself|meself|herself|himself)"  # "themselves": people, animals, generic
ANIMAL = _rx(r"\b(?:horse|pony|dog|cat|pet|pets|animal|animals|wildlife|bird|birds|livestock|cattle|sheep|fox|badger)s?\b")
FAMILY = _rx(rf"\b(?:{PARTNER}|{RELATIVE})s?\b|\bwife's\b|\bhusband's\b")
CHILD = _rx(r"\b(?:daddy|mummy|child|children|kids?|baby|babies|toddler|little one|little (?:boy|girl|brother|sister)|"
            r"nephew|niece|granddaughter|grandson|schoolgirl|schoolboy|step-?dad|step-?father|"
            r"(?:[1-9]|1[0-7])[- ]?years?[- ]old|year [5-9]|year 1[01]|"
            r"(?:i'm|im|he's|she's|hes|shes|aged?) (?:[1-9]|1[0-7]|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen)\b)")

# Films, books, news, inquests, statistics: not disclosures about someone the speaker knows.
VETO_WORDS = _words("film|movie|novel|book|episode|soap|drama|documentary|series|character|headline|newspaper|"
                    "coroner|inquest|statistics|per cent|percent|national average")
VETO = _rx(r"\b(?:" + "|".join(VETO_WORDS) + r")\b")

VIOLENT = (r"(?:hit|hits|hitting|beat|beats|beating|beaten|batter|batters|battered|battering|punch|punches|punched|"
           r"punching|kick|kicks|kicked|kicking|slap|slaps|slapped|slapping|smack|smacks|smacked|thump|thumps|"
           r"thumped|strangle|strangles|strangled|strangling|choke|chokes|choked|choking|throttle\w*|headbutt\w*|"
           r"knock\w* (?:\w+ )?about|knocks? (?:\w+ )?around|belt|belts|belted|burns?|burned|burnt|attack\w*|"
           r"bit|bites|beats? up|beat (?:\w+ )?up|rape|rapes|raping|hurt|hurts|hurting)")

_DISTRESS_GUARD = r"(?<!rather )(?<!i'd )"

RULES: list[Rule] = [
    # ---------------------------------------------------------------- self-harm, suicide
    Rule("reflexive harm", ("self-harm",), _words("self|selves"), _rx(
        rf"\b(?:kill\w*|hurt\w*|harm\w*|cut|cuts|cutting|burn\w*|starv\w*|hang|hangs|hanged|hanging|drown\w*|"
        rf"top|tops|topped|topping|poison\w*|strangl\w*|overdos\w*|scratch\w*|slash\w*|injur\w*|punish\w*)\s+"
        rf"{REFLEX}\b(?!\s+(?:off|out|free|short|on|with\s+(?:a\s+)?(?:knife|scissors|tools?|glass)\s+(?:while|when)|"
        rf"laughing|falling|when\s+(?:i|he|she)\s+fell|in\s+a\s+fall|at\s+(?:the\s+)?gym|for\b))"), not_animals=True),
    Rule("suicide with a person", ("self-harm",), _words("suicid|sucid|suisid|thought"), _rx(
        rf"{SUBJ}(?:\s+\S+){{0,5}}?\s+(?:suicid\w*|sucid\w*|suisid\w*)\b(?!\s+(?:prevention|awareness|rates?|strateg\w+|"
        r"statistics|figures|squad|bereavement|charit\w+|plans?|polic\w+|toolkit|training|risk\s+assessment|support\s+services))|"
        rf"\b(?:my|his|her)\s+(?:own\s+)?(?:suicid\w*|sucid\w*)\b(?!\s+prevention)|\bsuicid\w*\s+(?:note|bid)\b|"
        rf"\b(?:i|i'?ve|he|she|he'?s|she'?s|{POSS}\s+(?:\w+\s+)?{PERSON})\s+(?:\w+\s+){{0,3}}?thoughts?\s+(?:of|about)\s+"
        r"(?:suicid\w*|ending\s+it|killing)|\b(?:having|had|have|has|experiencing|get|getting)\s+(?:\w+\s+)?suicidal\s+"
        r"(?:thoughts|intentions|feelings|ideation|urges)")),
    Rule("self-harm with a person", ("self-harm",), _words("harm"), _rx(
        rf"{SUBJ}(?:\s+\S+){{0,4}}?\s+self[- ]?harm(?:s|ed|ing)?\b(?!\s+(?:awareness|training|prevention|strateg\w+|"
        r"services?|polic\w+|guidance|figures|rates?))")),
    Rule("ending a life", ("self-harm",), _words("life|end it|want|wake up|die|better off|no reason|no point|do it|cope|telling me|safe from|safe with"), _rx(
        r"\b(?:end|ends|ending|ended|take|takes|taking|took|taken)\s+(?:my|his|her)\s+(?:own\s+)?life\b|"
        r"\bend\s+it\s+all\b|\b(?:want\w*|going|tempted|telling\s+(?:me|him|her)|thinking\s+about|thought\s+about|"
        r"planning|plans?)\s+to\s+end\s+it\b|\b(?:don'?t|do\s+not|doesn'?t|didn'?t|not|never)\s+want(?:s|ing)?\s+to\s+"
        r"(?:live\b(?!\s+(?:near|in|at|on|with|by|there|here|somewhere|anywhere|like|next|close|far|out|nearby|within|"
        r"without|under|off|through|among))|be\s+(?:here|alive|around)\b(?!\s+(?:for|to|when|if))|go\s+on|wake\s+up|carry\s+on)|\b(?:and|to)\s+not\s+wake\s+up\b|"
        rf"{_DISTRESS_GUARD}\bwants?\s+to\s+die\b|\bwanted\s+to\s+die\b|\bbetter\s+off\s+(?:dead|without\s+(?:me|her|him))\b|"
        r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:go(?:ing)?\s+on|liv(?:e|ing)|carry(?:ing)?\s+on)|"
        r"\bwant\s+(?:it\s+all|everything)\s+to\s+(?:stop|end)\b|\bhow\s+(?:i'?d|i\s+would|to)\s+do\s+it\b|"
        r"\bcan'?t\s+cope\s+any\s?more\b|\b(?:head|voices?)\s+(?:is|are|keeps?)\s+telling\s+me\s+to\b|"
        r"\bnot\s+safe\s+(?:from|with)\s+(?:myself|herself|himself)\b")),
    Rule("overdose", ("self-harm",), _words("overdos|pills|tablets|meds|medication|paracetamol"), _rx(
        r"\b(?:took|take|taken|taking|had|has)\s+(?:an|a|another|two|several)\s+overdoses?\b|"
        r"(?<!accidentally )(?<!accidental )\boverdosed\b(?!\s+on\s+(?:chocolate|sugar|sweets|telly|tv|food|coffee|caffeine|christmas|cake|netflix))|"
        r"\b(?:took|take|taken|taking|swallowed|swallow)\s+(?:a\s+load\s+of|loads\s+of|all\s+(?:of\s+)?(?:my|his|her|the|their)|"
        r"a\s+(?:bottle|handful|packet|box)\s+of|too\s+many|a\s+lot\s+of)\s+(?:\w+\s+)?(?:pills|tablets|paracetamol|meds|medication)|"
        r"\b(?:sav\w+|stockpil\w+|hoard\w+)\s+(?:up\s+)?(?:my|his|her|their|the)?\s*(?:pills|tablets|meds)|"
        r"\b(?:pills|tablets|meds)\s+saved\s+up")),
    Rule("cutting", ("self-harm",), _words("cut|scratch|slash|burn"), _rx(
        r"\b(?:cut\w*|scratch\w*|slash\w*|burn\w*)\s+(?:at\s+)?(?:my|his|her|their)\s+(?:own\s+)?(?:wrists?|arms?|legs?|thighs?|"
        r"skin|stomach)\b(?!\s+on\b)|\bused\s+to\s+cut(?:\s+(?:myself|herself|himself))?\s*(?:$|[,.;]|and\b|but\b)|\b(?:started|starting|stopped)\s+cutting\s+again\b|"
        r"\bstarted\s+(?:cutting|self[- ]?harming)\b")),
    Rule("jumping or walking in front", ("self-harm",), _words("jump|in front of"), _rx(
        r"\b(?:jump\w*|throw\w*\s+(?:myself|herself|himself))\s+(?:off|from|in\s+front\s+of)\s+(?:a|the)\s+(?:\w+\s+){0,3}?"
        r"(?:bridge|train|building|car\s+park|roof|cliff|flyover|motorway)|\bwalk\w*\s+in\s+front\s+of\s+(?:a|the)\s+"
        r"(?:train|bus|lorry|car)\b")),
    # ---------------------------------------------------------------- violence to a person
    Rule("violence to a person", ("abuse",), _words("hit|beat|batter|punch|kick|slap|smack|thump|strangl|chok|throttl|knock|belt|bit|attack|rap|hurt|burn|push"), _rx(
        rf"\b{VIOLENT}\s+{VICTIM}\b(?!\s+(?:at\s+(?:chess|cards|darts|pool|snooker|"
        rf"scrabble|games?|football|tennis|golf|monopoly|it|everything)|to\s+it|off|out\b|that|how|when\s+i\s+realised|"
        rf"home|hard\s+when|into\s+(?:poverty|debt|despair|pain)))|\b(?:knock\w*|slap\w*|push\w*)\s+{VICTIM}\s+(?:about|around)\b"),
        refine=True),
    Rule("beaten by someone", ("abuse",), _words("beat|batter|hit|punch|kick|slap|attack|assault|abuse|rape|strangl|burn|whip"), _rx(
        r"\b(?:is|was|were|been|being|gets?|getting|got)\s+(?:\w+\s+){0,3}?(?:beaten|battered|hit|punched|kicked|slapped|smacked|"
        r"attacked|assaulted|abused|raped|strangled|beat\s+up|beaten\s+up|burned|burnt|whipped)\s+(?:up\s+)?"
        r"(?:by\s+(?:my|her|his|our|your|a|an)\b(?!\s+(?:\w+\s+)?(?:vehicle|car|bus|van|lorry|train|truck|taxi|ball|bike|"
        r"cyclist|motorist|storm|virus|pandemic|cut|crisis|challenge|wave|flood)\b(?!\s+driver))|again\b|every\b)"), refine=True),
    Rule("injury from someone", ("abuse",), _words("lip|eye|bruis|burns|marks|injur|hospital|round|around|grab|threw|throw|push|broke|flinch|burn"), _rx(
        r"\b(?:came|comes|come|coming)\s+(?:back|home|in|into\s+school)\s+(?:\w+\s+){0,4}?with\s+(?:a\s+)?(?:cut\s+lip|"
        r"split\s+lip|black\s+eye|bruis\w+|burns|marks|injuries)|\bbruis\w+\s+(?:all\s+)?(?:over|on)\s+(?:her|his|my|their)\s+"
        r"(?:arms?|legs?|body|back|face|neck)|\bmarks\s+on\s+(?:her|his|my)\s+(?:neck|throat|arms?)|\bwith\s+bruises\s+every\b|"
        rf"\b(?:put|puts|putting)\s+{OBJ}\s+in\s+hospital|\b(?:hands?|fingers)\s+(?:round|around)\s+(?:my|her|his)\s+"
        rf"(?:neck|throat)|\bgrab\w*\s+{OBJ}\s+by\s+the\s+(?:throat|neck|hair)|\b(?:threw|throws?|thrown|throwing)\s+"
        rf"(?:\w+\s+){{1,6}}?at\s+(?:me|her|him)\b|\bpush\w*\s+{VICTIM}\s+(?:down|over|against|off)\b|"
        rf"\b{PERSON}\s+push\w*\s+(?:me|her|him)\b(?!\s+(?:out|in|to|round|around|along|up)\b)|"
        rf"\b(?:he|{PERSON}|ex-?\w*)\s+(?:has\s+|had\s+|'s\s+|'d\s+)?(?:broke|broken)\s+(?:my|her)\s+(?:arm|nose|jaw|ribs?|wrist|"
        r"leg|fingers?|cheekbone)\b(?!\s+(?:after|when|in|on|falling))|\bshe\s+(?:has\s+|had\s+|'s\s+|'d\s+)?(?:broke|broken)\s+"
        r"(?:my|his)\s+(?:arm|nose|jaw|ribs?|wrist|leg)\b(?!\s+(?:after|when|in|on|falling))|\bflinch\w*\s+when\b|"
        rf"\b(?:burns?|burned|burnt)\s+{OBJ}\s+with\b"), refine=True),
    # ---------------------------------------------------------------- domestic abuse and control
    Rule("controlling behaviour", ("domestic-violence",), _words("let|control|phone|text|messag|email|location|worthless|useless|nothing|waste|out |flee|fled|escap|away|hid|violen|aggress|order|domestic|fear"), _rx(
        rf"\bwon'?t\s+let\s+{OBJ}\s+(?:see|speak|talk|phone|ring|go|have|leave|out)|\bcontrols?\s+(?:all\s+)?(?:my|her|his|the)\s+"
        rf"(?:money|finances|bank|phone)|\b(?:checks?|checking|reads?|reading|tracks?|tracking|tracked|monitors?)\s+"
        rf"(?:all\s+)?(?:my|her|his)\s+(?:phone|texts|messages|emails|location)|\bcoercive(?:ly)?\s+control\w*\s+(?:me|her|him)\b|"
        rf"\b(?:tells?|telling|told|calls?|calling|called)\s+{OBJ}\s+(?:(?:that\s+)?(?:i'?m|i\s+am|she'?s|she\s+is|he'?s|he\s+is)\s+)?"
        rf"(?:worthless|useless|a\s+waste\s+of\s+space)|\bthreat\w*\s+to\s+out\s+(?:me|her|him)\b|"
        rf"\b(?:flee|fled|fleeing|escap\w+|get\s+away\s+from|got\s+away\s+from|hid\w*\s+from)\s+(?:{POSS}|the)\s+(?:\w+\s+)?"
        rf"(?:{PARTNER}|home|house)\b|\b{PARTNER}'?s\s+violence\b|\b(?:he|she|{PERSON})\s+(?:gets|got|is|was|can\s+be|turns|becomes)\s+"
        rf"(?:really\s+|very\s+)?(?:violent|aggressive)\s+(?:when|with|after|if|towards|to)\b|\b(?:non-?molestation|restraining)\s+order\b|"
        rf"{SUBJ}(?:\s+\S+){{0,3}}?\s+(?:experienc\w+|suffer\w+|victim\s+of|survivor\s+of|living\s+with|went\s+through|"
        rf"subjected\s+to|fleeing|fled)\s+domestic\s+(?:abuse|violence)|\bliving\s+in\s+fear\s+of\s+(?:him|her|{POSS}\s+(?:\w+\s+)?{PERSON})")),
    Rule("locked in or kept", ("abuse",), _words("lock|sleep|passport|nothing|traffick"), _rx(
        rf"\block\w*\s+(?:{OBJ}\s+)?in\s+(?:{POSS}|the|a)\s+(?:\w+\s+)?(?:room|house|flat|cupboard|shed|bedroom|home)\b|"
        rf"\bleft\s+locked\s+in\b|\bmakes?\s+{OBJ}\s+sleep\s+in\b|\b(?:keeps?|kept|took|takes|taken|holds?|holding)\s+"
        rf"(?:my|his|her|their)\s+passport\b|\b(?:pays?|paid)\s+(?:me|him|her|them)\s+nothing\b|\btrafficked\b"), refine=True),
    # ---------------------------------------------------------------- sexual abuse and exploitation
    Rule("sexual abuse", ("abuse",), _words("rap|sex|molest|touch|grop|fondl|force|sleep|secret|pictures|photos|pics|nude|spiked|drugged|room|offender|expos|abus"), _rx(
        rf"{SUBJ}(?:\s+\S+){{0,4}}?\s+(?:raped|sexually\s+(?:abused|assaulted|exploited|harassed)|(?:spiked|drugged)\b|"
        rf"(?:\w+\s+)?abused\b(?!\s+(?:with|by\s+(?:the\s+)?(?:system|hoax|drivers|fans|customers))))|"
        rf"\b(?:raped|sexually\s+(?:abused|assaulted))\s+(?:me|her|him)\b|\brapes\s+{OBJ}\b|\b(?:my|her|his)\s+rap(?:e|ist)\b|"
        rf"\bsexual(?:ly)?\s+(?:abuse|assault)\s+(?:of\s+)?(?:me|her|him|my|his)\b|\bmolested\b|\bmolests?\s+{OBJ}|"
        rf"\b(?:touch(?:es|ed|ing)?|grop\w+|fondl\w+)\s+{OBJ}\b(?!\s+(?:deeply|greatly|so|a\s+lot|with\s+(?:kindness|care)|"
        rf"on\s+the\s+(?:arm|shoulder)))|\bforces?\s+(?:himself|herself)\s+on\b|"
        rf"\b(?:makes?|made|making|forces?|forced|forcing)\s+(?:{OBJ}|the\s+\w+)\s+(?:to\s+)?(?:have\s+sex|sleep\s+with|"
        rf"do\s+(?:sexual|things)|watch\s+porn)|\bsleeping\s+with\s+(?:me|her|him)\s+and\s+told\b|\bkeep\s+it\s+(?:a\s+)?secret\b|"
        rf"\b(?:send\w*|sent)\s+(?:me|her|him|my\s+\w+)\s+(?:explicit|dirty|naked|nude)\s+(?:pictures|photos|pics|images|messages)|"
        rf"\b(?:telling|asking|told|asked|wants?|wanted)\s+(?:{OBJ}|my\s+\w+)\s+to\s+send\s+(?:\w+\s+)?(?:pictures|photos|pics|nudes)|"
        rf"\b(?:comes?|coming|came)\s+into\s+(?:her|his|my)\s+(?:bed)?room\s+(?:at\s+night|without)|"
        rf"\b(?:tried|tries|trying)\s+to\s+(?:kiss|touch|grab)\s+(?:me|her|him)\b|"
        rf"\b(?:he|she|{PERSON})\s+(?:is|was|'s)\s+a\s+(?:registered\s+)?sex\s+offender|\bexposes?\s+(?:himself|herself)\s+to\s+(?:me|her|him|my)\b|"
        rf"\babus(?:ed|es|ing)\s+(?:me|her|him|(?:my|his|her)\s+(?:\w+\s+)?{PERSON})\b|"
        rf"\babusive\s+(?:to|towards)\s+(?:me|her|him)\b|\b(?:my|her|his)\s+abusive\s+|"
        rf"\b(?:an|my|her|his)\s+abusive\s+(?:{PARTNER}|relationship|marriage|home)\b|\babusive\s+(?:\w+\s+){{0,2}}marriage\b|"
        rf"\b(?:i'?m|i\s+am|i\s+was|she'?s|he'?s|she\s+is|he\s+is|she\s+was|he\s+was)\s+a\s+(?:\w+\s+)?(?:rape|abuse|"
        rf"sexual\s+(?:abuse|assault)|domestic\s+(?:abuse|violence))\s+(?:survivor|victim)\b|"
        rf"(?:\bi\b|\bi'm\b|\bi've\b|\bmy\b)[^.]{{0,80}}?\b(?:historic(?:al)?|childhood|past|domestic\s+and\s+childhood)\s+"
        rf"(?:sexual\s+)?abuse\b|\babuse\s+(?:i|i've)\s+(?:have|had|suffered|experienced|went|been)\b"),
        refine=True),
    Rule("exploitation", ("abuse",), _words("money|pension|benefit|card|saving|wage|sign|taken over|drugs|county lines"), _rx(
        rf"\b(?:stealing|stole|steals|taking|took|takes|using|uses|used)\s+(?:all\s+)?(?:of\s+)?(?:my|his|her|their)\s+"
        rf"(?:\w+'s\s+)?(?:whole\s+)?(?:money|pension|benefits|bank\s+card|card|savings|wages)\b|"
        rf"\b(?:taking|took|takes|stealing|stole|steals)\s+money\s+(?:from|out\s+of)\s+(?:my|her|his|their)\b|"
        rf"\bfinancially\s+(?:abused|exploited)|\bsign\w*\s+over\s+(?:my|his|her|their)\s+(?:house|home|property|savings)|"
        rf"\btaken\s+over\s+(?:my|his|her|their)\s+(?:\w+'s\s+)?(?:flat|house|home)|\bkeep\s+all\s+(?:my|his|her|their)\s+wages|"
        rf"\b(?:make|makes|made|making|forc\w+|bull\w+\s+into)\s+(?:{OBJ}|my\s+\w+|his\s+\w+|her\s+\w+)?\s*(?:to\s+)?"
        rf"(?:carry|carrying|sell|selling|deal|dealing|run|running|move|moving|hold|holding)\s+drugs|"
        rf"\b(?:he'?s|she'?s|they'?re|he\s+is|she\s+is|is|been)\s+(?:\w+\s+)?(?:running|selling|dealing|carrying)\s+drugs\b|"
        rf"\b(?:caught\s+up|involved)\s+in\s+county\s+lines\b|\btaking\s+her\s+benefits\b"), refine=True),
    # ---------------------------------------------------------------- threats, stalking, fear
    Rule("threat to kill or hurt", ("danger",), _words("threat|knife|gun|blade|machete|through"), _rx(
        r"\bthreat\w*\s+(?:\w+\s+){0,3}?to\s+(?:(?:kill|hurt|stab|burn|shoot|cut|harm|beat|batter|attack|break|smash)\s+"
        r"(?:me|her|him|us|you|them|my|his|our|their|the\s+(?:house|flat|place|car))\b|do\s+(?:me|her|him)\s+in)|\b(?:pulled|pulls|held|holds|holding)\s+(?:a\s+)?(?:knife|gun|blade|machete)\s+"
        r"(?:on|to|at)\b|\b(?:knife|gun|blade|machete)\s+(?:to|at|against)\s+(?:my|her|his|their)\s+(?:throat|head|neck|face)|"
        r"\b(?:brick|petrol\s+bomb|rock|stone|firework)s?\s+through\s+(?:my|our|her|his|their)\s+(?:front\s+)?(?:window|door|letterbox)|"
        r"\bthreatened\s+by\s+(?:a|the|his|her|my|some)\s+(?:gang|man|men|lads|neighbour|ex)")),
    Rule("said they will kill or hurt", ("danger",), _words("kill|stab|hurt|shoot|cut|burn|torch|batter|beat|smash|bomb| in|get |break|kids|next time"), _rx(
        r"\b(?:said|says|saying|told|tells|telling|messag\w*|text\w*|shout\w*|scream\w*|keeps\s+saying|threaten\w*|"
        r"swore|swears)\b[^.]{0,60}?\b(?:going\s+to|gonna|will|'ll|ll|'d|would|wants?\s+to|is\s+coming\s+to)\s+"
        r"(?:(?:kill|stab|hurt|shoot|cut|burn|torch|batter|beat|smash|petrol\s+bomb)\s+(?:me|her|him|us|you|them|my|his|her|"
        r"your|the\s+(?:house|flat|car))\b|"
        r"do\s+(?:me|her|him|us|you)\s+in|get\s+(?:me|her|him|us)\b|break\s+"
        r"(?:my|her|his|your)\s+\w+|take\s+the\s+kids)|\bnext\s+time\s+(?:it'?ll|it\s+will|i'?d|i\s+won'?t|she'?ll|he'?ll)\s+"
        r"(?:be\s+(?:my|your|her|his)\s+head|not\s+get\s+up)")),
    Rule("stalking and following", ("danger",), _words("stalk|follow|outside|up|live|lives|go|work|at |change"), _rx(
        rf"\bstalk\w*\s+(?:{OBJ}|my|his|her|our)\b|\b(?:is|been|being|was|keeps?)\s+stalk\w+|\b(?:my|her|his)\s+stalker\b|"
        rf"\bfollow\w*\s+(?:{OBJ}\s+)?home\b|\bwait\w*\s+outside\s+(?:my|her|his|our|their)\s+(?:house|home|flat|door|work|school)|"
        rf"\b(?:turn\w*|show\w*)\s+up\s+(?:at\s+(?:my|her|his|our|the)\s+(?:house|home|flat|work|door)|outside|wherever|everywhere)|"
        rf"\bturns?\s+up\s+everywhere\b|\bknows?\s+where\s+(?:i|she|he|we|my\s+\w+)\s+(?:live|lives|go|goes|work|works)\b|"
        r"\b(?:sat|sits|sitting|parked|parks|waiting|hanging\s+around|standing|stood)\s+outside\s+(?:my|her|his|our|their)\s+"
        r"(?:house|home|flat|door|work)|\b(?:came|comes|come|coming|went|goes)\s+at\s+(?:me|her|him|us)\s+with\b|"
        r"\b(?:had|have|has)\s+to\s+change\s+(?:my|her|his|our)\s+(?:number|phone\s+number|locks)\b")),
    Rule("afraid of a person", ("danger",), _words("scared|afraid|frighten|terrified|petrified|safe"), _rx(
        rf"\b(?:scared|afraid|frightened|terrified|petrified)\s+(?:of\s+(?:him|her|{POSS}\s+(?:\w+\s+)?{PERSON})\b|"
        rf"to\s+go\s+home|(?:he|she)'?ll\s+find)|\bno\s+longer\s+feels?\s+safe\s+at\s+home|"
        rf"\b(?:don'?t|do\s+not|doesn'?t|does\s+not|not|never)\s+(?:feel\s+)?safe\s+(?:at\s+home|in\s+(?:my|her|his|our|their)\s+"
        rf"(?:own\s+)?(?:home|house|flat))|\btoo\s+(?:scared|frightened|afraid)\s+of\s+them\b|\bscared\s+of\s+what\s+he'?ll\b")),
    # ---------------------------------------------------------------- neglect (adults and self)
    Rule("care not given", ("neglect",), _words("fed|wash|changed|bath|clean|food|without|water|eat|floor|wet|soiled|dirty|own |sore|look after|care for|squalor|let anyone|help|taking|carer|pil|chair|clothes|neglect"), _rx(
        r"\b(?:not|hasn'?t|haven'?t|isn'?t|aren'?t|never|doesn'?t|don'?t)\s+(?:(?:been\s+|being\s+|get\s+|getting\s+)?"
        r"(?:fed|washed|bathed)|(?:been|being)\s+(?:changed|cleaned\s+up))\b|\bno\s+food\s+in\s+the\s+(?:house|flat|fridge|cupboards?)|"
        r"(?:\b(?:she|he|i)(?:'s|'m|\s+is|\s+was|\s+has|\s+had|\s+am)?\s+(?:been\s+)?(?:going|gone|went)|\bleaves?\s+(?:her|him|me)|"
        r"\bleft\s+(?:her|him|me))\s+(?:\w+\s+){0,4}?without\s+(?:any\s+)?(?:food|water|meds|medication|heating|"
        r"her\s+meds|his\s+meds)|\bwith\s+no\s+(?:food|water)\b|\b(?:doesn'?t|don'?t|won'?t|never)\s+(?:buy|give|feed|get)\s+"
        r"(?:her|him|them|me)\s+(?:any\s+)?(?:food|meals|water)|\b(?:stopped|isn'?t|is\s+not|not\s+been|no\s+longer|neither\s+of\s+us)\s+"
        r"eat(?:ing|s)?(?:\s+or\s+washing)?\b|\bleft\s+(?:lying\s+)?on\s+the\s+floor\b|\blying\s+on\s+(?:his|her|the)\s+(?:\w+\s+)?floor\s+for\b|"
        r"\bleft\s+(?:sitting\s+|lying\s+)?in\s+(?:a\s+)?(?:wet|soiled|dirty)\b|\bleft\s+in\s+(?:his|her|their)\s+own\s+(?:mess|urine|faeces|"
        r"excrement|filth)|\b(?:a\s+)?pressure\s+sores?\s+(?:nobody|no\s+one|that\s+nobody|not)\b|\bcovered\s+in\s+sores\b|"
        r"\b(?:can'?t|cannot|unable\s+to|can\s+no\s+longer)\s+(?:look\s+after|care\s+for)\s+(?:himself|herself|themselves)\b|"
        r"\bliving\s+in\s+squalor\b|\b(?:won'?t|refuses\s+to)\s+let\s+anyone\s+(?:in|help)\b|\brefuses\s+(?:all\s+)?help\b|"
        r"\bnot\s+(?:been\s+)?taking\s+(?:her|his|their)\s+(?:insulin|meds|medication|tablets)|"
        r"\bcarers?\s+(?:don'?t|didn'?t|never|doesn'?t|keeps?\s+missing|kept\s+missing)\s+(?:turn\s+up|come|came|visit|visits)|"
        r"\b(?:post|mail|letters|milk)\s+pil\w+\s+up|\bsat\s+in\s+the\s+chair\s+all\s+day\b|\bsame\s+clothes\s+(?:on\s+)?"
        r"(?:for|all|every)\b|\bneglect(?:s|ed|ing)?\s+(?:me|her|him|them|my|his|their)\b(?!\s+(?:to|needs|views|area|town|street))"),
        refine=True),
    # ---------------------------------------------------------------- children at risk
    Rule("child left or unfed", ("child-at-risk",), _words("left|leave|hungry|food|school|dirty|heads|head|drunk|high|missing|screaming|dealing|selling|needles|risk|danger|safe"), _rx(
        r"\b(?:kids|children|child|baby|toddler|boy|girl|twins|little\s+one|[\w-]+[- ]year[- ]old)\b(?:\s+\S+){0,4}?\s+"
        r"(?:is\s+|are\s+|were\s+|was\s+|gets?\s+)?left\s+(?:alone|on\s+(?:their|his|her)\s+own|home\s+alone|unsupervised)\b"
        r"(?!\s+to\s+(?:play|explore|get\s+on|enjoy))|\b(?:leaves|leaving|left)\s+(?:our|the|my|her|his|their)\s+(?:[\w-]+\s+){0,3}?(?:[\w-]*year[- ]old|baby|kids|"
        r"children|child|toddler|son|daughter)\s+(?:alone|on\s+(?:their|his|her)\s+own)|\b(?:always|constantly|often)\s+hungry\b|"
        r"\basking\s+(?:us\s+|me\s+)?for\s+food\b|\b(?:haven'?t|hasn'?t|not)\s+been\s+(?:to|in)\s+school\s+(?:in|for)\b|"
        r"\bnever\s+at\s+school\b|\balways\s+dirty\b|\b(?:off\s+(?:their|his|her)\s+heads?|drunk\s+by|drunk\s+every|high\s+every)\b|"
        r"\b(?:going|goes|gone|went|keeps\s+going)\s+missing\b|\bscreaming\s+for\s+hours\b|"
        r"\b(?:dealing|selling\s+drugs)\s+from\s+(?:the|their|his|her)\s+(?:house|flat|home)|\bneedles\s+everywhere\b|"
        r"\b(?:those|the|my|our|her|his|their)\s+(?:two\s+|three\s+|little\s+)?(?:kids|children|child|baby|boy|girl)s?\s+"
        r"(?:\w+\s+){0,2}?(?:is|are)\s+(?:at\s+risk|in\s+danger|not\s+safe|unsafe)\b(?!\s+of\s+(?!harm|abuse|being\s+"
        r"(?:harmed|abused|hurt|exploited|groomed)|exploitation|neglect|significant))")),
    Rule("grooming", ("child-at-risk",), _words("groom|buy|bought|give|gave|older|meet|messages|pretend"), _rx(
        rf"\b(?:was|been|being|got|is|are|were)\s+groomed\b|\bgrooming\s+(?:{OBJ}|my|his|her|our)\b|"
        rf"\b(?:buys?|bought|buying|gives?|gave|giving)\s+(?:{OBJ}|the\s+(?:girls|boys|kids))\s+(?:\w+\s+){{0,3}}?(?:alcohol|drink|"
        rf"drugs|vapes|cigarettes|presents|gifts|lifts)\b|\b(?:an|her|his|with\s+an?)\s+older\s+(?:boyfriend|man)\b|\bgroup\s+of\s+older\s+(?:men|lads)\b|"
        rf"\b(?:asking|asks|asked|wants)\s+(?:{OBJ}|my\s+\w+)\s+to\s+meet\s+(?:up|him)\b|\bsends?\s+(?:him|her|my\s+\w+)\s+messages\s+"
        rf"(?:late\s+at\s+night|at\s+night|all\s+night|in\s+secret)|\bpretending\s+to\s+be\s+a\s+(?:boy|girl|kid|child)")),
    # ---------------------------------------------------------------- added after a second written batch (dev)
    Rule("control and harassment", ("domestic-violence",), _words("let|tells|told|telling|smash|messages|texts|calls|hair|dragg"), _rx(
        rf"\b(?:doesn'?t|does\s+not|don'?t|never|wouldn'?t|won'?t|didn'?t)\s+let\s+{OBJ}\s+(?:(?:have|use)\s+(?:my|her|his|any)\s+"
        r"(?:own\s+)?(?:money|phone|bank\s+card|card|keys|passport|friends)|(?:see|speak\s+to|talk\s+to|phone|ring)\s+(?:my|her|his|"
        r"any|anyone|friends|family)|go\s+out|out\b|leave\b)|\btells?\s+(?:me|her|him)\s+(?:what\s+to\s+wear|who\s+(?:i|she|he)\s+can)|\bsmash\w*\s+(?:my|her|his)\s+"
        r"phone\b|\b(?:hundreds|dozens|loads)\s+of\s+(?:messages|texts|calls)\s+a\s+day\b|\bby\s+(?:my|her|his)\s+hair\b|"
        r"\bdragg?\w*\s+(?:me|her|him)\s+(?:out|across|along|down|up|by|into|round)\b"), refine=True),
    Rule("despair", ("self-harm",), _words("thoughts|around|here|alive|ending|end |point|tablets|pills|cutting"), _rx(
        r"\b(?:dark|black)\s+thoughts\b|\bnot\s+(?:being|be)\s+(?:around|here|alive)\s+any\s?more\b|"
        r"\b(?:thought|thinking|talk\w*|think)\s+(?:about|of)\s+end(?:ing)?\s+(?:it|things|my\s+life|his\s+life|her\s+life)\b|"
        r"\bno\s+point\s+(?:to|in)\s+(?:anything|living|life|going\s+on|being\s+here)\b|"
        r"\b(?:more|extra)\s+(?:of\s+)?(?:her|his|my)\s+(?:tablets|pills|meds)\s+than\b|"
        r"\b(?:tablets|pills|meds|medication)\s+(?:\w+\s+){0,4}?on\s+purpose\b|\bcutting\s+again\b|"
        r"\b(?:i'?ve|i\s+have|she'?s|he'?s|she\s+has|he\s+has)\s+been\s+cutting\b(?!\s+(?:back|down|the|costs|hair|grass|hedges|"
        r"corners|out))")),
    Rule("child in a bad home", ("child-at-risk",), _words("food|beds|face|head|smack|scream|older than"), _rx(
        r"\b(?:kids|children|child|baby|babies|lad|lass|boy|girl|little\s+\w+)\b[^.]{0,60}?\b(?:no|without)\s+(?:food|beds?)\b|"
        r"\b(?:kids|children|child|baby|babies)\b[^.]{0,80}?\boff\s+(?:his|her|their)\s+(?:face|head|heads|faces)\b|"
        r"\b(?:men|man|lads?|blokes?)\s+(?:much\s+|a\s+lot\s+|way\s+)?older\s+than\s+(?:her|him)\b|"
        r"\bscreamed\s+at\s+and\s+(?:smacked|hit|slapped|beaten)\b")),
    Rule("care not given (2)", ("neglect",), _words("left|meal|sores|ulcer|same"), _rx(
        rf"{SUBJ}(?:\s+\S+){{0,3}}?\s+left\s+(?:with\s+)?(?:no|without)\s+(?:heating|food|water|meds|care|help)\b|"
        r"\b(?:hasn'?t|has\s+not|haven'?t|not)\s+(?:had|eaten)\s+(?:a\s+)?(?:proper\s+|hot\s+|decent\s+)?meal\b|"
        r"\bbed\s?sores\b|\b(?:legs?|feet|skin)\s+(?:are|is|were|was|all)\s+ulcerated\b|\bulcerated\s+(?:legs?|feet)\b|\bsame\s+\w+\s+(?:on\s+)?for\s+(?:days|weeks)\b")),
    Rule("abuse (2)", ("abuse",), _words("take|touch|corner"), _rx(
        r"\btake\w*\s+(?:my|his|her|their)\s+(?:pension|benefits|money|bank\s+card|card|wages)\s+off\s+(?:me|her|him)\b|"
        r"\btouch\w*\s+(?:my|her|his)\s+(?:backside|bum|bottom|breasts?|chest|privates|crotch|body)\b|"
        rf"\bcorner\w*\s+{OBJ}\b"), refine=True),
]

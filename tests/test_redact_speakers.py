"""Names from speaker labels and metadata redact the person, not the label's words (issue 20).

Labels in the styles real transcripts use (Teams, Zoom, Otter, plain scripts, parliamentary
records, Welsh names) carry roles and organisations; their words ("government", "Minister",
"public", "council", "opposition", "Wakefield") must survive while the person's full name,
title + surname and unambiguous first name are redacted. The last tests go through the real
``Redactor.redact_many`` (real spaCy)."""
from __future__ import annotations

import re

import pytest

from kilvoice import registry
from kilvoice.records import Utterance
from kilvoice.redact import resolve_overlaps
from kilvoice.redact.speakers import Person, find_people, parse_label

COMMON = ("government", "Government", "council", "Council", "public", "Public", "Minister", "minister",
          "opposition", "Opposition", "Wakefield", "Education", "Services", "Chair", "Health")

# (label, given name, surname): one per label style
LABELS = [
    ("Anand, Anita (Government of Canada)", "Anita", "Anand"),            # Teams "Surname, First (Org)"
    ("Okafor, Jane (Wakefield Council)", "Jane", "Okafor"),
    ("Jane Okafor (Wakefield Council)", "Jane", "Okafor"),                # Teams "First Surname (Org)"
    ("Priya Raghunathan", "Priya", "Raghunathan"),                        # Zoom
    ("Dafydd Pritchard:", "Dafydd", "Pritchard"),                         # plain "Name:" script
    ("Hon. Anita Anand (Minister of Public Services and Procurement)", "Anita", "Anand"),
    ("Lynne Neagle AM", "Lynne", "Neagle"),
    ("Kirsty Williams (Minister for Education)", "Kirsty", "Williams"),
    ("Kirsty Williams AM, Minister for Education", "Kirsty", "Williams"),
    ("Siân Gwenllian: Chair", "Siân", "Gwenllian"),                       # Welsh names
    ("Llŷr Gruffydd AM", "Llŷr", "Gruffydd"),
    ("Hefin David MS", "Hefin", "David"),
    ("Jane Okafor - Head of Public Health, Wakefield Council", "Jane", "Okafor"),
    ("Cllr Imran Qureshi (Opposition Leader, Wakefield Council)", "Imran", "Qureshi"),
    ("Chair (Lynne Neagle)", "Lynne", "Neagle"),
    ("Rt Hon. Sir Keir Starmer KC MP", "Keir", "Starmer"),
    ("PRIYA RAGHUNATHAN", "Priya", "Raghunathan"),
]
GENERIC = ["Speaker 1", "Interviewer", "Chair", "Facilitator", "Participant 3", "Unknown", "Resident B",
           "Member", "Committee", "Clerk", "Witness", "Welsh Government", "Wakefield Council",
           "Public Health Wales", "Speaker 2 (Wakefield Council)", "The Minister"]


def _text(given: str, surname: str) -> str:
    return (f"When is the government going to release the money? Thousands of public servants are "
            f"waiting. The Minister Ms {surname} said the Council and the opposition in Wakefield "
            f"disagree. {given} {surname} answered for the minister; Mr. {surname} and {given} agreed "
            f"that Public Health, Education and Children's Services need the Chair's support.")


@pytest.mark.parametrize("label,given,surname", LABELS)
def test_label_gives_the_person_only(label, given, surname):
    assert parse_label(label) == (Person((given,), surname),)


@pytest.mark.parametrize("label", GENERIC)
def test_generic_and_organisation_labels_name_nobody(label):
    assert parse_label(label) == ()


@pytest.mark.parametrize("label,person", [
    ("Ursula von der Leyen", Person(("Ursula",), "von der Leyen")),
    ("Carlos de la Cruz (Estyn)", Person(("Carlos",), "de la Cruz")),
    ("Seán O'Brien", Person(("Seán",), "O'Brien")),
    ("Aoife McDonagh, Clerk", Person(("Aoife",), "McDonagh")),
    ("Huw Irranca-Davies AM", Person(("Huw",), "Irranca-Davies")),
    ("Helen Mary Jones AM", Person(("Helen", "Mary"), "Jones")),
    ("van der Berg, Jan (Leeds City Council)", Person(("Jan",), "van der Berg")),
])
def test_particles_and_double_names_stay_whole(label, person):
    assert parse_label(label) == (person,)


def test_two_people_in_one_label():
    assert parse_label("Jane Okafor & Imran Qureshi") == (Person(("Jane",), "Okafor"), Person(("Imran",), "Qureshi"))


def _found(text: str, labels) -> set[str]:
    return {text[s:e] for s, e, *_ in resolve_overlaps(list(find_people(text, labels)))}


@pytest.mark.parametrize("label,given,surname", LABELS)
def test_common_words_survive_and_names_go(label, given, surname):
    text = _text(given, surname)
    found = _found(text, [label, "Speaker 1"])
    words = {w for span in found for w in re.findall(r"\w+", span)}
    assert not words & set(COMMON), found
    assert {f"{given} {surname}", f"Ms {surname}", f"Mr. {surname}", given} <= found


def test_common_word_names_are_names_only_as_a_whole():
    labels = ["Mark Reckless AM", "Dawn Bowden AM", "Grace Brown (Wakefield Council)", "Will Power"]
    text = ("Mark Reckless asked. Mark my words: a reckless plan at dawn. Dawn Bowden agreed. Ms Brown said "
            "the brown bins are fine. Mr Reckless, will power do? Will Power replied. Bowden left. May we?")
    assert _found(text, labels) == {"Mark Reckless", "Dawn Bowden", "Ms Brown", "Mr Reckless", "Will Power",
                                    "Bowden"}


@pytest.mark.parametrize("text,name", [
    ("Thank you, Dawn.", "Dawn"), ("I'll go to Michelle now, Mark, because time is short.", "Mark"),
    ("Dawn, before you ask your question.", "Dawn"), ("As Dawn said, it is not just that.", "Dawn"),
    ("Dawn.", "Dawn"), ("Yes, Grace's point stands.", "Grace"), ("Dawn has a question on transition.", "Dawn"),
])
def test_common_word_first_names_said_to_or_about_someone(text, name):
    assert _found(text, ["Mark Reckless AM", "Dawn Bowden AM", "Grace Brown"]) == {name}


@pytest.mark.parametrize("text", ["Dawn broke over the estate.", "Mark the date: it opens in May.",
                                  "Grace and favour homes.", "A brown envelope at dawn."])
def test_common_word_first_names_as_words(text):
    assert _found(text, ["Mark Reckless AM", "Dawn Bowden AM", "Grace Brown", "May Jones"]) == set()


def test_rare_names_in_lower_case_are_still_names():
    assert _found("we asked anita anand and then anand and anita", ["Anand, Anita (Government)"]) == {
        "anita anand", "anand", "anita"}


def test_accents_and_spelling_of_welsh_names_match_either_way():
    text = "Sian Gwenllian asked Llyr; Siân replied to Mr Gruffydd."
    assert _found(text, ["Siân Gwenllian AM", "Llŷr Gruffydd AM"]) == {
        "Sian Gwenllian", "Llyr", "Siân", "Mr Gruffydd"}


@pytest.fixture(scope="module")
def redactor():
    return registry.create("kilvoice.redact.spacy_uk.v1", style="pseudonym")


@pytest.mark.slow
def test_redact_many_keeps_label_words(redactor):
    notes, expected = [], []
    for label, given, surname in LABELS:
        utts = [Utterance(0, _text(given, surname), speaker=label),
                Utterance(1, "Thank you. The government and the council will publish it.", speaker="Speaker 1")]
        notes.append(utts)
        expected.append((given, surname))
    results = redactor.redact_many(notes, [["Speaker 2 (Wakefield Council)"]] * len(notes))
    for (given, surname), (utts, spans, _), note in zip(expected, results, notes):
        text = " ".join(u.text for u in utts)
        raw = " ".join(u.text for u in note)
        for word in COMMON:
            assert len(re.findall(rf"\b{word}\b", text)) == len(re.findall(rf"\b{word}\b", raw)), (word, text)
        assert given not in text and surname not in text, text
        assert "[PERSON_" in text and all(u.speaker is None for u in utts)


@pytest.mark.slow
def test_redact_many_metadata_name_with_role(redactor):
    utts = [Utterance(0, "Doreen said the council should ask the public. I told Ms Hartley the "
                         "Wakefield Council officer agreed.", speaker=None)]
    (red, spans, _), = redactor.redact_many([utts], [["Doreen Hartley (Wakefield Council)"]])
    assert red[0].text.count("[PERSON_") == 2
    for word in ("council", "public", "Wakefield Council"):
        assert word in red[0].text


@pytest.mark.slow
@pytest.mark.parametrize("text", [
    "Thank you, Chair. Thank you, Minister, and thank you, Deputy Minister.",
    "As the Minister said, the Welsh Government and the Senedd agree; I've said so to the Committee.",
])
def test_forms_of_address_are_not_names(redactor, text):
    assert redactor.find(text) == []


@pytest.mark.slow
@pytest.mark.shared
def test_senedd_transcripts_keep_their_words(redactor):
    """Real committee transcripts, speakers as known names: issue 20's acceptance on 6 meetings."""
    import csv
    from collections import defaultdict

    from tests.conftest import shared_path

    meetings = defaultdict(list)
    with shared_path("senedd-committee", "turns.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            meetings[row["meeting_id"]].append(Utterance(int(row["turn"]), row["content"], speaker=row["speaker"]))
    notes = [sorted(meetings[m], key=lambda u: u.index) for m in sorted(meetings)[:6]]
    segmenter = registry.create("kilvoice.segment.sentences.v2")
    results = redactor.redact_many(notes, [sorted({u.speaker for u in n}) for n in notes])
    raw = " ".join(u.text for n in notes for u in n)
    outs = [[s.text for s in segmenter.run(str(i), list(red))[0]] for i, (red, _, _) in enumerate(results)]
    out = " ".join(t for texts in outs for t in texts)

    def kept(word):
        return len(re.findall(rf"\b{word}\b", out)) / len(re.findall(rf"\b{word}\b", raw))

    for word in ("government", "Minister", "public"):
        assert kept(word) >= 0.9 * kept("the"), word
    surnames = {u.speaker.replace(" AM", "").split()[-1] for n in notes for u in n}
    assert not re.search(r"\b(?:Mr|Mrs|Ms|Dr|Hon)\.?\s+(?:" + "|".join(surnames) + r")\b", out)
    named = left = 0
    for note, texts in zip(notes, outs):  # each meeting's speakers' full names
        names = {u.speaker.replace(" AM", "").replace("Dr ", "") for u in note}
        named += sum(u.text.count(n) for u in note for n in names)
        left += sum(t.count(n) for t in texts for n in names)
    assert named > 20 and left == 0

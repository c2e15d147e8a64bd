"""Redaction: each label's formats, what must survive, adversarial inputs, pseudonyms, styles,
safeguarding. Real spaCy (session-scoped redactor)."""
from __future__ import annotations

import json

import pytest

from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.records import Utterance
from kilvoice.redact import Redactor, safeguarding_categories
from kilvoice.redact.patterns import nhs_checksum_ok

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return registry.create("kilvoice.redact.spacy_uk.v1", style="pseudonym")


def found(redactor, text, label=None):
    spans = redactor.find(text)
    return [(text[s.start:s.end], s.label) for s in spans if label is None or s.label == label]


@pytest.mark.parametrize("text,value", [
    ("ring her on 07700 900123 please", "07700 900123"),
    ("ring her on 07700900123 please", "07700900123"),
    ("ring her on 07700-900-123 please", "07700-900-123"),
    ("call +44 7700 900 123 today", "+44 7700 900 123"),
    ("call +44 (0)7700 900123 today", "+44 (0)7700 900123"),
    ("office (0113) 496 0000 weekdays", "(0113) 496 0000"),
    ("office 01924 306090 weekdays", "01924 306090"),
    ("office 020 7946 0018 weekdays", "020 7946 0018"),
    ("office 0300 123 4567 weekdays", "0300 123 4567"),
])
def test_phone_formats(redactor, text, value):
    assert (value, "PHONE") in found(redactor, text)


@pytest.mark.parametrize("text,value", [
    ("email jo.bloggs@example.co.uk now", "jo.bloggs@example.co.uk"),
    ("email jo dot bloggs at gmail dot com now", "jo dot bloggs at gmail dot com"),
    ("email jo.bloggs at gmail.com now", "jo.bloggs at gmail.com"),
    ("email jo (at) btinternet (dot) com now", "jo (at) btinternet (dot) com"),
])
def test_email_formats(redactor, text, value):
    assert (value, "EMAIL") in found(redactor, text)


@pytest.mark.parametrize("text,value", [
    ("lives in WF9 8NB now", "WF9 8NB"), ("lives in wf9 8nb now", "wf9 8nb"), ("lives in WF98NB now", "WF98NB"),
    ("lives in SW1A 1AA now", "SW1A 1AA"), ("send to GIR 0AA now", "GIR 0AA"), ("lives in M1 1AE now", "M1 1AE"),
])
def test_postcode_formats(redactor, text, value):
    assert (value, "POSTCODE") in found(redactor, text)


@pytest.mark.parametrize("text,value", [
    ("she lives at 12 Cinder Lane near the shops", "12 Cinder Lane"),
    ("she lives at Flat 3, 14 Oak Tree Close", "Flat 3, 14 Oak Tree Close"),
    ("she lives at 72 Westgate in town", "72 Westgate"),
    ("she lives at 4a Station Road now", "4a Station Road"),
])
def test_address_formats(redactor, text, value):
    assert (value, "ADDRESS") in found(redactor, text)


@pytest.mark.parametrize("text,value", [
    ("NI number AB123456C thanks", "AB123456C"), ("NI number AB 12 34 56 C thanks", "AB 12 34 56 C"),
    ("ni number ab123456c thanks", "ab123456c"),
])
def test_ni_formats(redactor, text, value):
    assert (value, "NI_NUMBER") in found(redactor, text)


def test_ni_invalid_prefix_is_redacted_for_review():
    # QQ123456C is the classic dummy NI number; people write it in notes. Redact it, but at a
    # score below the review threshold so an officer sees it in the queue.
    r = Redactor(use_ner=False)
    spans = [s for s in r.find("code DA123456C and QQ123456C") if s.label == "NI_NUMBER"]
    assert len(spans) == 2
    assert all(s.score < r.review_threshold for s in spans)
    assert not [s for s in r.find("flight BA1234 at gate 12") if s.label == "NI_NUMBER"]


def test_nhs_checksum_and_context(redactor):
    assert nhs_checksum_ok("9434765919") and not nhs_checksum_ok("9434765918")
    assert ("943 476 5919", "NHS_NUMBER") in found(redactor, "her number 943 476 5919 was read out")
    spans = [s for s in redactor.find("NHS number 943 476 5918 (misheard)") if s.label == "NHS_NUMBER"]
    assert spans and spans[0].score < redactor.review_threshold  # failed checksum: redacted, reviewed
    assert not found(redactor, "ring 943 476 5918 today", "NHS_NUMBER")


@pytest.mark.parametrize("text,value", [
    ("Mrs Khan, DOB 01/07/1978, said", "01/07/1978"), ("she was born on 14 February 1972 here", "14 February 1972"),
    ("date of birth: 3rd March 1950", "3rd March 1950"), ("d.o.b. 12-08-48 ok", "12-08-48"),
    ("his birthday is 3 March", "3 March"),
])
def test_dob_formats(redactor, text, value):
    assert (value, "DATE_OF_BIRTH") in found(redactor, text)


def test_other_dates_survive(redactor):
    assert not found(redactor, "We met on 12/03/2024 at the library. Over 1,300 conversations happened in 2022.")
    text = "Born and bred here. The fair is on 3 June 2025."
    assert not found(redactor, text, "DATE_OF_BIRTH")


@pytest.mark.parametrize("text", [
    "The 110 bus to Pontefract only runs every 2 hours.",
    "The X42 is always late and the 195 bus never comes.",
    "Parking costs £2.50 for 3 hours near the A638.",
    "The M62 junction 30 is always busy at 8.30am.",
    "Cinder Lane is dangerous and Victoria Street needs lights.",
    "Castleford Library and Pontefract Leisure Centre are brilliant.",
    "Wakefield Council should fund Citizens Advice and the food bank in Hemsworth.",
    "People in WF9 and KV3 said the park in Warren County is lovely.",
    "Aged 72, she has lived in Featherstone since 1965.",
    "Will the council fix the roads? May is the best month for the gala.",
])
def test_not_personal_data_survives(redactor, text):
    assert found(redactor, text) == []


@pytest.mark.parametrize("text,value", [
    ("Spoke to Doreen outside the shop", "Doreen"),
    ("Contact Mrs Hartley on Tuesday", "Mrs Hartley"),
    ("Doreen Hartley agreed with that", "Doreen Hartley"),
    ("my neighbour Przemyslaw Nowak helps", "Przemyslaw Nowak"),
    ("I spoke to ravi about it", "ravi"),           # lower case after a cue
    ("we chatted with mrs hartley for ages", "mrs hartley"),
    ("Notes from Aisha Begum: more buses", "Aisha Begum"),
    ("Okonkwo said the park is lovely", "Okonkwo"),  # unknown name before a speech verb
])
def test_person_formats(redactor, text, value):
    assert (value, "PERSON") in found(redactor, text)


def test_known_names_always_redacted(redactor):
    utts = [Utterance(0, "zelphine told us the bins are great", speaker="Zelphine Quarrie")]
    red, spans, _ = redactor.redact_note(utts, known_names=["Quarrie"])
    assert "zelphine" not in red[0].text.lower() and red[0].speaker is None
    assert spans[0][0].source == "known"


def test_pseudonyms_consistent_within_note(redactor):
    utts = [
        Utterance(0, "Doreen Hartley said the park is lovely. Ring 07700 900123."),
        Utterance(1, "Mrs Hartley also said the buses are late; Doreen wants more."),
        Utterance(2, "Spoke to Gareth Jones too, on 07700900123."),
    ]
    red, spans, flags = redactor.redact_note(utts)
    assert red[0].text == "[PERSON_1] said the park is lovely. Ring [PHONE_1]."
    assert red[1].text == "[PERSON_1] also said the buses are late; [PERSON_1] wants more."
    assert red[2].text == "Spoke to [PERSON_2] too, on [PHONE_1]."
    assert flags == []
    log = json.dumps([[s.__dict__ for s in sp] for sp in spans])  # JSON-serialisable, no text
    assert "Hartley" not in log and "07700" not in log


def test_pseudonyms_restart_per_note(redactor):
    a, b = redactor.redact_many([[Utterance(0, "Spoke to Doreen")], [Utterance(0, "Spoke to Gareth")]])
    assert a[0][0].text == b[0][0].text == "Spoke to [PERSON_1]"


@pytest.mark.parametrize("style,expected", [
    ("label", "Spoke to [PERSON] on [PHONE]."), ("remove", "Spoke to  on ."),
    ("pseudonym", "Spoke to [PERSON_1] on [PHONE_1]."),
])
def test_styles(style, expected):
    r = registry.create("kilvoice.redact.spacy_uk.v1", style=style)
    assert r.redact_note([Utterance(0, "Spoke to Doreen on 07700 900123.")])[0][0].text == expected
    assert style in json.dumps(r.settings) and r.name.startswith("kilvoice.redact.spacy_uk.v1#")


def test_unknown_style_is_an_error():
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.redact.spacy_uk.v1", style="blackout")
    assert err.value.code == "K600"


def test_skip_leaves_rejected_span(redactor):
    utts = [Utterance(3, "Spoke to Doreen today")]
    spans = redactor.find(utts[0].text)
    red, kept, _ = redactor.redact_note(utts, skip={(3, spans[0].start, spans[0].end)})
    assert red[0].text == "Spoke to Doreen today" and kept == [[]]


@pytest.mark.parametrize("text,category", [
    ("She said she has thought about suicide lately.", "self-harm"),
    ("Her partner hits her when he drinks.", "domestic-violence"),
    ("He told me he was abused as a boy.", "abuse"),
    ("The kids are left alone for days.", "child-at-risk"),
    ("Her dad hasn't been fed or washed since the carers stopped coming.", "neglect"),
    ("He threatened to kill her last week.", "danger"),
    ("Those children are at risk, someone should call child protection.", "child-at-risk"),
])
def test_safeguarding_categories(redactor, text, category):
    assert category in safeguarding_categories(text)
    _, _, flags = redactor.redact_note([Utterance(0, text)])
    assert ("safeguarding", category, 0) in flags  # the category and the utterance it was found in
    assert all(text not in reason for _, reason, _ in flags)


def test_safeguarding_quiet_on_ordinary_notes():
    assert safeguarding_categories("The park is neglected and the buses are late. Great library!") == []

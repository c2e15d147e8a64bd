"""westminster16 (issue 16): committee transcripts other than the Senedd's. Segment v4's rule set 2
(the clerk's record, turn management, introductions, deferrals), "hon." kept inside its sentence,
question numbers before speaker labels, and the theme stage's chairing words; measured on the
invented Westminster-style meetings in ``benchmarks/labels/westminster-committee.txt``."""
import importlib.util
from pathlib import Path

import pytest

from conftest import shared_path
from kilvoice import registry
from kilvoice.ingest.formats import Context, iter_notes
from kilvoice.ingest.formats.roles import facilitators, speaker_label, turn_utterances
from kilvoice.records import Utterance
from kilvoice.segment import make_segmenter_v3, make_segmenter_v4
from kilvoice.substantive import reason
from kilvoice.topics.procedural import chairing_keywords

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "transcripts_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("transcripts_bench_w16", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("text,role,code", [
    # the clerk's record of a bill committee
    ("The Committee divided: Ayes 6, Noes 9.", "unknown", "K657"),
    ("Question accordingly negatived.", "unknown", "K657"),
    ("Amendment, by leave, withdrawn.", "unknown", "K657"),
    ("Clause 2 accordingly ordered to stand part of the Bill.", "unknown", "K657"),
    ("Adjourned till Thursday 14 May at half-past Eleven o'clock.", "unknown", "K657"),
    ("Examination of witnesses concluded.", "unknown", "K657"),
    # turn management, courtesies, deferrals and introductions of the answering side
    ("Yes. Mine is just a short question.", "resident", "K657"),
    ("A short answer, please.", "resident", "K657"),
    ("I don't have the exact figure with me.", "resident", "K657"),
    ("I cannot give him a date today.", "resident", "K657"),
    ("I am happy to place a copy of the letter in the Library.", "resident", "K657"),
    ("It is a pleasure to be here.", "resident", "K656"),
    ("[PERSON_1], director of primary care at the Northvale Integrated Care Board.", "resident", "K656"),
    ("Good morning. I am [PERSON_2], chair of the Association of Practice Partners.", "resident", "K656"),
    ("Dr Sian Rees, Rural Transport Action.", "resident", "K656"),
    # views that share words with those rules stay
    ("I call the council every week and nobody answers.", "resident", None),
    ("Could we switch to LED street lights to save money?", "resident", None),
    ("The short answer is that we do not have enough GPs.", "resident", None),
    ("Wakefield Council, the chief executive never answers letters.", "resident", None),
    ("Friendly Staff, Lovely Nurses.", "resident", None),
    ("Recently, environment secretary George Eustice authorised the use of dangerous pesticides.", "resident", None),
    ("Nobody ordered that the library should close, it just happened.", "resident", None),
    ("Supplementary schools on Saturdays keep the children's languages alive.", "resident", None),
    ("Our energy bills have doubled and the council tax went up again.", "resident", None),
])
def test_rule_set_2(text, role, code):
    assert reason(text, role, rules=2) == code


@pytest.mark.parametrize("text", [
    "The Committee divided: Ayes 6, Noes 9.", "[PERSON_1], director of primary care at the Northvale Integrated Care Board.",
    "It is a pleasure to be here.", "I don't have the exact figure with me."])
def test_rule_set_1_is_v3s(text):
    """v3 (rule set 1) keeps these, so pipeline files naming v3 give the statements they gave."""
    assert reason(text, "resident") is None and reason(text, "resident", rules=1) is None


def test_v4_is_registered_and_keeps_hon_in_its_sentence():
    v4 = registry.create("kilvoice.segment.sentences.v4")
    text = ("As my hon. Friend the Member for Lowfield said, towns like hers have lost half their evening "
            "services. Guiding principle No. 3 is the confidence of parents.")
    utt = [Utterance(index=0, text=text, role="resident", speaker="Ms Price")]
    v4_texts = [s.text for s in v4.run("c", utt)[0]]
    assert v4_texts[0].startswith("As my hon. Friend the Member for Lowfield said, towns like hers")
    assert any(t.startswith("Guiding principle No. 3 is") for t in v4_texts)
    v3_texts = [s.text for s in make_segmenter_v3(point_words=0).run("c", utt)[0]]
    assert not any(t.startswith("As my hon. Friend") for t in v3_texts)  # v3's cut, kept for old pipeline files
    assert make_segmenter_v4().rules == 2


def test_question_numbers_are_not_part_of_the_speaker():
    assert speaker_label("Q45 Chair") == "Chair"
    assert speaker_label("Q 7. Ms Carrow") == "Ms Carrow"
    assert speaker_label("Queenie Hart") == "Queenie Hart"
    turns = [("Q45 Chair", "Good morning. What is the main reason patients cannot get an appointment?"),
             ("Dr Okafor", "Demand has grown by a fifth and the number of GPs has not."),
             ("Q46 Chair", "And what would make the difference?"),
             ("Dr Okafor", "Funding premises, so the staff we recruit have somewhere to work."),
             ("Q47 Mr Oduya", "Who owns the buildings?"),
             ("Dr Okafor", "Mostly the partners themselves."),
             ("Q48 Mr Oduya", "Could you say more about that? The partners are retiring."),
             ("Dr Okafor", "A retiring partner who cannot sell the building often means the practice closes.")]
    side = facilitators(turns, None, set())
    assert side == {"Chair", "Mr Oduya"}
    utts = turn_utterances(turns, side, lambda text: None)
    assert {u.speaker for u in utts if u.role == "resident"} == {"Dr Okafor"}
    assert {u.speaker for u in utts if u.role == "conversationalist"} == {"Chair", "Mr Oduya"}


def test_a_name_text_script_with_question_numbers(tmp_path):
    """A select committee transcript saved as "Name: text" lines ("Q45 Chair: ..."): the chair's
    numbered turns are one speaker's, left out as the facilitator's (K658)."""
    path = tmp_path / "committee.txt"
    path.write_text(
        "ID: WM-0001\nArea: Kelvale\nSetting: other\n\n"
        "Q45 Chair: Good morning. Can I start with the waiting lists?\n"
        "Dr Okafor: The waiting list has doubled since the practice lost two partners.\n"
        "Q46 Chair: Why did they leave?\n"
        "Dr Okafor: They were working eleven-hour days and could not recruit anyone to share the load.\n"
        "Q47 Chair: Thank you. And the phone lines?\n"
        "Dr Okafor: People ring at eight and the appointments are gone by half past.\n", encoding="utf-8")
    (note,) = list(iter_notes(path, Context(source=path.name, display=path.name)))
    roles = {u.speaker: u.role for u in note.utterances}
    assert roles == {"Chair": "conversationalist", "Dr Okafor": "resident"}


def test_chairing_words_of_a_westminster_committee():
    assert chairing_keywords(["hon", "friend", "member", "question", "switch", "minister", "gentleman", "order"])
    assert not chairing_keywords(["energy", "bills", "prices", "switch", "suppliers", "cap", "afford", "heating"])
    assert not chairing_keywords(["friends", "lonely", "group", "club", "coffee", "meet", "family", "older"])


def test_westminster_labels_filter(bench):
    """On the invented meetings, v4 keeps every labelled view and leaves out the record,
    introductions and courtesies v3 kept; the roles find every questioner."""
    from kilvoice.substantive import reason as why

    v4 = bench._scores([(s["gold"], why(s["text"], s["role"], 2)) for s in bench.westminster_statements(2)])
    v3 = bench._scores([(s["gold"], why(s["text"], s["role"], 1)) for s in bench.westminster_statements(1)])
    assert v4["substantive"] >= 60 and v4["recall"] == 1.0
    assert v4["precision"] >= 0.95 > v3["precision"]
    roles = bench.westminster_roles()
    assert roles["facilitator_precision"] == 1.0 and roles["facilitator_recall"] == 1.0


@pytest.mark.shared
def test_rule_set_2_does_not_change_the_senedd_labels(bench):
    shared_path("senedd-committee", "turns.csv")
    result = {r: bench.filter_eval(r) for r in (1, 2)}
    for key in ("senedd/test", "senedd/dev", "notes/all"):
        assert result[2][key]["precision"] >= result[1][key]["precision"]
        assert result[2][key]["recall"] >= result[1][key]["recall"]
    assert result[2]["senedd/test"]["recall"] >= 0.95 and result[2]["notes/all"]["recall"] == 1.0


@pytest.mark.shared
def test_senedd_roles_still_meet_their_bar(bench):
    """Question numbers never appear in the Senedd labels, so its chairs and questioners are found as before."""
    shared_path("senedd-committee", "turns.csv")
    roles = bench.roles_eval()
    assert roles["facilitator_precision"] >= 0.95 and roles["facilitator_recall"] >= 0.9

"""Issue 16: substantive statements, roles in multi-party transcripts, speech cleaning and the
transcript export readers (Otter .txt, Zoom/Teams .vtt)."""
from pathlib import Path

import pytest

from kilvoice.ingest.formats import Context, iter_notes
from kilvoice.ingest.formats.roles import inferred_facilitators
from kilvoice.records import Utterance
from kilvoice.segment import make_segmenter_v2, make_segmenter_v3
from kilvoice.substantive import reason, speech_text

SAMPLES = Path(__file__).resolve().parent.parent / "corpora" / "samples" / "transcripts"


@pytest.mark.parametrize("text,code", [
    ("Yeah, yeah, no, it's fine.", "K655"),
    ("Mm. Right, okay.", "K655"),
    ("Good morning, everyone, and thank you for coming.", "K656"),
    ("Can I ask Members if there are any declarations of interest, please?", "K657"),
    ("Moving on, then, to item 2 this afternoon.", "K657"),
    ("—or they can be in a zone or they can—", "K659"),
    ("The library is only open three days a week now.", None),
    ("The people.", None),
    ("Schools are struggling to recruit.", None),
    # a chamber's courtesies and business, deferrals, and pieces cut off at one end
    ("I thank the honourable Member for her question.", "K657"),
    ("Will the Minister give way?", "K657"),
    ("It is a pleasure to serve under your chairmanship, Mr Chair.", "K657"),
    ("Not off the top of my head, but I can let you know.", "K657"),
    ("Just very briefly.", "K657"),
    ("The schools would have to make sure that—", "K659"),
    ("Those remain strong.", None),
    ("I thank the honourable Member, but the hospital car park charges are driving nurses away.", None),
])
def test_reason_codes(text, code):
    assert reason(text) == code


def test_the_facilitator_side_is_left_out_whatever_it_says():
    assert reason("The buses are awful since the cuts.", "conversationalist") == "K658"


def test_speech_text_drops_disfluencies_not_words():
    said = "The buses are, erm, you know, really bad, I, I think."
    assert speech_text(said, hedges=False) == "The buses are really bad, I think."
    assert speech_text(said) == "The buses are bad."
    assert speech_text("Call [PERSON_1] about the park.") == "Call [PERSON_1] about the park."


def test_chair_and_questioners_found_without_names():
    turns = [("Speaker 1", "Good evening and welcome. What's good about the area?"),
             ("Speaker 2", "The park is lovely and the cafe is always busy."),
             ("Speaker 1", "And what would make it better?"),
             ("Speaker 2", "More buses in the evening."),
             ("Speaker 3", "Could the library open on Saturdays?"),
             ("Speaker 2", "A youth club for the teenagers.")]
    assert inferred_facilitators(turns) == {"Speaker 1"}
    # one speaker only: nobody to facilitate
    assert inferred_facilitators(turns[1:2]) == set()


def test_v3_rejects_with_codes_and_v2_is_unchanged():
    utts = [Utterance(0, "Good morning, everyone. What's strong about the area?", role="conversationalist"),
            Utterance(1, "Yeah, yeah. The market hall is the heart of the town and it's always busy.", role="resident"),
            Utterance(2, "Mm, mm.", role="resident")]
    st, rj = make_segmenter_v3().run("c", utts)
    assert [s.text for s in st] == ["Yeah, yeah. The market hall is the heart of the town and it's always busy."]
    assert sorted(r.code for r in rj) == ["K655", "K658", "K658"]
    st2, _ = make_segmenter_v2().run("c", utts)
    assert len(st2) == 2  # v2 keeps the backchannel, so old pipeline files reproduce


def test_otter_txt_and_zoom_vtt_read_as_transcripts():
    otter = SAMPLES / "lowther-dale-cafe-otter-2022-09-14.txt"
    note = next(iter_notes(otter, Context(source=otter.name, display=otter.name)))
    assert {u.speaker: u.role for u in note.utterances} == {"Speaker 1": "conversationalist", "Speaker 2": "resident"}
    assert note.meta["id"] == "BC-0307"
    assert any(u.question == "future" for u in note.utterances if u.role == "resident")
    zoom = SAMPLES / "holmefield-surgery-zoom-2022-08-30.vtt"
    note = next(iter_notes(zoom, Context(source=zoom.name, display=zoom.name)))
    roles = {u.speaker: u.role for u in note.utterances}
    assert roles["Imran Qureshi"] == "conversationalist" and roles["Gwen Oldroyd"] == "resident"


def test_teams_docx_and_plain_script_read_as_transcripts():
    docx = SAMPLES / "kelvale-market-hall-teams-2022-07-28.docx"
    note = next(iter_notes(docx, Context(source=docx.name, display=docx.name)))
    # "Edwards-Lyle, Marcia" is not the metadata's "Marcia Edwards-Lyle": found by what she says
    assert {u.speaker: u.role for u in note.utterances} == {
        "Edwards-Lyle, Marcia": "conversationalist", "Dev Patel": "resident", "Agnieszka Nowak": "resident"}
    assert "0:00" not in note.text
    script = SAMPLES / "brackenhill-welfare-script-2022-06-23.txt"
    note = next(iter_notes(script, Context(source=script.name, display=script.name)))
    assert {u.speaker: u.role for u in note.utterances} == {
        "Siobhan": "conversationalist", "Bill Hirst": "resident", "Tanya Hirst": "resident"}
    assert [u.question for u in note.utterances if u.role == "resident"][-2:] == ["future", "future"]


def test_a_note_with_labels_is_not_a_script():
    from kilvoice.ingest.formats.transcripts import script_turns

    lines = ["Good: the park, the library.", "Better: buses.", "Good: the people.", "Better: a youth club."]
    assert script_turns(lines) is None
    assert script_turns(["Ann: hello there", "Bob: hi", "Ann: the park?", "Bob: the park is lovely"]) is not None


def test_named_facilitator_wins_over_inference():
    from kilvoice.ingest.formats import transcript_utterances

    turns = [("Ann", "The park is lovely?"), ("Bob", "What do you like?"), ("Ann", "The cafe."), ("Bob", "Why?")]
    utts = transcript_utterances(turns, "Ann")
    assert {u.speaker: u.role for u in utts} == {"Ann": "conversationalist", "Bob": "resident"}


def test_reach_counts_distinct_resident_speakers_when_metadata_is_silent(tmp_path):
    path = tmp_path / "panel.vtt"
    path.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\n<v Host>What's good about the area?\n\n"
                    "00:02.000 --> 00:04.000\n<v Ann>The park.\n\n00:04.000 --> 00:06.000\n<v Bob>The market.\n\n"
                    "00:06.000 --> 00:08.000\n<v Ann>And the library.\n", encoding="utf-8")
    note = next(iter_notes(path, Context(source=path.name, display=path.name)))
    assert note.meta["residents"] == 2
    otter = SAMPLES / "lowther-dale-cafe-otter-2022-09-14.txt"  # says Residents: 1 itself
    assert next(iter_notes(otter, Context(source=otter.name, display=otter.name))).meta["residents"] == 1


def test_a_transcript_turn_becomes_points_and_a_note_stays_sentences():
    long = ("The library is only open three days a week now. The computers are always booked. "
            "People who need to do forms online cannot get on. The staff are lovely but there are two of them. "
            "On a Saturday the queue is out of the door. My neighbour gave up and paid someone to do it. "
            "That cannot be right for the next generation.")
    question = Utterance(0, "What would make it better?", role="conversationalist")
    answer = Utterance(1, long, role="resident")
    st, _ = make_segmenter_v3(point_words=25).run("c", [question, answer])
    assert 2 <= len(st) < 7 and all(s.text in long for s in st)
    assert " ".join(s.text for s in st) == long  # every sentence kept, in order
    note, _ = make_segmenter_v3(point_words=25).run("n", [Utterance(0, long, role="resident")])
    assert len(note) == 7  # typed notes are not regrouped


def test_timed_turns_skip_a_teams_title_but_not_prose():
    from kilvoice.ingest.formats.transcripts import timed_turns

    teams = ["Ward forum", "1 September 2022, 10:02am", "", "Ann Lee   0:00:03", "Welcome, what's good here?",
             "Bob Ray   0:00:09", "The library."]
    assert timed_turns(teams) == [("Ann Lee", "Welcome, what's good here?"), ("Bob Ray", "The library.")]
    prose = ["Spoke to a man at the market.", "He said the buses are late.", "Also the lights.", "And the bins.",
             "Ann Lee   0:00:03", "hello", "Bob Ray   0:00:09", "hi"]
    assert timed_turns(prose) is None


@pytest.mark.parametrize("text,expected", [
    ("[PERSON_2], [PHONE_1] - happy to help set a hub up.", "- happy to help set a hub up."),
    ("Wants follow up re Tanner Row parking - [PHONE_1]. Lives [ADDRESS_1] [POSTCODE_1].",
     "Wants follow up re Tanner Row parking -. Lives."),
    ("Dr [PERSON_1] was lovely", "Dr was lovely"),
    ("No placeholder here, [Laughter] stays", "No placeholder here, [Laughter] stays"),
    ("[PERSON_1], [PHONE_1].", "[PERSON_1], [PHONE_1]."),  # nothing else left: the text itself
])
def test_without_placeholders(text, expected):
    from kilvoice.substantive import without_placeholders

    assert without_placeholders(text) == expected

from kilvoice.records import Utterance
from kilvoice.segment import SentenceSegmenter


def test_bullets_headings_and_sentences():
    seg = SentenceSegmenter(min_words=3)
    text = "What's good:\n- Loves the park. Great.\n- wants more for teens - nothing after 6pm\nThe 110 bus is late."
    statements, rejects = seg.run("c1", [Utterance(0, text, question="strong")])
    assert [s.text for s in statements] == [
        "Loves the park. Great.", "wants more for teens - nothing after 6pm", "The 110 bus is late."]
    assert all(s.question == "strong" and s.conversation_id == "c1" for s in statements)
    assert [s.id for s in statements] == ["c1-u0-s0", "c1-u0-s1", "c1-u0-s2"]
    assert rejects == []


def test_only_residents_words_become_statements():
    seg = SentenceSegmenter()
    utts = [Utterance(0, "So what do you like about living here?", role="conversationalist"),
            Utterance(1, "The community centre is brilliant for us older ones.", role="resident")]
    statements, _ = seg.run("c2", utts)
    assert [s.utterance_index for s in statements] == [1]


def test_placeholder_only_statement_is_rejected_with_reason():
    statements, rejects = SentenceSegmenter().run("c3", [Utterance(0, "[PERSON_1] [PHONE_1]")])
    assert statements == []
    assert [(r.stage, r.code, r.reason) for r in rejects] == [("segment", "empty", "no words left after redaction")]


def test_placeholders_are_never_split():
    text = "Bozena is keen, tel. [PHONE_1] - would volunteer as an interpreter. Call [PERSON_2] too."
    statements, _ = SentenceSegmenter().run("c4", [Utterance(0, text)])
    joined = " | ".join(s.text for s in statements)
    assert "[PHONE_1]" in joined and "[PERSON_2]" in joined
    assert all(s.text.count("[") == s.text.count("]") for s in statements)


def test_markdown_marks_are_not_statements():
    """Typed notes in Markdown: bold headings go, quote and emphasis marks are stripped."""
    seg = SentenceSegmenter(min_words=3)
    text = ("**Good**\n- the *library staff* are so patient\n> \"Shop local or lose it.\"\n"
            "**Worse / better:**\n**Better buses:** the 110 never comes\nPeople will **turn out** for it.\n"
            "**We need buses!**\nThe 2 * 3 timetable is fine.")
    statements, _ = seg.run("c1", [Utterance(0, text)])
    assert [s.text for s in statements] == [
        "the library staff are so patient", '"Shop local or lose it."', "Better buses: the 110 never comes",
        "People will turn out for it.", "We need buses!", "The 2 * 3 timetable is fine."]


def test_opening_lines_on_where_and_whom_are_context_not_statements():
    """v2: before a note's first question, the opening run of verbless lines ("Ryecroft Park fun
    day.", "Dad of twins (8).") is the conversationalist's context and is left out (K650); the
    run ends at the first sentence with a verb, so what the resident said there stays."""
    utts = [Utterance(0, "Reading group at the library. Dad of twins (8)."),
            Utterance(1, "Says the park is lovely. Mum of three, very sharp."),
            Utterance(2, "The library, the park.", question="strong"),
            Utterance(3, "Lunch club at the Methodist.", question="future")]
    statements, rejects = SentenceSegmenter(opening_context=True).run("c6", utts)
    assert [s.text for s in statements] == [
        "Says the park is lovely.", "Mum of three, very sharp.", "The library, the park.", "Lunch club at the Methodist."]
    assert [(r.item, r.code) for r in rejects] == [("c6-u0-s0", "K650"), ("c6-u0-s1", "K650")]
    assert "left out of the themes" in rejects[0].reason
    # v1 keeps them all; a note with no question heading keeps them all (free-form notes)
    assert len(SentenceSegmenter().run("c6", utts)[0]) == 6
    free = [Utterance(0, u.text) for u in utts]
    assert len(SentenceSegmenter(opening_context=True).run("c7", free)[0]) == 6


def test_the_main_job_segments_with_v3():
    from pathlib import Path

    from kilvoice import registry
    from kilvoice.config import load_pipeline

    config = load_pipeline(Path(__file__).resolve().parents[1] / "pipelines" / "big-conversation.toml")
    assert config["segment"]["stage"] == "kilvoice.segment.sentences.v6"
    v3 = registry.create("kilvoice.segment.sentences.v3")
    assert v3.opening_context is True and v3.substantive is True and v3.rules == 1
    v4 = registry.create("kilvoice.segment.sentences.v4")
    assert v4.opening_context is True and v4.substantive is True and v4.rules == 2 and v4.language == 1
    v5 = registry.create(config["segment"]["stage"])
    assert v5.opening_context is True and v5.substantive is True and v5.rules == 2 and v5.language == 2
    assert registry.create("kilvoice.segment.sentences.v2").opening_context is True
    assert registry.create("kilvoice.segment.sentences.v2").substantive is False
    assert registry.create("kilvoice.segment.sentences.v1").opening_context is False

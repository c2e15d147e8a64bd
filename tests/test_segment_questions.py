"""segment v6: which Big Conversation question a transcript's answers respond to. Ingest keeps the
facilitator's last named question for every later answer; a committee chair who once says "future"
or "improve" tagged the rest of the meeting "what would make it better". v6 ends that framing at a
question of the facilitator's own, and keeps it through follow-ups."""
from kilvoice import registry
from kilvoice.ingest.formats import last_question
from kilvoice.ingest.formats.roles import turn_utterances
from kilvoice.segment import asked, new_subject

COMMITTEE = [
    ("Chair", "Good morning. We will look at how schools plan for the future of the curriculum."),
    ("Minister", "We have published the guidance and every school has had a copy of it."),
    ("Chair", "How will the new funding formula affect small rural schools in Powys?"),
    ("Minister", "Small rural schools will receive a sparsity grant on top of the formula."),
    ("Chair", "Can you tell me more about that?"),
    ("Minister", "The sparsity grant is paid per pupil and reviewed every year by the council."),
    ("Chair", "What would make it better for the next generation of teachers?"),
    ("Minister", "Better pay and less paperwork would keep young teachers in the profession."),
]
CONVERSATION = [
    ("Sam", "What's strong about Ryecroft?"),
    ("Resident", "The park is lovely and the cafe is always busy on a Saturday."),
    ("Sam", "Why's that, do you think?"),
    ("Resident", "People look out for each other round here, they always have done."),
    ("Sam", "Can you tell me more about that?"),
    ("Resident", "The neighbours took my bins in every week when I was in hospital."),
]


def _statements(stage: str, turns: list[tuple[str, str]], side: set[str]) -> list[tuple[str, str | None]]:
    utts = turn_utterances(turns, side, last_question)
    for i, u in enumerate(utts):
        u.index = i
    statements, _ = registry.create(stage).run("c", utts)
    return [(s.text.split()[0], s.question) for s in statements]


def test_a_question_of_the_chairs_own_ends_the_framing_a_passing_word_gave():
    v5 = _statements("kilvoice.segment.sentences.v5", COMMITTEE, {"Chair"})
    v6 = _statements("kilvoice.segment.sentences.v6", COMMITTEE, {"Chair"})
    # ingest (and v5) read "the future of the curriculum" as "what would make it better" for every answer
    assert [q for _, q in v5] == ["future"] * 4
    # v6: the funding question ends it, the follow-up keeps its end, the Big Conversation question starts it again
    assert [q for _, q in v6] == ["future", None, None, "future"]


def test_follow_ups_keep_the_question_of_a_conversation():
    v5 = _statements("kilvoice.segment.sentences.v5", CONVERSATION, {"Sam"})
    v6 = _statements("kilvoice.segment.sentences.v6", CONVERSATION, {"Sam"})
    assert v6 == v5 and [q for _, q in v6] == ["strong"] * 3


def test_new_subject():
    assert new_subject("How will the new funding formula affect small rural schools?")
    assert not new_subject("Can you tell me more about that?")
    assert not new_subject("Why's that, do you think? Anything else?")
    # a statement is not a question put
    assert not new_subject("The new funding formula will affect small rural schools in Powys.")
    utts = turn_utterances(COMMITTEE, {"Chair"}, last_question)
    for i, u in enumerate(utts):
        u.index = i
    assert asked(utts) == {3: None, 5: None}

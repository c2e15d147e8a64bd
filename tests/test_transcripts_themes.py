"""Issue 16, the theme side of transcripts: a theme of procedure caught after the fit
(kilvoice.topics.procedural) and answers embedded with the question they answer
(kilvoice.answers)."""
from __future__ import annotations

import numpy as np
import pytest

from kilvoice.answers import asking_part, question_contexts, with_context
from kilvoice.records import Assignment, Statement, Theme
from kilvoice.topics.procedural import chairing_keywords, procedural_members


def test_a_theme_is_procedural_when_half_its_top_keywords_are_chairing_words():
    assert chairing_keywords(["member", "question", "honourable member", "thank", "bus", "route", "stop", "fare"]) \
        == {"member", "question", "honourable member", "thank"}
    # a residents' group theme: meetings and committees are a subject, and three of eight is not half
    assert chairing_keywords(["meeting", "committee", "members", "residents", "hall", "monthly", "chair",
                              "volunteers"]) == set()
    assert chairing_keywords([]) == set()


def test_only_members_using_the_chairing_words_are_left_out():
    themes = [Theme(id="T01", title="Member and question", keywords=["member", "question", "thank", "okay", "bus"]),
              Theme(id="T02", title="Buses", keywords=["bus", "route", "fare", "stop"]),
              Theme(id="other", title="Other statements", keywords=["question", "okay", "thank", "member"])]
    stmts = [Statement("s1", "c1", 0, 0, "I thank the member for the question."),
             Statement("s2", "c1", 1, 0, "The bus fare went up again this spring."),
             Statement("s3", "c1", 2, 0, "Okay, the bus."),
             Statement("s4", "c1", 3, 0, "Question, member, thank."),]
    assignments = [Assignment("s1", "T01", 0.9), Assignment("s2", "T01", 0.5), Assignment("s3", "T02", 0.8),
                   Assignment("s4", "other", 0.2), Assignment("s3", "T01", 0.4, primary=False)]
    assert procedural_members(themes, assignments, stmts) == {"s1": "T01"}


def test_the_asking_part_of_a_chairs_turn():
    assert asking_part("Thank you. I'll bring in Suzy now. What's happened to the funding for youth clubs?") \
        == "What's happened to the funding for youth clubs?"
    assert asking_part("Erm, tell me about the park.") == "tell me about the park."


def test_answers_take_the_facilitators_last_question_but_not_a_big_conversation_question(tmp_path):
    from kilvoice.store import open_store

    store = open_store(tmp_path / "p")
    db = store.db
    db.execute("INSERT INTO files (id, path, sha256, size, status, n_notes, ingested_at)"
               " VALUES (1, 't.txt', ?, 1, 'ok', 1, '2026-12-01')", ("0" * 64,))
    for cid in ("c1", "c2"):
        db.execute("INSERT INTO conversations (id, file_id, content_hash, status, created_at)"
                   " VALUES (?, 1, ?, 'ok', '2026-12-01')", (cid, cid))
    rows = [("c1", 0, "conversationalist", "What's strong about where you live?"),
            ("c1", 1, "resident", "The park."),
            ("c1", 2, "conversationalist", "Thanks. And how are the buses since the timetable changed?"),
            ("c1", 3, "resident", "Worse, we wait an hour."),
            ("c2", 0, "resident", "The library is lovely.")]
    db.executemany("INSERT INTO utterances (conversation_id, idx, role, text, redactor, spans)"
                   " VALUES (?, ?, ?, ?, 'test', '[]')", rows)
    db.commit()
    stmts = [Statement("a", "c1", 1, 0, "The park."), Statement("b", "c1", 3, 0, "Worse, we wait an hour."),
             Statement("c", "c2", 0, 0, "The library is lovely.")]
    assert question_contexts(store, stmts) == ["", "And how are the buses since the timetable changed?", ""]
    store.close()


def test_context_moves_an_answer_towards_its_question_and_leaves_the_rest():
    rng = np.random.default_rng(0)
    answers, asked = rng.normal(size=(3, 8)).astype(np.float32), rng.normal(size=(1, 8)).astype(np.float32)
    has = np.array([False, True, False])
    out = with_context(answers, asked, has, 0.3)
    unit = answers / np.linalg.norm(answers, axis=1, keepdims=True)
    assert np.allclose(out[[0, 2]], unit[[0, 2]], atol=1e-6)
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    q = asked[0] / np.linalg.norm(asked[0])
    assert out[1] @ q > unit[1] @ q and out[1] @ unit[1] > out[1] @ q  # closer to the question, still the answer
    assert np.allclose(with_context(answers, asked, has, 0.0), unit, atol=1e-6)


@pytest.mark.parametrize("weight", [-0.1, 1.5, "high", True])
def test_context_weight_is_checked(tmp_path, weight):
    from kilvoice.config import load_pipeline
    from kilvoice.errors import KilvoiceError

    p = tmp_path / "p.toml"
    value = f'"{weight}"' if isinstance(weight, str) else str(weight).lower()
    p.write_text(f'[inputs]\npaths = ["x"]\n[embed]\nstage = "kilvoice.embed.static.v2"\ncontext_weight = {value}\n',
                 encoding="utf-8")
    with pytest.raises(KilvoiceError) as err:
        load_pipeline(p)
    assert err.value.code == "K103" and "context_weight" in str(err.value)

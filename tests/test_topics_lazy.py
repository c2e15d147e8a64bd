"""The theme stage's BERTopic and rescue without work whose results are thrown away give the
keywords they gave before (docs/PERFORMANCE.md, "fast19"): :class:`kilvoice.topics.lazy.LazyBERTopic`
(no representative documents; the fit's topic words only when the rescue does not replace them)
and the rescue's c-TF-IDF computed for the themes it asks about only (``ThemeWords.ctfidf_row``)."""
from __future__ import annotations

import numpy as np
import pytest
from bertopic import BERTopic
from bertopic.vectorizers import ClassTfidfTransformer
from scipy import sparse

from kilvoice.embed import StaticEmbedder
from kilvoice.topics import lazy
from kilvoice.topics.labels import make_vectorizer
from kilvoice.topics.model import ThemeModel
from kilvoice.topics.rescue import ThemeWords
from tests.test_topics_sampled import nhs_statements


LAZY = lazy.LazyBERTopic


class EagerBERTopic(BERTopic):
    """BERTopic as it was called before: every step of ``fit_transform`` run."""

    pending_ = None

    def words_now(self) -> None:
        pass


def _fit(texts, X, rescue, monkeypatch, eager):
    monkeypatch.setattr(lazy, "LazyBERTopic", EagerBERTopic if eager else LAZY)
    model = ThemeModel(rescue=rescue, consensus_runs=10, random_state=3).fit(
        X, documents=texts, vectorizer=make_vectorizer(texts))
    words = {t: model.keywords(t) for t in range(-1, model.n_themes_)}
    return model, words


@pytest.mark.shared
@pytest.mark.parametrize("rescue", [True, False])
def test_lazy_bertopic_gives_the_keywords_of_a_full_fit(rescue, monkeypatch):
    texts = [s.text for s in nhs_statements(700, 4)]
    X = StaticEmbedder().encode(texts)
    eager, want = _fit(texts, X, rescue, monkeypatch, eager=True)
    model, got = _fit(texts, X, rescue, monkeypatch, eager=False)
    assert isinstance(model.topic_model_, LAZY) and not isinstance(eager.topic_model_, LAZY)
    assert np.array_equal(model.labels_, eager.labels_)
    assert got == want and any(got.values())  # the words were computed, not left pending
    assert model.topic_model_.pending_ is None
    assert model.topic_model_.representative_docs_ == {} and eager.topic_model_.representative_docs_
    if rescue:  # the case the deferral is for: the rescue moved statements and named the themes again
        assert model.rescued_ and (model.rescued_["moved"] or model.rescued_["promoted"])


@pytest.mark.shared
def test_theme_words_rows_are_bertopics_ctfidf_of_every_class():
    texts = [s.text for s in nhs_statements(600, 9)]
    words = ThemeWords(texts, make_vectorizer(texts))
    rng = np.random.default_rng(0)
    for k in (2, 7, 19):
        labels = rng.integers(-1, k, len(texts))
        labels[: len(texts) // 3] = 0  # a large catch-all, as the rescue sees
        classes = np.unique(labels)
        onehot = sparse.csr_matrix((np.ones(len(labels)), (np.searchsorted(classes, labels), np.arange(len(labels)))),
                                   shape=(len(classes), len(labels)))
        per_class = onehot @ words.counts
        full = ClassTfidfTransformer(reduce_frequent_words=True).fit(per_class).transform(per_class).toarray()
        idf = words.idf(labels)
        for i, c in enumerate(classes):
            assert np.array_equal(words.ctfidf_row(labels, int(c), idf), full[i])  # bit for bit

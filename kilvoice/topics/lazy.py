"""BERTopic without the work the theme stage throws away (the same keywords, bit for bit).

``fit_transform`` of BERTopic 0.17 ends by (1) naming each topic: c-TF-IDF, then the top words
re-ranked by the representation model (``CoverageKeywords``), and (2) picking three
"representative documents" per topic from a sample of 500 (a c-TF-IDF transform of each sample).
The theme stage never reads (2) (it ranks its own most typical statements), and when the catch-all
rescue moves statements, ``update_topics`` names the topics again from the new labels, so (1)'s
words are never read either.

:class:`LazyBERTopic` skips (2) and defers the re-ranking of (1) until :meth:`words_now`, which
the theme model calls after its rescue; the c-TF-IDF matrix itself is still computed in the fit, so
an empty vocabulary fails where it failed before. ``update_topics`` clears the pending words
(``pending_ = None``, set by the caller) and computes its own. Nothing else in the fit reads the
topic words: the topic vectors come from the embeddings, and the probabilities from the clusterer.
(10k statements of the main job: ~0.4 s of re-ranking and ~0.5 s of representative documents.)
"""
from __future__ import annotations

from bertopic import BERTopic


class LazyBERTopic(BERTopic):
    pending_ = None
    _defer_words = False

    def fit_transform(self, documents, embeddings=None, images=None, y=None):
        self._defer_words = True
        try:
            return super().fit_transform(documents, embeddings=embeddings, images=images, y=y)
        finally:
            self._defer_words = False

    def _extract_words_per_topic(self, words, documents, c_tf_idf=None, **kwargs):
        if self._defer_words and c_tf_idf is None:  # the fit's naming: kept for words_now()
            self._defer_words = False
            self.pending_ = (words, documents, kwargs)
            return {}
        return super()._extract_words_per_topic(words, documents, c_tf_idf, **kwargs)

    def _save_representative_docs(self, documents) -> None:
        """Never read by the theme stage: not computed (``representative_docs_`` stays empty)."""

    def words_now(self) -> None:
        """The fit's topic words, computed from the fit's c-TF-IDF as ``fit_transform`` would have."""
        if self.pending_ is not None:
            words, documents, kwargs = self.pending_
            self.pending_ = None
            self.topic_representations_ = super()._extract_words_per_topic(words, documents, **kwargs)

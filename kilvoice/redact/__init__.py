"""Personal-data redaction (spaCy NER + UK patterns + a name gazetteer) and safeguarding flags.

Registered stages: ``kilvoice.redact.spacy_uk.v1`` and ``kilvoice.redact.spacy_uk.v2`` (the same
redactor with NER reading only the sentences that can hold a name, ``ner_scope="sentence"``: 2.3x
faster, the same precision and recall on the PII set)::

    r = registry.create("kilvoice.redact.spacy_uk.v1", style="pseudonym")
    utts, spans, flags = r.redact_note(utterances, known_names=["Doreen Hartley"])

Batches: ``redact_many`` runs spaCy NER and the safeguarding check once over all the notes it is
given (same output as note by note; chunks of a few hundred notes are fastest). A ``Redactor`` holds
only its settings, so it pickles to a worker process; each model (spaCy, the semantic safeguarding
stage) loads once per process on first use. ``ner_scope="sentence"``: NER reads only the sentences
the pre-filter picks (docs/PERFORMANCE.md, fastredact).

Review decisions: the pipeline passes the rejected spans of a note as ``skip`` (see
``kilvoice.redact.review.rejected_spans``) or calls ``kilvoice.redact.review.redact_store``.
"""
from kilvoice.records import RedactionSpan
from kilvoice.redact.redactor import LABELS, STAGE_NAME, Redactor, resolve_overlaps
from kilvoice.redact.safeguarding import safeguarding_categories, safeguarding_flags, sentence_categories
from kilvoice.registry import register

__all__ = ["LABELS", "STAGE_NAME", "RedactionSpan", "Redactor", "resolve_overlaps", "safeguarding_categories",
           "safeguarding_flags", "sentence_categories", "spacy_uk_v1", "spacy_uk_v2"]


@register(STAGE_NAME)
def spacy_uk_v1(style: str = "pseudonym", review_threshold: float = 0.7, use_ner: bool = True,
                ner_score: float = 0.6, batch_size: int = 64, n_process: int = 1, ner_scope: str = "text") -> Redactor:
    """UK personal-data redactor: spaCy-small NER for names plus pattern components."""
    return Redactor(style=style, review_threshold=review_threshold, use_ner=use_ner, ner_score=ner_score,
                    batch_size=batch_size, n_process=n_process, ner_scope=ner_scope)


@register("kilvoice.redact.spacy_uk.v2")
def spacy_uk_v2(style: str = "pseudonym", review_threshold: float = 0.7, use_ner: bool = True,
                ner_score: float = 0.6, batch_size: int = 64, n_process: int = 1,
                ner_scope: str = "sentence") -> Redactor:
    """:func:`spacy_uk_v1` with NER over the sentences the pre-filter picks (docs/PERFORMANCE.md, fastredact)."""
    return spacy_uk_v1(style=style, review_threshold=review_threshold, use_ner=use_ner, ner_score=ner_score,
                       batch_size=batch_size, n_process=n_process, ner_scope=ner_scope)

"""The redactor: rules + spaCy NER → non-overlapping spans → redacted utterances."""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Iterable, Sequence

from kilvoice.errors import KilvoiceError
from kilvoice.records import RedactionSpan, Utterance
from kilvoice.redact.names import find_names, ner_person_ok
from kilvoice.redact.patterns import Candidate, find_patterns
from kilvoice.redact.pipeline import load_nlp, needs_ner, ner_windows
from kilvoice.redact.pseudonyms import STYLES, Pseudonymiser
from kilvoice.redact.safeguarding import categories_many
from kilvoice.redact.speakers import find_people

STAGE_NAME = "kilvoice.redact.spacy_uk.v1"
NER_SCOPES = ("text", "sentence")
LABELS = ("PERSON", "EMAIL", "PHONE", "POSTCODE", "ADDRESS", "NI_NUMBER", "NHS_NUMBER", "DATE_OF_BIRTH")
# When spans overlap, the higher rank wins (then the longer span).
_RANK = {"EMAIL": 9, "NHS_NUMBER": 8, "NI_NUMBER": 8, "PHONE": 7, "DATE_OF_BIRTH": 7, "POSTCODE": 6,
         "ADDRESS": 5, "PERSON": 1}
Skip = Iterable[tuple[int, int, int]]  # (utterance index, start, end) rejected in review


def resolve_overlaps(cands: Sequence[Candidate]) -> list[Candidate]:
    """Keep the best of overlapping candidates; merge overlapping PERSON spans."""
    order = sorted(cands, key=lambda c: (-_RANK.get(c[2], 0), -(c[1] - c[0]), -c[3]))
    kept: list[Candidate] = []
    for c in order:
        clash = [k for k in kept if k[0] < c[1] and c[0] < k[1]]
        if not clash:
            kept.append(c)
        elif c[2] == "PERSON" and all(k[2] == "PERSON" for k in clash):
            for k in clash:  # same person found twice: keep the widest, most certain
                kept.remove(k)
            start = min([c[0]] + [k[0] for k in clash])
            end = max([c[1]] + [k[1] for k in clash])
            best = max([c] + clash, key=lambda x: x[3])
            kept.append((start, end, "PERSON", best[3], best[4]))
    return sorted(kept)


def utterance_flags(utterances: Sequence[Utterance]) -> list[tuple[str, str, int]]:
    """``("safeguarding", category, utterance index)`` for each category each utterance matches."""
    return flags_many([utterances])[0]


def flags_many(notes: Sequence[Sequence[Utterance]]) -> list[list[tuple[str, str, int]]]:
    """``utterance_flags`` of each note, the safeguarding check batched over all their utterances."""
    cats = iter(categories_many([u.text for utts in notes for u in utts]))
    return [[("safeguarding", cat, u.index) for u in utts for cat in next(cats)] for utts in notes]


class Redactor:
    """Finds UK personal data and replaces it. Offsets in spans refer to the raw text.

    ``style``: pseudonym (``[PERSON_1]``), label (``[PERSON]``) or remove (``""``).
    ``review_threshold``: spans scoring below it are redacted but also queued for review.
    ``use_ner``: run spaCy NER where the pre-filter says it may find a name no rule found.
    ``ner_scope``: ``"text"`` runs NER over the whole of such a text; ``"sentence"`` only over its
    sentences that the pre-filter picks (about a quarter of the text, so about 4x less NER; names
    found can differ a little: docs/PERFORMANCE.md, fastredact).
    """

    def __init__(self, style: str = "pseudonym", review_threshold: float = 0.7, use_ner: bool = True,
                 ner_score: float = 0.6, batch_size: int = 64, n_process: int = 1, ner_scope: str = "text"):
        if style not in STYLES:
            raise KilvoiceError("K600", style=style, available=", ".join(STYLES))
        if ner_scope not in NER_SCOPES:
            raise KilvoiceError("K610", scope=ner_scope, available=", ".join(NER_SCOPES))
        self.ner_scope = ner_scope
        self.style = style
        self.review_threshold = review_threshold
        self.use_ner = use_ner
        self.ner_score = ner_score
        self.batch_size = batch_size
        self.n_process = n_process

    @property
    def settings(self) -> dict:
        out = {"style": self.style, "review_threshold": self.review_threshold, "use_ner": self.use_ner,
               "ner_score": self.ner_score}
        if self.ner_scope != "text":  # the default keeps the name (and so the stored redactions) it had
            out["ner_scope"] = self.ner_scope
        return out

    @property
    def name(self) -> str:
        # the kilvoice version is part of the key: an upgrade with better rules re-redacts every note
        from kilvoice import __version__

        key = {**self.settings, "kilvoice": __version__}
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:8]
        return f"{STAGE_NAME}#{digest}"

    # -- finding ------------------------------------------------------------
    def _rules(self, text: str, known_names: Iterable[str]) -> list[Candidate]:
        return find_patterns(text) + find_names(text) + list(find_people(text, known_names))

    def _ner_pieces(self, texts: Sequence[str], rules: list[list[Candidate]]) -> list[tuple[int, int, int]]:
        """``(text index, start, end)`` of what NER has to read (see ``ner_scope``)."""
        pieces = []
        for i, (text, cands) in enumerate(zip(texts, rules)):
            covered = [(s, e) for s, e, *_ in cands]
            if self.ner_scope == "sentence":
                pieces += [(i, s, e) for s, e in ner_windows(text, covered)]
            elif needs_ner(text, covered):
                pieces.append((i, 0, len(text)))
        return pieces

    def _ner(self, texts: Sequence[str], rules: list[list[Candidate]], progress: bool) -> list[list[tuple[int, int]]]:
        """``(start, end)`` of the spaCy PERSON entities per text (offsets into the text)."""
        ents: list[list[tuple[int, int]]] = [[] for _ in texts]
        pieces = self._ner_pieces(texts, rules) if self.use_ner else []
        if not pieces:
            return ents
        nlp = load_nlp()
        n_process = self.n_process if len(pieces) >= 2000 else 1
        stream = nlp.pipe((texts[i][s:e] for i, s, e in pieces), batch_size=self.batch_size, n_process=n_process)
        if progress:
            from tqdm import tqdm
            stream = tqdm(stream, total=len(pieces), desc="redact (names)", unit="text", leave=False)
        for (i, start, _), doc in zip(pieces, stream):
            ents[i] += [(start + ent.start_char, start + ent.end_char) for ent in doc.ents if ent.label_ == "PERSON"]
        return ents

    def find_many(self, texts: Sequence[str], known_names: Sequence[Iterable[str]] | None = None,
                  progress: bool = False) -> list[list[RedactionSpan]]:
        """Spans for many texts; spaCy runs (batched with ``nlp.pipe``) only where needed."""
        known_names = known_names or [()] * len(texts)
        rules = [self._rules(t, k) for t, k in zip(texts, known_names)]
        out = []
        for text, cands, ents in zip(texts, rules, self._ner(texts, rules, progress)):
            cands += [(s, e, "PERSON", self.ner_score, "ner") for s, e in ents if ner_person_ok(text, s, e)]
            kept = resolve_overlaps(cands)
            out.append([RedactionSpan(s, e, label, round(score, 3), source) for s, e, label, score, source in kept])
        return out

    def find(self, text: str, known_names: Iterable[str] = ()) -> list[RedactionSpan]:
        """Spans of personal data in ``text`` (no replacement text filled in)."""
        return self.find_many([text], [known_names])[0]

    # -- replacing -----------------------------------------------------------
    def _apply(self, utterances: Sequence[Utterance], spans: list[list[RedactionSpan]], skip: Skip):
        skip = set(skip or ())
        pseudo = Pseudonymiser(self.style)
        out_utts, out_spans = [], []
        for utt, found in zip(utterances, spans):
            text, pieces, pos, kept = utt.text, [], 0, []
            for span in found:
                if (utt.index, span.start, span.end) in skip:
                    continue
                span.replacement = pseudo.replacement(span.label, text[span.start:span.end])
                pieces.append(text[pos:span.start])
                pieces.append(span.replacement)
                pos = span.end
                kept.append(span)
            pieces.append(text[pos:])
            out_utts.append(replace(utt, text="".join(pieces), speaker=None))
            out_spans.append(kept)
        return out_utts, out_spans

    def redact_note(self, utterances: Sequence[Utterance], known_names: Iterable[str] = (), skip: Skip = ()):
        """Redact one note: ``(utterances, spans per utterance, flags)``.

        ``skip``: ``(utterance index, start, end)`` of spans an officer rejected in review;
        they are left in the text. Flags are ``("safeguarding", category, utterance index)``, never text.
        """
        return self.redact_many([utterances], [known_names], [skip])[0]

    def redact_many(self, notes: Sequence[Sequence[Utterance]], known_names_per_note=None, skips=None,
                    progress: bool = False):
        """``redact_note`` for many notes, running spaCy over all their texts in one batch."""
        known_names_per_note = known_names_per_note or [()] * len(notes)
        skips = skips or [()] * len(notes)
        texts, knowns = [], []
        for utts, known in zip(notes, known_names_per_note):
            known = list(known or ())
            known += [u.speaker for u in utts if u.speaker]  # people only: see kilvoice.redact.speakers
            for u in utts:
                texts.append(u.text)
                knowns.append(known)
        spans = self.find_many(texts, knowns, progress=progress)
        out, pos = [], 0
        for utts, skip, flags in zip(notes, skips, flags_many(notes)):
            note_spans = spans[pos:pos + len(utts)]
            pos += len(utts)
            new_utts, kept = self._apply(utts, note_spans, skip)
            out.append((new_utts, kept, flags))
        return out

"""``kilvoice.embed.auto.v1``: the ONNX MiniLM embedder for runs it can finish in time, the static
model above a statement count. ``kilvoice.embed.auto.v2``: the same, chosen by the tokens the model
would read (the work), with a shorter window for long texts before the static model.
``kilvoice.embed.auto.v3`` (the main job's): auto.v2's choice with the static-scale int8 MiniLM
(``onnx.v2``), whose vector for a statement does not depend on what else is embedded with it, so notes
added to a project later give the same themes as one run over all of them; the run embeds its statements
without their redaction placeholders (``reads_placeholders = False``; docs/PERFORMANCE.md, "default30").

The choice is made once, on the first texts the run embeds (the run's statements), and then holds
for everything else the run encodes (answers' questions, theme titles, framework items), so every
vector in one run comes from the same model. ``model_id`` is the chosen embedder's, so the
embedding cache keeps one entry per model (ONNX vectors are cached per text; the static model's
corpus-weighted vectors are not cached, as with ``kilvoice.embed.static.v2`` itself). ``choice``
says which one ran and why; the run writes it into the manifest and the report's method section.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from kilvoice.embed import make_static_idf
from kilvoice.errors import KilvoiceError
from kilvoice.registry import register

# The largest run the ONNX embedder is used for. Timed on 2 idle cores (9,856 statements, cold), ONNX
# embeds ~215 texts/s and adds ~4.7 s per 1,000 statements to a static run of ~5.7 s per 1,000, so up
# to 5,000 statements (about 52 s) a run with ONNX stays shorter than the 10,000-statement run with
# static (56-58 s on 2 idle cores, 2026-12-02), and the Senedd transcripts (~3,040 statements) get the model that keeps their catch-all
# under issue 16's bar (docs/PERFORMANCE.md, "onnx19b"; was 3,000 from the loaded-machine estimates
# of "onnxauto": set max_statements = 3000 to reproduce a run of that day).
MAX_STATEMENTS = 5000


class ChosenEmbedder:
    """An embedder that picks the model on the run's statements (``select``, the first call) and then
    encodes everything with it; the chosen model's ``model_id`` and cache rules are its own."""

    chosen = None

    @property
    def cacheable(self) -> bool:
        return getattr(self.chosen, "cacheable", True) if self.chosen is not None else False

    def select(self, texts: Sequence[str]):
        raise NotImplementedError

    def fit(self, texts: Sequence[str]) -> "ChosenEmbedder":
        chosen = self.select(texts)
        if hasattr(chosen, "fit"):
            chosen.fit(texts)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.select(texts).encode(texts)


class AutoEmbedder(ChosenEmbedder):
    """ONNX MiniLM for up to ``max_statements`` statements, the corpus-weighted static model above.

    Until a choice is made ``model_id`` is ``auto:...`` and nothing is cached under it."""

    def __init__(self, max_statements: int = MAX_STATEMENTS, idf_power: float = 0.5,
                 onnx: dict | None = None):
        if isinstance(max_statements, bool) or not isinstance(max_statements, int) or max_statements < 0:
            raise KilvoiceError("K413", value=max_statements)
        self.max_statements = max_statements
        self.idf_power = float(idf_power)
        self.onnx_settings = dict(onnx or {})
        self.chosen = None
        self.choice: dict | None = None

    @property
    def model_id(self) -> str:
        return self.chosen.model_id if self.chosen is not None else f"auto:onnx<={self.max_statements}:static"

    def choose(self, n: int):
        """The embedder for a run of ``n`` statements (the first call decides; later calls keep it)."""
        if self.chosen is None:
            if n <= self.max_statements:
                from kilvoice.embed_onnx import make_onnx

                self.chosen, stage = make_onnx(**self.onnx_settings), "kilvoice.embed.onnx.v1"
                why = (f"the run has {n:,} statements, within the {self.max_statements:,} that the more "
                       "accurate transformer model can embed inside the time budget")
            else:
                self.chosen, stage = make_static_idf(idf_power=self.idf_power), "kilvoice.embed.static.v2"
                why = (f"the run has {n:,} statements, more than the {self.max_statements:,} that the "
                       "transformer model can embed inside the time budget, so the much faster static model was used")
            self.choice = {"stage": "kilvoice.embed.auto.v1", "chosen": stage, "model_id": self.chosen.model_id,
                           "statements": int(n), "max_statements": self.max_statements, "reason": why}
        return self.chosen

    def select(self, texts: Sequence[str]):
        return self.choose(len(texts))


@register("kilvoice.embed.auto.v1")
def make_auto(max_statements: int = MAX_STATEMENTS, idf_power: float = 0.5, onnx: dict | None = None) -> AutoEmbedder:
    """ONNX MiniLM up to ``max_statements`` statements, the static model (``static.v2``) above; the
    manifest and the report say which ran. ``onnx``: settings for ``kilvoice.embed.onnx.v1``."""
    return AutoEmbedder(max_statements=max_statements, idf_power=idf_power, onnx=onnx)


# ---------------------------------------------------------------------------------------- auto.v2
# The cost model (docs/PERFORMANCE.md, "longtext19"): the int8 ONNX MiniLM costs the same per token it
# reads whatever the texts' length (batches are sorted by length, so padding is small, and up to 256
# tokens the encoder's time is nearly linear in tokens): ~0.45 CPU seconds per 1,000 tokens, ~0.23 s per
# 1,000 tokens on 2 idle cores. Three limits, each a reason the report states (docs/PERFORMANCE.md,
# "auto.v2's limits"):
# - max_statements (auto.v1's 5,000): above it the static model, whatever the texts' length, so a run of
#   10,000 statements keeps the static model's time (the per-statement work of the other stages grows too);
# - long_share: when more than 1 in 20 statements are longer than the model's 256-token window, the texts
#   are documents (news articles, forum posts: ~490 tokens, 10x a statement's cost, of which the model reads
#   only the opening), and the static model, which reads every word, is used: it clusters them nearly as
#   well (bbc: k-means AMI 0.77 against 0.88 at 256 tokens and 0.78 at 64) at a small fraction of the time;
# - max_tokens (300,000, ~70 s on 2 idle cores): the most the model reads in one run. 5,000 notes'
#   statements (24.6 tokens each: ~123,000) fit, and so do ~3,000 transcript points of up to ~60 words
#   (the Senedd committee set: 259,000 tokens), where MiniLM is what holds the catch-all share under
#   issue 16's 15% (static: up to 17.8% on one seed).
SECONDS_PER_1K_TOKENS = 0.23
MAX_TOKENS = 300_000
LONG_SHARE = 0.05
# The windows tried, longest first: the first whose tokens fit the budget, cutting no more than
# long_share of the statements, is read (a run of short statements with a few long ones).
WINDOWS = (256, 128, 64)
# A word piece holds at most ~8 characters on average (3.5-4.9 on every set measured), so 257 tokens lie
# inside a text's first 2,048 characters (only those are tokenised to count), and a text of c characters has
# at least c // 8 + 2 tokens: when even that lower bound is over the budget at the shortest window, nothing
# is tokenised (2,225 news articles: 2.8 CPU s of counting saved; the 100k and 1M scale runs)
CHARS_A_TOKEN = 8
COUNT_CHARS = 2048
MIN_TOKENS_A_TEXT = 3  # [CLS], one word piece, [SEP]


class TokenBudgetEmbedder(ChosenEmbedder):
    """``kilvoice.embed.auto.v2``: ONNX MiniLM for runs of at most ``max_statements`` statements, most of
    them within its 256-token window, while the tokens it reads fit ``max_tokens`` (each text's first 256,
    else 128 or 64 when that cuts few statements); otherwise the static model. The choice is made on the
    run's statements (the first call) and recorded in ``choice`` (statements, tokens, window, the estimate
    of seconds on 2 idle cores, the reason)."""

    STAGE, ONNX_STAGE, ID_PREFIX = "kilvoice.embed.auto.v2", "kilvoice.embed.onnx.v1", "auto2"
    SECONDS_PER_1K_TOKENS = SECONDS_PER_1K_TOKENS  # of the ONNX model it chooses, on 2 idle cores

    def __init__(self, max_tokens: int = MAX_TOKENS, windows: Sequence[int] = WINDOWS, idf_power: float = 0.5,
                 onnx: dict | None = None, max_statements: int = MAX_STATEMENTS, long_share: float = LONG_SHARE):
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 0:
            raise KilvoiceError("K430", stage=self.STAGE, value=max_tokens)
        windows = list(windows) if isinstance(windows, (list, tuple)) else windows
        if (not isinstance(windows, list) or not windows or windows != sorted(windows, reverse=True)
                or any(isinstance(w, bool) or not isinstance(w, int) or not 8 <= w <= 256 for w in windows)):
            raise KilvoiceError("K431", stage=self.STAGE, value=windows)
        if isinstance(max_statements, bool) or not isinstance(max_statements, int) or max_statements < 0:
            raise KilvoiceError("K432", stage=self.STAGE, value=max_statements)
        if isinstance(long_share, bool) or not isinstance(long_share, (int, float)) or not 0 <= long_share <= 1:
            raise KilvoiceError("K433", stage=self.STAGE, value=long_share)
        self.max_tokens = max_tokens
        self.windows = tuple(windows)
        self.max_statements = max_statements
        self.long_share = float(long_share)
        self.idf_power = float(idf_power)
        # onnxruntime's idle threads sleep: the same vectors, fewer CPU seconds on shared cores
        self.onnx_settings = {"spinning": False, **(onnx or {})}
        self.chosen = None
        self.choice: dict | None = None

    @property
    def model_id(self) -> str:
        return self.chosen.model_id if self.chosen is not None else f"{self.ID_PREFIX}:onnx<={self.max_tokens}tokens:static"

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Each text's tokens ([CLS] and [SEP] included), counted up to one more than the longest window
        (enough to tell which texts the model reads only in part)."""
        from kilvoice.embed_onnx import OnnxEmbedder

        counter = OnnxEmbedder(max_length=self.windows[0] + 1,
                               **{k: v for k, v in self.onnx_settings.items() if k == "path"})
        return [len(ids) for ids in counter.tokenize([t[:COUNT_CHARS] for t in texts])]

    def _window(self, texts: Sequence[str]) -> tuple[int | None, int, int, str]:
        """(window or None, tokens, statements longer than it, why not) for the run's statements."""
        n = len(texts)
        if n > self.max_statements:
            return None, 0, 0, "count"
        tokens = sum(min(max(MIN_TOKENS_A_TEXT, len(t) // CHARS_A_TOKEN + 2), self.windows[-1]) for t in texts)
        if tokens > self.max_tokens:  # over the budget at any window: not worth tokenising
            return None, tokens, 0, "bound"
        counts = self.token_counts(texts)
        longer = 0
        for w in self.windows:
            cut_tokens, cut = sum(min(c, w) for c in counts), sum(c > w for c in counts)
            if cut > self.long_share * n:  # this window, and every shorter one, cuts too many statements
                return (None, cut_tokens, cut, "long") if w == self.windows[0] else (None, tokens, longer, "cut")
            tokens, longer = cut_tokens, cut
            if tokens <= self.max_tokens:
                return w, tokens, longer, ""
        return None, tokens, longer, "budget"

    def select(self, texts: Sequence[str]):
        """The embedder for a run whose statements are ``texts`` (the first call decides; later calls keep it)."""
        if self.chosen is not None:
            return self.chosen
        n = len(texts)
        window, tokens, longer, why_not = self._window(texts)
        seconds = tokens / 1000 * self.SECONDS_PER_1K_TOKENS
        budget = (f"{self.max_tokens:,} tokens that the more accurate transformer model can read inside the time "
                  f"budget (~{self.max_tokens / 1000 * self.SECONDS_PER_1K_TOKENS:.0f} s on 2 cores)")
        static = "so the much faster static model was used"
        if window is None:
            self.chosen, stage = make_static_idf(idf_power=self.idf_power), "kilvoice.embed.static.v2"
            if why_not == "count":
                why = (f"the run has {n:,} statements, more than the {self.max_statements:,} that the more accurate "
                       f"transformer model can embed inside the time budget, {static}")
            elif why_not == "long":
                why = (f"{longer:,} of the run's {n:,} statements are longer than the {self.windows[0]} tokens the "
                       f"more accurate transformer model reads (more than {self.long_share:.0%} of them): it would "
                       f"read only their opening, for about {seconds:.0f} s on 2 cores, so the much faster static "
                       "model, which reads every word, was used")
            elif why_not == "cut":
                why = (f"the run's {n:,} statements come to {tokens:,} tokens, more than the {budget}, and a "
                       f"shorter window would cut more than {self.long_share:.0%} of them, {static}")
            else:
                at_least = "at least " if why_not == "bound" else ""
                why = (f"the run's {n:,} statements come to {at_least}{tokens:,} tokens even when only the first "
                       f"{self.windows[-1]} of each are read, more than the {budget}, {static}")
        else:
            from kilvoice.registry import get

            stage = self.ONNX_STAGE
            self.chosen = get(stage)(**{**self.onnx_settings, "max_length": window})
            if window == self.windows[0]:
                why = f"the run's {n:,} statements come to {tokens:,} tokens, within the {budget}"
            else:
                why = (f"the run's {n:,} statements come to more than the {budget} at up to {self.windows[0]} "
                       f"tokens each, so the model read the first {window} tokens of each (about "
                       f"{window * 3 // 4} words; {longer:,} statements are longer), {tokens:,} tokens")
        self.choice = {"stage": self.STAGE, "chosen": stage, "model_id": self.chosen.model_id,
                       "statements": n, "max_statements": self.max_statements, "tokens": tokens,
                       "max_tokens": self.max_tokens, "window": window, "statements_longer_than_window": longer,
                       "long_share": self.long_share, "estimated_seconds": round(seconds, 1), "reason": why}
        return self.chosen


@register("kilvoice.embed.auto.v2")
def make_auto_v2(max_tokens: int = MAX_TOKENS, windows: Sequence[int] = WINDOWS, idf_power: float = 0.5,
                 onnx: dict | None = None, max_statements: int = MAX_STATEMENTS,
                 long_share: float = LONG_SHARE) -> TokenBudgetEmbedder:
    """ONNX MiniLM for runs of at most ``max_statements`` statements whose texts mostly fit its 256-token
    window, while the tokens it reads fit ``max_tokens`` (each text's first 256, else 128 or 64 tokens when
    that cuts at most ``long_share`` of them); the static model (``static.v2``) otherwise. The manifest and
    the report say which ran, at which window and why."""
    return TokenBudgetEmbedder(max_tokens=max_tokens, windows=windows, idf_power=idf_power, onnx=onnx,
                               max_statements=max_statements, long_share=long_share)


class StaticScalesBudgetEmbedder(TokenBudgetEmbedder):
    """``kilvoice.embed.auto.v3``: auto.v2's choice and limits, with the static int8 MiniLM (``onnx.v2``)
    in place of the dynamic one, so a statement's vector does not depend on the texts embedded with it
    (docs/PERFORMANCE.md, "repro17")."""

    STAGE, ONNX_STAGE, ID_PREFIX = "kilvoice.embed.auto.v3", "kilvoice.embed.onnx.v2", "auto3"
    # the main job embeds a statement without its redaction placeholders: contact lines ("[PERSON_1],
    # [PHONE_1] - happy to help set a hub up") otherwise group by their shape (docs/PERFORMANCE.md, "default30")
    reads_placeholders = False
    # onnx.v2 costs 1.38x onnx.v1's CPU per token (docs/PERFORMANCE.md, "repro17"): the same token budget
    # (max_tokens) is ~95 s on 2 idle cores instead of ~70 s; the estimate in the record says so
    SECONDS_PER_1K_TOKENS = round(SECONDS_PER_1K_TOKENS * 1.38, 2)


@register("kilvoice.embed.auto.v3")
def make_auto_v3(max_tokens: int = MAX_TOKENS, windows: Sequence[int] = WINDOWS, idf_power: float = 0.5,
                 onnx: dict | None = None, max_statements: int = MAX_STATEMENTS,
                 long_share: float = LONG_SHARE) -> StaticScalesBudgetEmbedder:
    """``kilvoice.embed.auto.v2`` with ``kilvoice.embed.onnx.v2`` (static int8 MiniLM: batch-independent
    vectors) as its transformer model; the same limits, the same record of the choice."""
    return StaticScalesBudgetEmbedder(max_tokens=max_tokens, windows=windows, idf_power=idf_power, onnx=onnx,
                                      max_statements=max_statements, long_share=long_share)

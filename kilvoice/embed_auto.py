"""``kilvoice.embed.auto.v1``: the ONNX MiniLM embedder for runs it can finish in time, the static
model above a statement count.

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


class AutoEmbedder:
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

    @property
    def cacheable(self) -> bool:
        return getattr(self.chosen, "cacheable", True) if self.chosen is not None else False

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

    def fit(self, texts: Sequence[str]) -> "AutoEmbedder":
        chosen = self.choose(len(texts))
        if hasattr(chosen, "fit"):
            chosen.fit(texts)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.choose(len(texts)).encode(texts)


@register("kilvoice.embed.auto.v1")
def make_auto(max_statements: int = MAX_STATEMENTS, idf_power: float = 0.5, onnx: dict | None = None) -> AutoEmbedder:
    """ONNX MiniLM up to ``max_statements`` statements, the static model (``static.v2``) above; the
    manifest and the report say which ran. ``onnx``: settings for ``kilvoice.embed.onnx.v1``."""
    return AutoEmbedder(max_statements=max_statements, idf_power=idf_power, onnx=onnx)

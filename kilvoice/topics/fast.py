"""``kilvoice.topics.bertopic.v4``: v2's method for ~30% less of the theme stage's CPU time (10k statements).

v2 (the main job's theme stage) spends most of a 10,000-statement
run in three consensus fits' k-means runs (the main fit and the two stability fits, 120 runs each
on up to 4,000 voters) and in a full SVD of the joined features for each fit's PCA. v4 changes the
arithmetic and the number of runs, not the method (docs/PERFORMANCE.md, "fasttopics19"):

- the k-means runs read the voters in float32 (``consensus_dtype``): ~1.7x faster per run;
- the PCA takes the eigenvectors of the d x d covariance (``pca_solver = "covariance_eigh"``)
  instead of a full SVD of the n x d matrix: the same components up to rounding, ~10x faster;
- ``consensus_runs = 20``: 60 k-means runs (10, 15 and 20 themes, 20 each) vote instead of 120.

Rounding moves a few statements near a border between two k-means clusters, so the themes are
not v2's to the bit, hence the new version; v2 stays for pipeline files that name it. Fewer runs
cost stability on the worst labelled set (NHS 0.75 -> 0.69), so v2 stays the main job's default.
"""
from __future__ import annotations

from kilvoice.errors import KilvoiceError
from kilvoice.registry import register
from kilvoice.topics import RescuingThemeStage
from kilvoice.topics.model import ThemeModel

DTYPES = ("float64", "float32")
SOLVERS = ("full", "covariance_eigh")


class FastThemeStage(RescuingThemeStage):
    """v4: v2 (the catch-all rescue) with float32 k-means, covariance PCA and 60 consensus runs."""

    name = "kilvoice.topics.bertopic.v4"
    DEFAULTS = {**RescuingThemeStage.DEFAULTS, "consensus_runs": 20, "consensus_dtype": "float32",
                "pca_solver": "covariance_eigh"}

    def __init__(self, **settings):
        super().__init__(**settings)
        for name, allowed in (("consensus_dtype", DTYPES), ("pca_solver", SOLVERS)):
            if self.settings[name] not in allowed:
                raise KilvoiceError("K705", name=name, value=self.settings[name],
                                    expected=" or ".join(f'"{a}"' for a in allowed))

    def model(self, seed: int) -> ThemeModel:
        return super().model(seed).set_params(consensus_dtype=self.settings["consensus_dtype"],
                                              pca_solver=self.settings["pca_solver"])


@register(FastThemeStage.name)
def make_bertopic_stage_v4(**settings) -> FastThemeStage:
    return FastThemeStage(**settings)

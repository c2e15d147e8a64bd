"""Per-theme robustness: which themes hold when the model is refitted on other samples."""
from __future__ import annotations

import numpy as np

from kilvoice.report.context import theme_holds
from kilvoice.report.render import holds_text
from kilvoice.topics.stability import LEFT_OUT, agreement, subsample_fits, theme_stability


def test_theme_that_comes_back_scores_one_and_split_theme_scores_low():
    labels = np.array([0] * 10 + [1] * 10 + [-1] * 2)
    kept = np.array([4] * 10 + [6] * 5 + [7] * 5 + [-1] * 2)  # theme 0 intact, theme 1 split in two
    other = kept.copy()
    other[[0, 10]] = LEFT_OUT  # rows this fit did not see do not count
    scores = theme_stability(labels, [kept, other])
    assert scores[0] == 1.0
    assert 0.4 < scores[1] < 0.6  # best half of the theme: 5/10 and 5/9 (row 10 unseen)
    assert -1 not in scores  # "other" is not a theme


def test_other_is_no_match_for_a_theme():
    labels = np.array([0] * 6 + [1] * 6)
    fit = np.array([-1] * 6 + [3] * 6)  # the refit left theme 0 as "other": it dissolved
    assert theme_stability(labels, [fit, fit]) == {1: 1.0, 0: 0.0}


def test_subsample_fits_leave_out_a_tenth_and_agree_with_themselves():
    X = np.vstack([np.zeros((20, 2)), np.ones((20, 2))])
    fits = subsample_fits(X, lambda Xs, s: (Xs[:, 0] > 0.5).astype(int), seed=3)
    assert len(fits) == 2 and all(np.sum(f == LEFT_OUT) == 4 for f in fits)
    assert not np.array_equal(fits[0] == LEFT_OUT, fits[1] == LEFT_OUT)
    assert agreement(fits) == 1.0
    assert theme_stability((X[:, 0] > 0.5).astype(int), fits) == {0: 1.0, 1: 1.0}
    assert subsample_fits(X[:3], lambda Xs, s: np.zeros(len(Xs), dtype=int), seed=3) == []
    assert np.isnan(agreement([]))


def test_report_verdicts_and_review_edits_void_them():
    assert theme_holds({"jaccard": 0.86, "size": 40}, 40) == {"jaccard": 0.86, "verdict": "holds"}
    assert theme_holds({"jaccard": 0.62, "size": 40}, 40)["verdict"] == "partly"
    assert theme_holds({"jaccard": 0.39, "size": 40}, 40)["verdict"] == "loose"
    # the verdict goes with the figure printed beside it: 0.496 shows as 0.50, partly robust
    assert theme_holds({"jaccard": 0.496, "size": 40}, 40) == {"jaccard": 0.5, "verdict": "partly"}
    assert theme_holds({"jaccard": 0.7496, "size": 40}, 40) == {"jaccard": 0.75, "verdict": "holds"}
    assert theme_holds({"jaccard": 0.86, "size": 40}, 52) is None  # merged or moved since the fit
    assert theme_holds(None, 40) is None
    assert holds_text(None) == ""
    assert holds_text({"jaccard": 0.39, "verdict": "loose"}).startswith("Loose (0.39)")

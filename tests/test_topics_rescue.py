"""Rescuing a "Mixed: ..." catch-all after the fit (kilvoice.topics.rescue, topics stage v2):
coherent sub-subjects hidden in it become themes, a truly mixed bag stays a catch-all."""
from __future__ import annotations

import numpy as np
import pytest

from kilvoice import registry
from kilvoice.records import Statement
from kilvoice.topics import ThemeStage
from kilvoice.topics.labels import make_vectorizer
from kilvoice.topics.rescue import MIXED_KEYWORD_SHARE, ThemeWords, rescue

SUBJECTS = {  # themes the fit found: each says its subject in most statements
    "library": ["library", "books", "opening hours"],
    "bus": ["bus", "timetable", "fares"],
    "park": ["park", "playground", "benches"],
}
HIDDEN = {  # sub-subjects inside the catch-all
    "recycling": ["recycling", "bins", "collection"],
    "parking": ["parking", "permits", "cars"],
}


def _words(n: int, rng) -> list[str]:
    """n made-up content words, none shared with the subjects."""
    syll = ["ba", "ko", "ri", "mu", "te", "zo", "la", "pe", "vi", "nu", "sa", "do", "fe", "gu", "hi", "jo"]
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(rng.choice(syll, size=3)) + "x")
    return sorted(out)


def _corpus(hidden: bool, seed: int = 0):
    """(unit vectors, labels, texts): three subject themes (labels 0-2) and a catch-all (label
    3) of varied remarks, with or without two hidden sub-subjects of 30 statements each. Vectors
    put each subject and each hidden sub-subject in its own direction, varied remarks anywhere."""
    rng = np.random.default_rng(seed)
    vocab = _words(900, rng)
    dim = 24
    texts, labels, vecs = [], [], []

    def add(text, label, direction):
        texts.append(text)
        labels.append(label)
        v = rng.normal(0, 0.15, dim)
        if direction is not None:
            v[direction] += 1.0
        vecs.append(v / np.linalg.norm(v))

    for t, (subject, words) in enumerate(SUBJECTS.items()):
        for i in range(40):  # three in four name the subject, as in a real theme
            filler = " ".join(rng.choice(vocab, size=3, replace=False))
            add(f"The {words[i % 3]} {filler} matters to us" if i % 4 else f"Also {filler}", t, t)
    n_varied = 200
    for i in range(n_varied):
        add("Well " + " ".join(rng.choice(vocab, size=4, replace=False)), 3, None)
    if hidden:
        for h, (subject, words) in enumerate(HIDDEN.items()):
            for i in range(30):
                filler = " ".join(rng.choice(vocab, size=2, replace=False))
                add(f"The {subject} {words[1 + i % 2]} {filler} again", 3, 3 + h + 1)
    return np.asarray(vecs), np.asarray(labels), texts


def _rescued(hidden: bool, seed: int = 0):
    space, labels, texts = _corpus(hidden)
    words = ThemeWords(texts, make_vectorizer(texts))
    return space, labels, texts, words, *rescue(space, labels, words, seed)


@pytest.mark.parametrize("hidden", [True, False])
def test_the_catch_all_fails_the_mixed_test_before_the_rescue(hidden):
    _, labels, _, words, _, report = _rescued(hidden)
    coverage = words.coverage_of(labels, [0, 1, 2, 3])
    assert coverage[3] < MIXED_KEYWORD_SHARE <= min(coverage[t] for t in (0, 1, 2))
    assert report["catch_alls"] == 1


def test_two_coherent_sub_subjects_of_a_catch_all_become_themes():
    _, labels, texts, words, new, report = _rescued(hidden=True)
    assert len(report["promoted"]) == 2
    for subject in HIDDEN:
        members = [i for i, t in enumerate(texts) if t.startswith(f"The {subject} ")]
        got = np.bincount(new[members])
        theme = int(np.argmax(got))
        assert theme >= 4, "promoted to a theme of its own, numbered after the fit's"
        assert got[theme] >= 0.9 * len(members)
        # and few of the varied remarks
        assert np.sum(new == theme) - got[theme] <= 0.35 * got[theme]
    # the varied remarks stay in the catch-all, which still fails the test
    varied = [i for i, t in enumerate(texts) if t.startswith("Well ")]
    assert np.mean(new[varied] == 3) >= 0.9
    assert words.coverage_of(new, [3])[3] < MIXED_KEYWORD_SHARE
    # the subject themes keep their statements
    for t in range(3):
        assert np.array_equal(new[labels == t], labels[labels == t])


def test_a_truly_mixed_bag_stays_a_catch_all():
    _, labels, texts, words, new, report = _rescued(hidden=False)
    assert report["promoted"] == []
    assert int(new.max()) == 3
    assert np.mean(new[labels == 3] == 3) >= 0.95
    assert words.coverage_of(new, [3])[3] < MIXED_KEYWORD_SHARE


def test_a_member_close_to_a_theme_joins_it():
    """A catch-all member at least as close to a theme's centroid as its median member moves
    there; the threshold comes from that theme's own members, not a fixed cosine."""
    space, labels, texts = _corpus(hidden=False)
    space, labels = space.copy(), labels.copy()
    varied = np.flatnonzero(labels == 3)[:3]
    space[varied] = space[labels == 1].mean(axis=0)  # right on the bus theme's centroid
    space[varied] /= np.linalg.norm(space[varied], axis=1, keepdims=True)
    new, report = rescue(space, labels, ThemeWords(texts, make_vectorizer(texts)), 0)
    assert report["moved"] >= 3 and np.all(new[varied] == 1)


def test_rescue_is_deterministic_for_a_seed():
    *_, a, ra = _rescued(hidden=True, seed=5)
    *_, b, rb = _rescued(hidden=True, seed=5)
    assert np.array_equal(a, b) and ra == rb


def test_stage_v2_rescues_by_default_and_v1_does_not():
    v2 = registry.create("kilvoice.topics.bertopic.v2")
    assert v2.settings["rescue"] is True and v2.name == "kilvoice.topics.bertopic.v2"
    assert registry.create("kilvoice.topics.bertopic.v1").settings["rescue"] is False
    assert registry.create("kilvoice.topics.bertopic.v2", rescue=False).settings["rescue"] is False


def test_stage_with_rescue_end_to_end():
    """The whole stage with ``rescue`` on the synthetic corpus: the hidden subjects end in themes
    of their own whose titles are not "Mixed", the varied remarks in a "Mixed: ..." catch-all; the
    same themes on a second run."""
    space, labels, texts = _corpus(hidden=True)
    stmts = [Statement(id=f"s{i}", conversation_id=f"c{i % 40}", utterance_index=0, index=i, text=t)
             for i, t in enumerate(texts)]
    settings = dict(min_themes=3, max_themes=6, text_weight=0.0, pos_titles=False)
    v2 = ThemeStage(rescue=True, **settings)
    themes, assignments, _, info = v2.run(stmts, space, 3)
    again = ThemeStage(rescue=True, **settings).run(stmts, space, 3)
    assert [(t.id, t.title, t.size) for t in themes] == [(t.id, t.title, t.size) for t in again[0]]
    assert info["stage"] == ThemeStage.name and info["rescued"]["catch_alls"] >= 1
    # the subsample fits rescue too (from their rows' texts): the themes they measure hold
    assert -1.0 <= info["stability"] <= 1.0 and info["theme_stability"]
    primary = {a.statement_id: a.theme_id for a in assignments if a.primary}
    for subject in HIDDEN:
        members = [f"s{i}" for i, t in enumerate(texts) if t.startswith(f"The {subject} ")]
        tids = [primary[m] for m in members]
        top = max(set(tids), key=tids.count)
        theme = next(t for t in themes if t.id == top)
        assert tids.count(top) >= 0.8 * len(members)
        assert not theme.title.startswith("Mixed: ") and top != "other"
        assert theme.size <= 2 * len(members)
    varied = [f"s{i}" for i, t in enumerate(texts) if t.startswith("Well ")]
    mixed = {t.id for t in themes if t.title.startswith("Mixed: ")}
    assert sum(primary[v] in mixed for v in varied) >= 0.6 * len(varied)

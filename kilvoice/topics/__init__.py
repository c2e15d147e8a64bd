"""The theme stage: BERTopic with injected, registered components.

``registry.create("kilvoice.topics.bertopic.v1", **settings).run(statements, embeddings, seed)``
returns ``(themes, assignments, rejects, info)``:

- themes: ``T01``, ``T02``... by decreasing size, then ``other`` (statements that fit no
  theme closely enough; shown, possibly empty), then parent themes ``P01``... of a
  coarse hierarchy (children point to them through ``Theme.parent``);
- assignments: one primary per usable statement (``other`` included) plus secondary
  (multi-label) assignments whose similarity is close to the primary's;
- rejects: statements with no words after cleaning (K701);
- info: ``n_themes``, ``outlier_share``, ``stability``, ``params``, ``timings`` and more.

Same statements + embeddings + seed give identical output, in whatever order the statements
come: the stage fits them in a canonical order (by a hash of the text), so themes do not move
with file names, folders or conversation ids.

Above ``fit_sample`` statements (default 20,000; 0 = never) the model is fitted and the themes
named on a seeded sample of that many, and every other statement is placed by the fitted model
(:mod:`kilvoice.topics.sampled`): time and memory stay bounded at a million statements, and
counts read from the sample are written "about N". At or below it nothing changes.
"""
from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from kilvoice.errors import Errors, KilvoiceError
from kilvoice.records import CATCH_ALL_PREFIX, Assignment, Reject, Statement, Theme, is_catch_all
from kilvoice.registry import register
from kilvoice.topics.labels import (common_answer, description_phrases, has_words, keyword_coverage, load_tagger,
                                    make_description, make_titles, make_vectorizer, noun_shares, phrase_list,
                                    pick_keywords, proper_nouns, title_coverage, title_phrases)
from kilvoice.topics.groups import form_groups, merge_by_depth
from kilvoice.topics.model import ThemeModel
from kilvoice.topics.procedural import REFITS, chairing_only, kept_labels, kept_model, procedural_members
from kilvoice.topics.sampled import Rows, extend_labels, fit_rows, score_all
from kilvoice.topics.labellers import LABELLERS, labeller as labeller_named
from kilvoice.topics.phrases import (describe, group_title, mention_list, phrase_coverage, rank_phrases,
                                     strip_prefix)
from kilvoice.topics.stability import agreement, subsample_fits, theme_stability
from kilvoice.topics.stance import READINGS, count_stances, stance_keys, stance_of
from kilvoice.tagger import load_parser

STAGE = "kilvoice.topics.bertopic.v1"
MIN_STATEMENTS = 6
TITLE_SAMPLE = 25  # most typical statements per theme tagged for noun phrases
TITLE_WORDS = 30  # words of each sampled statement the tagger reads
MIXED_SHARE = 0.15  # a theme whose title words fewer than this share of its statements use is flagged
from kilvoice.topics.rescue import MIXED_KEYWORD_SHARE, MIXED_MIN_SIZE  # noqa: E402 - "Mixed: ..." test
OTHER = "other"
OTHER_TITLE = "Other statements"
MODEL_PARAMS = ("reducer", "n_components", "clusterer", "n_themes", "min_themes", "max_themes",
                "outlier_threshold", "max_outlier_share", "n_init", "n_init_final", "selection", "k_penalty", "k_smooth", "consensus_runs",
                "consensus_cut", "representation", "rescue")

__all__ = ["ThemeStage", "ThemeModel", "stance_of", "STAGE", "OTHER"]


class ThemeStage:
    """Finds themes in statements. Settings come from the ``[topics]`` pipeline section."""

    name = STAGE
    DEFAULTS = dict(
        reducer="pca", n_components=32, clusterer="consensus", n_themes="auto", min_themes=8,
        max_themes=25, outlier_threshold=0.35, max_outlier_share=0.08, n_init=2, n_init_final=12,
        selection="silhouette", k_penalty=0.004, k_smooth=0, consensus_runs=40, consensus_cut=0.6,
        secondary_threshold=0.45, secondary_margin=0.08, max_secondary=2, n_keywords=8,
        representation="coverage", text_weight=0.4, hierarchy=True, stability=True, pos_titles=True,
        labeller="phrases", llm_url="", llm_model="", llm_timeout=60.0, fit_sample=20000,
        drop_procedural=True, rescue=False, group_catch_alls=True, procedural_refit="fit", stance="cues.v1",
    )
    LABELLERS = tuple(LABELLERS)

    def __init__(self, **settings):
        unknown = sorted(set(settings) - set(self.DEFAULTS))
        if unknown:
            raise KilvoiceError("K704", name=unknown[0], allowed=", ".join(self.DEFAULTS))
        self.settings = {**self.DEFAULTS, **settings}
        n = self.settings["n_themes"]
        if not (n == "auto" or (isinstance(n, int) and not isinstance(n, bool) and n >= 1)):
            raise KilvoiceError("K705", name="n_themes", value=n, expected='"auto" or a whole number >= 1')
        if self.settings["labeller"] not in self.LABELLERS:
            raise KilvoiceError("K705", name="labeller", value=self.settings["labeller"],
                                expected=" or ".join(f'"{n}"' for n in self.LABELLERS))
        if self.settings["labeller"] == "llm" and not (self.settings["llm_url"] and self.settings["llm_model"]):
            raise KilvoiceError("K720")
        fit_sample = self.settings["fit_sample"]
        if not (isinstance(fit_sample, int) and not isinstance(fit_sample, bool) and fit_sample >= 0):
            raise KilvoiceError("K705", name="fit_sample", value=fit_sample,
                                expected="a whole number of statements (0 = fit on all of them)")
        if self.settings["procedural_refit"] not in REFITS:
            raise KilvoiceError("K705", name="procedural_refit", value=self.settings["procedural_refit"],
                                expected=" or ".join(f'"{n}"' for n in REFITS))
        if self.settings["stance"] not in READINGS:  # kilvoice.topics.stance: "cues.v2" says "unstated"
            raise KilvoiceError("K705", name="stance", value=self.settings["stance"],
                                expected=" or ".join(f'"{n}"' for n in READINGS))
        if not 0 <= float(self.settings["max_outlier_share"]) <= 1:
            raise KilvoiceError("K705", name="max_outlier_share", value=self.settings["max_outlier_share"],
                                expected="a share between 0 and 1")

    def model(self, seed: int) -> ThemeModel:
        return ThemeModel(random_state=seed, **{k: self.settings[k] for k in MODEL_PARAMS})

    # ------------------------------------------------------------------ run
    def run(self, statements: Sequence[Statement], embeddings: np.ndarray, seed: int = 42, embed=None):
        """``embed(texts) -> vectors``: the run's embedder, for title phrases (optional: without it a
        phrase's vector is the mean of the statements that use it).

        With ``drop_procedural``, a theme of procedure and turn-taking (half of its top keywords
        chairing words, :mod:`kilvoice.topics.procedural`) loses the statements that use those
        words (K708) and the themes are fitted again without them (``procedural_refit``:
        clustered anew, or the first fit's other themes kept: :mod:`kilvoice.topics.procedural`)."""
        result = self._run(statements, embeddings, seed, embed)
        if not self.settings["drop_procedural"]:
            return result
        themes, assignments, rejects, info = result
        drop = procedural_members(themes, assignments, statements)
        keep = [i for i, s in enumerate(statements) if s.id not in drop]
        if not drop or len(keep) < MIN_STATEMENTS:
            return result
        titles = {t.id: t.title for t in themes}
        kept = kept_labels(themes, assignments, drop) if self.settings["procedural_refit"] == "keep" else None
        themes, assignments, rejects, info = self._run([statements[i] for i in keep],
                                                       np.asarray(embeddings)[keep], seed, embed, kept)
        rejects = [Reject(stage=self.name, item=sid, code="K708", reason=Errors.K708) for sid in drop] + rejects
        info["procedural_left_out"] = {"statements": len(drop),
                                       "themes": sorted({titles[t] for t in drop.values()}),
                                       "refit": self.settings["procedural_refit"]}
        info["n_rejected"] = len(rejects)
        return themes, assignments, rejects, info

    def _run(self, statements: Sequence[Statement], embeddings: np.ndarray, seed: int, embed, kept=None):
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.ndim != 2 or embeddings.shape[0] != len(statements):
            raise KilvoiceError("K706", rows=embeddings.shape[0] if embeddings.ndim else 0, n=len(statements))
        rejects = [Reject(stage=self.name, item=s.id, code="K701", reason=Errors.K701)
                   for s in statements if not has_words(s.text)]
        keep = canonical_order(statements, [i for i, s in enumerate(statements) if has_words(s.text)])
        if len(keep) < MIN_STATEMENTS:
            raise KilvoiceError("K403", n=len(keep), minimum=MIN_STATEMENTS)
        stmts = [statements[i] for i in keep]
        texts = [s.text for s in stmts]
        rows = Rows(embeddings, np.asarray(keep))
        # above fit_sample statements the model is fitted on a seeded sample (kilvoice.topics.sampled)
        fitted = fit_rows(len(stmts), self.settings["fit_sample"], seed)
        fit_texts = texts if fitted is None else [texts[i] for i in fitted]
        X = rows[np.arange(len(stmts)) if fitted is None else fitted]
        # kept: {statement id: theme} of a refit that keeps the first fit's themes (procedural.py)
        fit_model = (lambda: self.model(seed)) if kept is None else (lambda: kept_model(
            self.model(seed), kept, [stmts[i].id for i in (range(len(stmts)) if fitted is None else fitted)]))

        names = proper_nouns(fit_texts)
        # the statements whose words name the themes: all of them, or (sampled) the fitted ones
        naming = {"raw": rows if fitted is None else Rows(embeddings, rows.keep[fitted]), "embed": embed,
                  "names": frozenset(names), "read": fitted}
        words = None
        if self.settings["text_weight"] > 0:
            words = WordFeatures(float(self.settings["text_weight"]), names, seed)
            X = words.fit_transform(X, fit_texts)
        # The two subsample fits that measure stability need nothing from the main fit: they run
        # in a second thread beside it (k-means, BLAS and the linkage release the GIL), which takes
        # ~2 s off a 1,264-petition run on 2 cores. BLAS stays at one thread per fit throughout.
        self._warm_up()
        memo: dict = {}  # each statement's words, read once for all of this run's fits (make_vectorizer)
        with threadpool_limits(1), ThreadPoolExecutor(max_workers=1) as pool:
            job = pool.submit(self._stability, X, seed, fit_texts, names, memo) if self.settings["stability"] else None
            try:
                model = fit_model().fit(X, documents=fit_texts, vectorizer=make_vectorizer(fit_texts, names, memo=memo),
                                        memo=memo)
            except (ValueError, TypeError) as exc:
                if isinstance(exc, ValueError) and "empty vocabulary" in str(exc):
                    # every statement is stopwords only ("it is what it is")
                    vectorizer = make_vectorizer(fit_texts, stopwords=False, memo=memo)
                elif isinstance(exc, TypeError):
                    # (almost) no word is used by three statements: c-TF-IDF is left with one
                    # word and scipy fails; keep every word instead
                    vectorizer = make_vectorizer(fit_texts, names, min_statements=1, memo=memo)
                else:
                    raise
                model = fit_model().fit(X, documents=fit_texts, vectorizer=vectorizer, memo=memo)
            timings["fit"] = time.perf_counter() - t0
            if fitted is None:
                labels = model.labels_
                sims = model.transform(X) if model.n_themes_ else np.zeros((len(stmts), 0))
            else:
                del X
                sims = score_all(model, rows, texts, words.transform if words else None)
                labels = extend_labels(sims, fitted, model.labels_, float(self.settings["outlier_threshold"]),
                                       float(self.settings["max_outlier_share"]))
                timings["assign"] = time.perf_counter() - t0 - timings["fit"]
            stances = [stance_of(s, self.settings["stance"]) for s in stmts]

            themes, assignments, ids, phrases = self._themes(model, stmts, labels, sims, stances, naming)
            topic_words = {tid: pick_keywords(model.keywords(t), 25) for t, tid in ids.items()}
            if self.settings["hierarchy"]:
                themes += self._parents(model, themes, stmts, labels, sims, stances, phrases, naming)
            timings["label"] = time.perf_counter() - t0 - timings["fit"] - timings.get("assign", 0.0)
            fits, timings["stability"] = job.result() if job else ([], 0.0)
        stability = agreement(fits)
        sizes = {t.id: t.size for t in themes}
        holds = {ids[t]: {"jaccard": round(v, 3), "size": sizes[ids[t]]}
                 for t, v in theme_stability(model.labels_, fits).items()}  # the fits saw the fitted rows
        timings["total"] = time.perf_counter() - t0
        info = {
            "stage": self.name,
            "n_themes": int(model.n_themes_),
            "n_statements": len(stmts),
            "n_fitted": len(stmts) if fitted is None else len(fitted),
            "n_rejected": len(rejects),
            "outlier_share": float(np.mean(labels == -1)),
            "stability": None if np.isnan(stability) else round(stability, 4),
            # per theme: mean best Jaccard with a theme of each subsample fit (Hennig 2007), and
            # the size it was measured at (a review edit that changes the size voids it)
            "theme_stability": holds,
            "n_secondary": sum(1 for a in assignments if not a.primary),
            "rescued": getattr(model, "rescued_", None),
            "theme_count_scores": {int(k): v for k, v in getattr(model.clusterer_, "scores_", {}).items()},
            "topic_words": topic_words,
            "params": {**self.settings, "seed": seed},
            "labeller": naming.get("labeller", {"name": self.settings["labeller"]}),
            "timings": {k: round(v, 3) for k, v in timings.items()},
        }
        return themes, assignments, rejects, info

    def _warm_up(self) -> None:
        """Import BERTopic and load the title tagger before the stability thread starts: imports
        and model loading hold the GIL, k-means does not, so the two fits then overlap with the
        main fit instead of waiting on it (cold 1,264-petition eval, three runs each way:
        9.9 -> 9.3 s wall)."""
        import bertopic.representation  # noqa: F401 - what ThemeModel.fit imports anyway

        if self.settings["pos_titles"]:
            if labeller_named(self.settings["labeller"]).phrases:  # titles parse: one model load serves both
                load_parser()
            load_tagger()

    def _stability(self, X: np.ndarray, seed: int, texts, names, memo=None) -> tuple[list[np.ndarray], float]:
        """(the two 90%-subsample fits' labels, seconds): see kilvoice.topics.stability. With
        ``rescue`` they rescue their catch-alls as the main fit does, from their rows' texts."""
        t = time.perf_counter()
        if not self.settings["rescue"]:
            fits = subsample_fits(X, lambda Xs, s: self.model(s).fit(Xs).labels_, seed)
            return fits, time.perf_counter() - t

        def fit(Xs, s, rows):
            sub = [texts[i] for i in rows]
            try:
                return self.model(s).fit(Xs, texts=sub, vectorizer=make_vectorizer(sub, names, memo=memo),
                                         memo=memo).labels_
            except (ValueError, TypeError):  # too few words to test themes with: the fit alone
                return self.model(s).fit(Xs).labels_

        fits = subsample_fits(X, fit, seed, with_rows=True)
        return fits, time.perf_counter() - t

    # --------------------------------------------------------------- themes
    def _themes(self, model, stmts, labels, sims, stances, naming):
        k = model.n_themes_
        order = sorted(range(k), key=lambda t: (-int(np.sum(labels == t)), t))
        members, keywords = [], []
        for t in order:
            idx = np.where(labels == t)[0]
            idx = idx[np.lexsort((idx, -sims[idx, t]))]  # most typical first, ties by position
            members.append(idx)
            keywords.append(pick_keywords(model.keywords(t), self.settings["n_keywords"]))
        # Titles from noun phrases: tag a bounded sample (the most typical statements).
        # Long texts (a petition, a whole answer) are cut to their first TITLE_WORDS words: tagging
        # 680 petitions in full took 6 s of a 13 s run; the keywords' parts of speech need far less.
        sample = [" ".join(stmts[i].text.split()[:TITLE_WORDS]) for idx in members for i in idx[:TITLE_SAMPLE]]
        nouns = noun_shares(sample) if self.settings["pos_titles"] else {}
        phrases = [title_phrases(pick_keywords(model.keywords(t), 25), nouns,
                                 scores=dict(model.keywords(t))) for t in order]
        read, reading = self._reading(members, naming.get("read"), len(stmts))
        if not labeller_named(self.settings["labeller"]).phrases:
            titles, labels_of = make_titles(phrases, reserved=[OTHER_TITLE]), [None] * len(order)
        else:
            read_stmts = stmts if naming.get("read") is None else [stmts[i] for i in naming["read"]]
            titles, labels_of = self._phrase_titles(reading, phrases, read_stmts, naming,
                                                    [len(idx) for idx in members])
        themes, assignments = [], []
        for pos, (t, idx, kw, title) in enumerate(zip(order, members, keywords, titles)):
            tid = f"T{pos + 1:02d}"
            taken = {th.title.lower() for th in themes}
            themes.append(self._name(tid, title, kw, idx, stmts, stances, t, phrases[pos], taken, labels_of[pos],
                                     read=read[pos]))
        ids = {t: f"T{pos + 1:02d}" for pos, t in enumerate(order)}
        # "other": shown, never hidden; least-fitting statements, best partial fit first.
        other_idx = np.where(labels == -1)[0]
        best = sims.max(axis=1) if sims.shape[1] else np.zeros(len(stmts))
        other_idx = other_idx[np.lexsort((other_idx, -best[other_idx]))]
        other_kw = pick_keywords(model.keywords(-1), self.settings["n_keywords"]) if len(other_idx) else []
        other = self._theme(OTHER, OTHER_TITLE, other_kw, other_idx, stmts, stances, model_index=-1)
        other.description = (f"{len(other_idx)} statements that fit no theme closely enough; "
                             "review them one by one.")
        themes.append(other)
        assignments = self._assignments(stmts, labels, sims, best, ids)
        return themes, assignments, ids, phrases

    def _assignments(self, stmts, labels, sims, best, ids) -> list[Assignment]:
        """One primary per statement (its theme, or "other" with its best partial fit), then up to
        ``max_secondary`` other themes within ``secondary_margin`` of the primary and at least
        ``secondary_threshold``, closest first (ties by theme order). Array operations: a loop
        sorting each statement's row took seconds at 90k statements."""
        thr, margin = self.settings["secondary_threshold"], self.settings["secondary_margin"]
        n, k = sims.shape
        primary = np.where(labels >= 0, sims[np.arange(n), np.maximum(labels, 0)] if k else 0.0, best)
        extra = np.zeros((n, 0), dtype=bool)
        if k:
            ranked = np.argsort(-sims, axis=1, kind="stable")
            ranked_sims = np.take_along_axis(sims, ranked, axis=1)
            extra = ((labels >= 0)[:, None] & (ranked != labels[:, None]) & (ranked_sims >= thr)
                     & (ranked_sims >= (primary - margin)[:, None]))
            extra &= np.cumsum(extra, axis=1) <= self.settings["max_secondary"]
        theme_ids = [ids[t] for t in range(k)]
        out = []
        for i, s in enumerate(stmts):
            t = int(labels[i])
            out.append(Assignment(s.id, theme_ids[t] if t >= 0 else OTHER, round(float(primary[i]), 4), True))
            if t >= 0 and extra[i].any():
                for c in ranked[i][extra[i]]:
                    out.append(Assignment(s.id, theme_ids[int(c)], round(float(sims[i, c]), 4), False))
        return out

    @staticmethod
    def _reading(members, fitted, n):
        """(each theme's members whose words are read, in all statements' positions; the same in
        the read statements' positions). Unsampled: all members. Sampled: the fitted ones only,
        still most typical first, so naming costs what it costs at ``fit_sample`` statements and
        its counts are estimates (scaled to the theme's size, written "about")."""
        if fitted is None:
            return members, members
        at = np.full(n, -1)
        at[fitted] = np.arange(len(fitted))
        reading = [at[idx][at[idx] >= 0] for idx in members]
        return [np.asarray(fitted)[r] for r in reading], reading

    def _phrase_titles(self, members, phrases, stmts, naming, sizes):
        """Titles from phrases of the themes' own statements (kilvoice.topics.phrases), or from the
        LLM labeller when configured (its titles pass the same checks, else the phrase stays).
        ``members`` index ``stmts`` (the statements read); ``sizes``: the themes' sizes."""
        texts = [s.text for s in stmts]
        lab = labeller_named(self.settings["labeller"])  # kilvoice.topics.labellers
        ranked, postings = rank_phrases(texts, members, phrases, naming["raw"], naming["embed"],
                                        naming["names"], parse=self.settings["pos_titles"], **lab.rank())
        counts = [lab.said_stances()([texts[i] for i in idx]) for idx in members]
        picked = lab.pick()(ranked, counts, [len(idx) for idx in members], reserved=[OTHER_TITLE])
        if lab.llm:
            from kilvoice.topics.llm import labeller_from_settings, llm_titles

            labeller = labeller_from_settings(self.settings)
            picked, naming["labeller"] = llm_titles(labeller, picked, ranked, members, texts, reserved=[OTHER_TITLE])
        naming.update(ranked=ranked, postings=postings, members=members)
        labels_of, mixed = [], lab.catch_all_name()
        for (title, phrase), scored, idx, size, count in zip(picked, ranked, members, sizes, counts):
            about = phrase.text if phrase is not None else strip_prefix(title)
            said = lab.mentions()(scored, phrase.key if phrase else None)
            if len(idx) != size:  # read a sample of the theme: counts scaled to its size
                said = [(text, round(count * size / max(len(idx), 1))) for text, count in said]
            labels_of.append({"about": about, "said": said, "approx": len(idx) != size,
                              "cover": phrase.cover if phrase is not None else None,
                              "stands_for": getattr(phrase, "stands_for", None),
                              "catch_all": mixed(count, len(idx)) if mixed else None})
        return [title for title, _ in picked], labels_of

    def _name(self, tid, title, kw, idx, stmts, stances, t, phrases, taken=frozenset(), label=None,
              read=None) -> Theme:
        """The theme with its title and description, saying plainly when the title names few
        of its statements. Three cases, first match wins:

        - most of it gives one short answer word for word ("Nothing.", said by >= 3
          conversations and more often than the title's words appear): the answer is the title,
          in quotes, since its every word may be a stopword no keyword can carry (unless an
          earlier theme in ``taken`` has that title already);
        - fewer than MIXED_KEYWORD_SHARE of its statements use any of its five main keywords:
          a catch-all of varied remarks (it can be robust and still have no subject), titled
          "Mixed: ..."; unless its title is one of opinion that as many of them say ("General
          praise", ``stands_for`` in ``label``: phrases7);
        - the title's words appear in fewer than MIXED_SHARE of its statements: the title may
          be too narrow, and the description says so.

        ``label`` (the "phrases" labeller: its ``about`` phrase and ``said`` counts) words the
        description with counts, and the title's coverage is that of its head nouns.

        ``read`` (a sampled run): the members whose words are read; counts are scaled from them
        to the theme's size and written "about N"."""
        read = idx if read is None else read
        texts = [stmts[i].text for i in read]
        size = len(idx)
        scale, approx = size / max(len(read), 1), len(read) != size
        est = "about " if approx else ""
        named = phrase_coverage(title, texts) if label else title_coverage(title, texts)
        if label and label.get("cover"):  # "Caring staff" names the statements that say "caring" (phrases3)
            from kilvoice.topics.phrases3 import cover_count

            named = max(named, cover_count(label["cover"], texts))
        if label and label.get("stands_for"):  # "General praise" names the statements saying it (phrases7)
            named = max(named, label["stands_for"])
        answer, said = common_answer(texts, [stmts[i].conversation_id for i in read])
        named, said = (round(named * scale), round(said * scale)) if approx else (named, said)
        if said > named and said >= MIXED_SHARE * size and f'"{answer}"'.lower() not in taken:
            theme = self._theme(tid, f'"{answer}"', kw, idx, stmts, stances, model_index=t)
            others = [p for p in description_phrases("", phrases, k=3) if p.lower() != answer.lower()]
            lead = (f'{size} statements; {est}{said} of them say only "{answer}"'
                    + (f", the others mention {phrase_list(others)}" if said < size and others else ""))
            theme.description = make_description([], theme.stance, size, lead=lead)
            return theme
        share = keyword_coverage(kw[:5], texts)
        opinion = (label or {}).get("stands_for") or 0  # read statements saying the title's stance
        if (size >= MIXED_MIN_SIZE and share < MIXED_KEYWORD_SHARE
                and not (opinion and opinion >= MIXED_KEYWORD_SHARE * len(read))):
            core = strip_prefix(title) if label else title
            if (label or {}).get("catch_all") and f"{CATCH_ALL_PREFIX}{label['catch_all']}".lower() not in taken:
                core = label["catch_all"]  # what it mostly says (phrases9: "mostly praise")
            core = core if core[1:2].isupper() else core[:1].lower() + core[1:]
            if chairing_only(core) or core.startswith("mixed statements"):  # "Mixed: answer" names the meeting
                core = next(c for c in (f"varied remarks ({n})" if n else "varied remarks" for n in range(99))
                            if f"{CATCH_ALL_PREFIX}{c}".lower() not in taken)
            theme = self._theme(tid, f"{CATCH_ALL_PREFIX}{core}", kw, idx, stmts, stances,
                                model_index=t, about=description_phrases(title, phrases))
            if label:
                theme.description = describe(size, theme.n_conversations, theme.stance, label["about"])
            theme.description = (theme.description.rstrip(".") + f". Only {est}{round(share * size)} of its {size} "
                                 "statements use any of its five main keywords: it gathers varied remarks "
                                 "rather than one subject; read them before relying on it.")
            return theme
        theme = self._theme(tid, title, kw, idx, stmts, stances, model_index=t,
                            about=description_phrases(title, phrases))
        narrow = size >= MIXED_MIN_SIZE and named < MIXED_SHARE * size
        if label:
            theme.description = describe(size, theme.n_conversations, theme.stance, label["about"],
                                         () if narrow else label["said"], approx=label.get("approx", False))
        if narrow:
            # phrases10: the narrow title's theme says what else its statements mention; the others do not
            also = (label["said"] if label and labeller_named(self.settings["labeller"]).said_when_narrow else ())
            also = f", which also mention {mention_list(also, label.get('approx', False))}" if also else ""
            theme.description = (theme.description.rstrip(".") + f". The title's words appear in only {est}{named} "
                                 f"of its {size} statements{also}: the title may be too narrow; read them "
                                 "before relying on it.")
        return theme

    def _theme(self, tid, title, keywords, idx, stmts, stances, model_index, about=None):
        ranked = [stmts[i] for i in idx]
        stance = count_stances((stances[i] for i in idx), stance_keys(self.settings["stance"]))
        return Theme(
            id=tid, title=title,
            description=make_description(about or keywords, stance, len(ranked)) if ranked else "",
            keywords=keywords, size=len(ranked),
            n_conversations=len({s.conversation_id for s in ranked}),
            stance=stance,
            representative=[s.id for s in ranked],
        )

    def _parents(self, model, themes, stmts, labels, sims, stances, phrases, naming):
        """Group themes into about sqrt(k) parents by centroid similarity (kilvoice.topics.groups)."""
        children = [t for t in themes if t.id != OTHER]
        k = len(children)
        if k < 6:
            return []
        order = sorted(range(k), key=lambda t: (-int(np.sum(labels == t)), t))
        groups = form_groups(model.centroids_[order], [is_catch_all(c.title) or c.title.startswith('"')
                                                       for c in children], bool(self.settings["group_catch_alls"]))
        ranked_groups = sorted(groups, key=lambda ps: (-sum(children[p].size for p in ps), ps[0]))
        keyword_lists, title_lists = [], []
        if "ranked" in naming or not self.settings["group_catch_alls"]:  # a group of one: its theme alone
            ranked_groups = [ps for ps in ranked_groups if len(ps) > 1]
        for ps in ranked_groups:
            mixed = [is_catch_all(children[p].title) for p in ps]
            keyword_lists.append(merge_by_depth([children[p].keywords for p in ps], mixed, 8)[:8])
            title_lists.append(merge_by_depth([phrases[p] for p in ps], mixed, 6))
        if "ranked" in naming:
            taken = {t.title.lower() for t in themes}
            titles = []
            lab = labeller_named(self.settings["labeller"])
            for ps in ranked_groups:
                usable = [p for p in ps if not is_catch_all(children[p].title)]
                # what it holds, subjects first and catch-alls last, largest first
                by_size = sorted(ps, key=lambda p: (is_catch_all(children[p].title), -children[p].size))
                titles.append(group_title([naming["members"][p] for p in usable],
                                          [naming["ranked"][p] for p in usable], naming["postings"], taken,
                                          child_titles=[children[p].title for p in by_size],
                                          list_max=lab.group_list_max, own_top=lab.group_own_top))
                if titles[-1] is not None:
                    taken.add(titles[-1].lower())
            # themes that share no phrase (and are more than list_max) are no group: each stands alone
            keep = [i for i, t in enumerate(titles) if t is not None]
            ranked_groups, keyword_lists, titles = ([xs[i] for i in keep] for xs in (ranked_groups, keyword_lists, titles))
        else:
            titles = make_titles(title_lists, reserved=[t.title for t in themes])
        parents = []
        score = np.where(labels >= 0, sims[np.arange(len(labels)), np.maximum(labels, 0)], 0.0)
        for g, (ps, kw, title) in enumerate(zip(ranked_groups, keyword_lists, titles)):
            pid = f"P{g + 1:02d}"
            idx = np.concatenate([np.where(labels == order[p])[0] for p in ps])
            idx = idx[np.lexsort((idx, -score[idx]))]
            parent = self._theme(pid, title, kw, idx, stmts, stances, model_index=None)
            parent.description = (f"{parent.size} statements in {len(ps)} theme{'s' if len(ps) > 1 else ''}: "
                                  + "; ".join(children[p].title for p in ps) + ".")
            parents.append(parent)
            for p in ps:
                children[p].parent = pid
        return parents


def canonical_order(statements: Sequence[Statement], keep: list[int]) -> list[int]:
    """``keep`` sorted by a hash of each statement's text, then by id: k-means starts and the
    stability subsamples then see the same rows in the same order wherever the notes were
    stored (statement ids come from file paths, so the input order alone moved the themes).
    The hash is of the text with its whitespace collapsed, so Windows and Unix line endings in
    the same export give the same themes."""
    def key(i: int) -> tuple[str, str]:
        text = " ".join(statements[i].text.split())
        return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest(), statements[i].id
    return sorted(keep, key=key)


def hybrid_features(X: np.ndarray, texts: list[str], weight: float, exclude, seed: int) -> np.ndarray:
    """Embeddings joined with TF-IDF/LSA word features (names excluded), ``weight`` in [0, 1]
    being the word features' share of the squared norm."""
    return WordFeatures(weight, exclude, seed).fit_transform(X, texts)


class WordFeatures:
    """:func:`hybrid_features` fitted on some statements (``fit_transform``) and applied to more
    (``transform``: the sampled stage's other statements, chunk by chunk)."""

    def __init__(self, weight: float, exclude, seed: int):
        self.weight, self.exclude, self.seed = weight, exclude, seed

    def fit_transform(self, X: np.ndarray, texts: list[str]) -> np.ndarray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        from kilvoice.topics.labels import KEYWORD_ONLY, STOPWORDS, TOKEN_PATTERN, clean_text

        self.tfidf_ = self.svd_ = None
        with threadpool_limits(1):
            tfidf = TfidfVectorizer(preprocessor=clean_text, token_pattern=TOKEN_PATTERN, sublinear_tf=True,
                                    stop_words=sorted((STOPWORDS - KEYWORD_ONLY) | set(self.exclude)),
                                    min_df=2 if len(texts) >= 60 else 1)
            try:
                counts = tfidf.fit_transform(texts)
            except ValueError:  # no word survives the stopword list ("it is what it is"): embeddings only
                return np.asarray(X, dtype=np.float32)
            dims = max(1, min(100, counts.shape[0] - 1, counts.shape[1] - 1))
            self.tfidf_, self.svd_ = tfidf, TruncatedSVD(dims, random_state=self.seed)
            return self._join(X, self.svd_.fit_transform(counts))

    def transform(self, X: np.ndarray, texts: list[str]) -> np.ndarray:
        if self.tfidf_ is None:
            return np.asarray(X, dtype=np.float32)
        with threadpool_limits(1):
            return self._join(X, self.svd_.transform(self.tfidf_.transform(texts)))

    def _join(self, X: np.ndarray, words: np.ndarray) -> np.ndarray:
        from kilvoice.topics.components import normalize

        w = self.weight
        return np.hstack([np.sqrt(1 - w) * normalize(X), np.sqrt(w) * normalize(words)]).astype(np.float32)


@register(STAGE)
def make_bertopic_stage(**settings) -> ThemeStage:
    return ThemeStage(**settings)


class RescuingThemeStage(ThemeStage):
    """v2: v1 with ``rescue`` on by default: a "Mixed: ..." catch-all's coherent sub-subjects
    become themes and its members close to a theme join it (:mod:`kilvoice.topics.rescue`)."""

    name = "kilvoice.topics.bertopic.v2"
    DEFAULTS = {**ThemeStage.DEFAULTS, "rescue": True}


@register(RescuingThemeStage.name)
def make_bertopic_stage_v2(**settings) -> RescuingThemeStage:
    return RescuingThemeStage(**settings)


class KeepingThemeStage(RescuingThemeStage):
    """v3: v2 whose refit after leaving out a procedural theme's statements keeps the first fit's
    other themes and places only that theme's remaining statements (``procedural_refit = "keep"``)."""

    name = "kilvoice.topics.bertopic.v3"
    DEFAULTS = {**RescuingThemeStage.DEFAULTS, "procedural_refit": "keep"}


@register(KeepingThemeStage.name)
def make_bertopic_stage_v3(**settings) -> KeepingThemeStage:
    return KeepingThemeStage(**settings)


from kilvoice.topics import fast  # noqa: E402,F401 - registers kilvoice.topics.bertopic.v4

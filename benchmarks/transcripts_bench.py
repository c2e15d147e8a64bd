"""Transcripts (issue 16): is the substantive-statement filter right, are spoken answers given
the right stance, and do themes of a committee transcript stay off procedure?

    python benchmarks/transcripts_bench.py sample senedd|notes|stance   # print statements to label
    python benchmarks/transcripts_bench.py filter                         # precision / recall of "substantive"
    python benchmarks/transcripts_bench.py stance                         # stance on spoken statements, cues.v1 to v5
    python benchmarks/transcripts_bench.py stance nhs                     # ... on NHS comments, against their sentiment
    python benchmarks/transcripts_bench.py asked                          # stance of answers read with their question (cues.v4, v5)
    python benchmarks/transcripts_bench.py roles                          # chair / questioner detection
    python benchmarks/transcripts_bench.py themes [--rerun] [--pipeline P.toml] [--work DIR]  # the main job on the Senedd set
    python benchmarks/transcripts_bench.py themes --seeds=42,1,2          # ... over several seeds: mean, worst
    python benchmarks/transcripts_bench.py themes --westminster ...       # ... on the invented Westminster-style meetings
    python benchmarks/transcripts_bench.py themes --meetings=11 --seeds=.. # ... on 11 Senedd meetings a seed (the held-out size)
    python benchmarks/transcripts_bench.py filter [--rules=2]             # ... with segment v4's rule set
    python benchmarks/transcripts_bench.py drops senedd|MIX.csv [N]       # what v4's rules leave out that v3's keep

Statements are resolved from ``../shared/corpora`` (Senedd: meeting, turn and character
offsets into ``content``) and ``corpora/samples/notes`` (file, utterance, offsets); the label
files in ``benchmarks/labels/`` hold those keys and the labels, not the text. The labelling
rule is ``benchmarks/labels/RULES.md``. Each labelled set is split into dev (rules set on
it) and test (reported) by its ``split`` column.
"""
from __future__ import annotations

import csv
import json
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "corpora"
for candidate in (ROOT.parent / "shared" / "corpora", ROOT.parent.parent / "shared" / "corpora"):
    if candidate.exists():
        SHARED = candidate
SENEDD = SHARED / "senedd-committee" / "turns.csv"
LABELS = ROOT / "benchmarks" / "labels"
PROCEDURAL = {"question", "questions", "member", "members", "chair", "thank", "thanks", "okay", "right", "fine",
              "point", "points", "item", "meeting", "committee", "minister", "morning", "afternoon", "session",
              "evidence", "ask", "answer", "yes", "yeah", "absolutely", "indeed", "sure", "good", "honourable",
              # a Westminster-style committee's (westminster16)
              "hon", "friend", "friends", "gentleman", "lady", "switch", "short", "supplementary", "order", "clause",
              "amendment", "amendments"}


def _sentences(text: str, rules: int = 1) -> list[tuple[int, int]]:
    """(start, end) of the statements v1-v3 segmentation (``rules`` 2: v4's) makes of one utterance's text."""
    from kilvoice.segment import SentenceSegmenter
    from kilvoice.records import Utterance

    seg = SentenceSegmenter(roles=("resident", "conversationalist", "unknown"), rules=rules)
    sts, _ = seg.run("x", [Utterance(index=0, text=text)])
    out, pos = [], 0
    for st in sts:
        first = st.text.split(" ")[0]
        start = text.find(first, pos)
        end = start
        for word in st.text.split(" "):
            end = text.find(word, end) + len(word)
        out.append((start, end))
        pos = end
    return out


def senedd_turns() -> dict[str, list[dict]]:
    meetings: dict[str, list[dict]] = {}
    with open(SENEDD, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            meetings.setdefault(row["meeting_id"], []).append(row)
    return meetings


def senedd_statements() -> list[dict]:
    """Every statement of the Senedd set, with the speaker's inferred role."""
    from kilvoice.ingest.formats.roles import inferred_facilitators

    out = []
    for mid, rows in senedd_turns().items():
        side = inferred_facilitators([(r["speaker"], r["content"]) for r in rows])
        for r in rows:
            for start, end in _sentences(r["content"]):
                out.append({"key": f"{mid}:{r['turn']}:{start}:{end}", "text": r["content"][start:end],
                            "speaker": r["speaker"], "role": "conversationalist" if r["speaker"] in side else "resident"})
    return out


def note_statements() -> list[dict]:
    from kilvoice.ingest.formats import Context, iter_notes

    out = []
    for path in sorted((ROOT / "corpora" / "samples" / "notes").glob("*.*")):
        if path.suffix not in (".txt", ".md"):
            continue
        for note in iter_notes(path, Context(source=path.name, display=path.name)):
            for u in note.utterances:
                for start, end in _sentences(u.text):
                    out.append({"key": f"{path.name}:{u.index}:{start}:{end}", "text": u.text[start:end],
                                "speaker": "", "role": u.role})
    return out


WESTMINSTER = LABELS / "westminster-committee.txt"


def westminster_meetings(path: Path = WESTMINSTER) -> dict[str, list[dict]]:
    """The invented Westminster-style meetings of ``benchmarks/labels/westminster-committee.txt``:
    {meeting: [turn rows]}, each row with ``speaker``, ``content``, ``facilitator`` (gold role)
    and ``spans`` ((start, end, substantive) of each labelled line in ``content``)."""
    meetings: dict[str, list[dict]] = {}
    rows: list[dict] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# ") or line == "#":
            continue
        if line.startswith("## "):
            rows = meetings.setdefault(line[3:].strip(), [])
        elif line.startswith("@"):
            name = line[1:].strip()
            rows.append({"turn": len(rows), "speaker": name.lstrip("!").strip(), "content": "",
                         "facilitator": name.startswith("!"), "spans": []})
        elif line[:2] in ("+ ", "- "):
            row = rows[-1]
            start = len(row["content"]) + (1 if row["content"] else 0)
            row["content"] = (row["content"] + " " + line[2:].strip()).strip()
            row["spans"].append((start, len(row["content"]), line[0] == "+"))
        else:
            raise ValueError(f"{path.name}: a line must start with ##, @, '+ ' or '- ': {line[:40]!r}")
    return meetings


def write_westminster_csv(out: Path) -> Path:
    """The meetings as a turns table read like the Senedd set (``--map text=content,speaker=speaker,id=meeting_id``)."""
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["meeting_id", "turn", "speaker", "content"])
        for mid, rows in westminster_meetings().items():
            for r in rows:
                w.writerow([mid, r["turn"], r["speaker"], r["content"]])
    return out


def westminster_statements(rules: int = 2) -> list[dict]:
    """Every statement of the Westminster-style meetings, cut as segment v3 (``rules`` 1) or v4
    (2) cut them, with its gold label (it overlaps a "+" line), the inferred role and the gold role."""
    from kilvoice.ingest.formats.roles import inferred_facilitators, speaker_label

    out = []
    for mid, rows in westminster_meetings().items():
        side = inferred_facilitators([(r["speaker"] or None, r["content"]) for r in rows])
        for r in rows:
            for start, end in _sentences(r["content"], rules):
                gold = any(s < end and start < e and sub for s, e, sub in r["spans"])
                role = ("conversationalist" if speaker_label(r["speaker"]) in side
                        else ("resident" if r["speaker"] else "unknown"))
                out.append({"key": f"{mid}:{r['turn']}:{start}:{end}", "text": r["content"][start:end],
                            "speaker": r["speaker"], "role": role, "gold": gold and not r["facilitator"],
                            "gold_role": "conversationalist" if r["facilitator"] else "resident"})
    return out


def resolve(kind: str, rules: int = 1) -> dict[str, dict]:
    if kind == "westminster":
        return {s["key"]: s for s in westminster_statements(rules)}
    return {s["key"]: s for s in (senedd_statements() if kind in ("senedd", "stance") else note_statements())}


def sample(kind: str, n: int) -> None:
    pool = resolve(kind)
    keys = sorted(pool)
    if kind == "stance":  # spoken answers: statements of the answering side that carry a view
        from kilvoice.substantive import reason

        keys = [k for k in keys if reason(pool[k]["text"], pool[k]["role"]) is None]
    rng = random.Random({"senedd": 16, "notes": 1616, "stance": 161616}[kind])
    for i, key in enumerate(rng.sample(keys, n)):
        s = pool[key]
        print(f"{i}\t{'dev' if i % 2 == 0 else 'test'}\t{key}\t{s['speaker']}\t{s['role']}\t{s['text']}")


def read_labels(name: str) -> list[dict]:
    with open(LABELS / name, newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if not r["key"].startswith("#")]


def _scores(rows: list[tuple[bool, str | None]]) -> dict:
    """Precision and recall of "substantive" from (gold, reason code) pairs; views lost and
    non-views kept, by code."""
    tp = sum(g and c is None for g, c in rows)
    fp = sum(not g and c is None for g, c in rows)
    fn = sum(g and c is not None for g, c in rows)
    return {"n": len(rows), "substantive": tp + fn, "precision": round(tp / max(tp + fp, 1), 3),
            "recall": round(tp / max(tp + fn, 1), 3), "kept_not_substantive": fp,
            "lost_by_code": dict(Counter(c for g, c in rows if g and c)),
            "left_out_by_code": dict(Counter(c for g, c in rows if not g and c))}


def filter_eval(rules: int = 1) -> dict:
    """The filter (rule set ``rules``) on the labelled Senedd and notes statements (dev, test,
    all) and on the invented Westminster-style meetings (all: no rule was set on a split of them)."""
    from kilvoice.substantive import reason

    results = {}
    for name, kind in (("substantive-senedd.csv", "senedd"), ("substantive-notes.csv", "notes")):
        pool = resolve(kind)
        rows = read_labels(name)
        for split in ("dev", "test", "all"):
            results[f"{kind}/{split}"] = _scores([
                (r["substantive"] == "1", reason(pool[r["key"]]["text"], pool[r["key"]]["role"], rules))
                for r in rows if split == "all" or r["split"] == split])
    west = westminster_statements(rules)
    results["westminster/all"] = _scores([(s["gold"], reason(s["text"], s["role"], rules)) for s in west])
    results["westminster/gold-roles"] = _scores([(s["gold"], reason(s["text"], s["gold_role"], rules)) for s in west])
    return results


def _stance_scores(pairs: list[tuple[str, str]]) -> dict:
    """(gold, predicted) pairs, gold "none" = no stance: accuracy over all four classes ("none" right
    when read as "unstated"), over the rows with a stance, and each prediction's precision."""
    with_stance = [(g, p) for g, p in pairs if g != "none"]
    predicted = Counter(p for _, p in pairs)
    return {"n": len(pairs), "with_stance": len(with_stance),
            "accuracy_4": round(sum(_right(g, p) for g, p in pairs) / max(len(pairs), 1), 3),
            "accuracy_stance": round(sum(g == p for g, p in with_stance) / max(len(with_stance), 1), 3),
            "predicted": dict(sorted(predicted.items())),
            "precision": {p: round(sum(_right(g, q) for g, q in pairs if q == p) / n, 3)
                          for p, n in sorted(predicted.items())}}


def _right(gold: str, predicted: str) -> bool:
    return gold == predicted or (gold == "none" and predicted == "unstated")


def stance_eval(readings=("cues.v1", "cues.v2", "cues.v3", "cues.v4", "cues.v5")) -> dict:
    """The stance of the labelled spoken statements (read as answering no question), per reading and split."""
    from kilvoice.topics.stance import stance_of_text

    pool = resolve("stance")
    rows = read_labels("stance-senedd.csv")
    out = {}
    for reading in readings:
        for split in ("dev", "test", "all"):
            sel = [r for r in rows if split == "all" or r["split"] == split]
            pairs = [(r["stance"], stance_of_text(pool[r["key"]]["text"], None, reading)) for r in sel]
            confusion = Counter(pairs)
            out[f"{reading}/{split}"] = {**_stance_scores(pairs), "gold": dict(Counter(r["stance"] for r in sel)),
                                         "confusion": {f"{g}->{p}": c for (g, p), c in sorted(confusion.items())}}
    return out


NHS = SHARED / "nhs-feedback" / "v6framework_230831.csv"
SENTIMENT = {"1": "positive", "2": "positive", "3": "mixed", "4": "negative", "5": "negative"}


def nhs_stance_eval(readings=("cues.v1", "cues.v2", "cues.v3", "cues.v4", "cues.v5")) -> dict:
    """The stance of NHS Friends-and-Family-Test comments read as a spreadsheet of comments answering no
    question, against the analysts' sentiment (1-2 positive, 3 mixed or neutral, 4-5 negative): how many
    of the comments called strengths are positive (precision), how many positive ones are called
    strengths (recall), and the same for problems (a negative comment read as a problem or an
    aspiration counts as right for "negative"). Halves: every other row with a sentiment."""
    from kilvoice.topics.stance import stance_of_text

    with open(NHS, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if (r["Comment sentiment"] or "").split(".")[0] in SENTIMENT
                and (r["FFT answer"] or "").strip()]
    out = {}
    for reading in readings:
        preds = [stance_of_text(r["FFT answer"], None, reading) for r in rows]
        for split in ("dev", "test", "all"):
            pairs = [(SENTIMENT[r["Comment sentiment"].split(".")[0]], p) for i, (r, p) in enumerate(zip(rows, preds))
                     if split == "all" or (i % 2 == 0) == (split == "dev")]
            called = Counter(p for _, p in pairs)
            gold = Counter(g for g, _ in pairs)
            strength_right = sum(g == "positive" and p == "strength" for g, p in pairs)
            problem_right = sum(g == "negative" and p in ("problem", "aspiration") for g, p in pairs)
            polar = [(g, p) for g, p in pairs if g != "mixed"]
            out[f"{reading}/{split}"] = {
                "n": len(pairs), "gold": dict(sorted(gold.items())), "predicted": dict(sorted(called.items())),
                "strength_precision": round(strength_right / max(called["strength"], 1), 3),
                "strength_recall": round(strength_right / max(gold["positive"], 1), 3),
                "problem_or_aspiration_precision": round(
                    problem_right / max(called["problem"] + called["aspiration"], 1), 3),
                "polar_accuracy": round(sum((g == "positive" and p == "strength")
                                            or (g == "negative" and p in ("problem", "aspiration"))
                                            for g, p in polar) / max(len(polar), 1), 3),
                "unstated_by_sentiment": {g: round(sum(p == "unstated" for h, p in pairs if h == g)
                                                   / max(gold[g], 1), 3) for g in sorted(gold)}}
    return out


# NHS Friends-and-Family questions as the Big Conversation's two
FFT_QUESTIONS = {"What was good?": "strong", "How could we improve?": "future", "What could we do better?": "future"}


def _asked_scores(pairs: list[tuple[str, str]]) -> dict:
    """(sentiment, stance) pairs: how many strengths are positive comments (and how many positive
    comments are called one), how many problems negative, how many positive comments are read as
    problems, and how many negative ones as a problem or an aspiration."""
    called, gold = Counter(p for _, p in pairs), Counter(g for g, _ in pairs)
    return {"n": len(pairs), "predicted": dict(sorted(called.items())),
            "strength_precision": round(sum(g == "positive" and p == "strength" for g, p in pairs) / max(called["strength"], 1), 3),
            "strength_recall": round(sum(g == "positive" and p == "strength" for g, p in pairs) / max(gold["positive"], 1), 3),
            "problem_precision": round(sum(g == "negative" and p == "problem" for g, p in pairs) / max(called["problem"], 1), 3),
            "positive_read_as_problem": round(sum(g == "positive" and p == "problem" for g, p in pairs) / max(gold["positive"], 1), 3),
            "negative_read_as_problem_or_aspiration": round(
                sum(g == "negative" and p in ("problem", "aspiration") for g, p in pairs) / max(gold["negative"], 1), 3)}


def asked_eval(readings=("cues.v4", "cues.v5")) -> dict:
    """Answers read with the question they answer, as the main job reads Big Conversation answers:
    NHS Friends-and-Family comments to "What was good?" (as "what's strong") and "How could we improve?" /
    "What could we do better?" (as "what would make it better") against the analysts' sentiment, per
    half (every other row); and the labelled Senedd statements with the question each segment stage
    (v5: ingest's, v6: :func:`kilvoice.segment.asked`) gives them."""
    from kilvoice.ingest.formats import last_question
    from kilvoice.ingest.formats.roles import inferred_facilitators, speaker_label, turn_utterances
    from kilvoice.segment import asked
    from kilvoice.topics.stance import stance_of_text

    with open(NHS, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["FFT question"] in FFT_QUESTIONS and (r["FFT answer"] or "").strip()
                and (r["Comment sentiment"] or "").split(".")[0] in SENTIMENT]
    out = {}
    for reading in readings:
        for question in ("strong", "future"):
            for split in ("dev", "test"):
                out[f"nhs/{question}/{reading}/{split}"] = _asked_scores([
                    (SENTIMENT[r["Comment sentiment"].split(".")[0]], stance_of_text(r["FFT answer"], question, reading))
                    for i, r in enumerate(rows) if FFT_QUESTIONS[r["FFT question"]] == question
                    and (i % 2 == 0) == (split == "dev")])
    questions: dict[str, dict[str, str | None]] = {"v5": {}, "v6": {}}
    for mid, turns in senedd_turns().items():
        side = inferred_facilitators([(r["speaker"], r["content"]) for r in turns])
        utts = turn_utterances([(r["speaker"], r["content"]) for r in turns], side, last_question)
        for i, u in enumerate(utts):
            u.index = i
        turn_of, k, last = {}, -1, object()  # turn_utterances joins a speaker's consecutive turns into one
        for r in turns:
            if re.sub(r"\s+", " ", r["content"]).strip():
                if speaker_label(r["speaker"]) != last:
                    k, last = k + 1, speaker_label(r["speaker"])
                turn_of[r["turn"]] = k
        assert k == len(utts) - 1
        ended = asked(utts)
        for r in turns:
            if r["turn"] not in turn_of:
                continue
            u = utts[turn_of[r["turn"]]]
            questions["v5"][f"{mid}:{r['turn']}"] = u.question
            questions["v6"][f"{mid}:{r['turn']}"] = ended.get(u.index, u.question)
    pool, labelled = resolve("stance"), read_labels("stance-senedd.csv")
    for seg, qs in questions.items():
        for reading in readings:
            for split in ("dev", "test"):
                sel = [r for r in labelled if r["split"] == split]
                q = [qs.get(":".join(r["key"].split(":")[:2])) for r in sel]
                pairs = [(r["stance"], stance_of_text(pool[r["key"]]["text"], qq, reading)) for r, qq in zip(sel, q)]
                out[f"senedd/segment-{seg}/{reading}/{split}"] = {**_stance_scores(pairs), "answers_to": dict(Counter(q))}
    return out


def procedural(keywords: list[str]) -> bool:
    top = [w.lower() for w in keywords[:8]]
    hits = sum(any(part in PROCEDURAL for part in w.split()) for w in top)
    return bool(top) and hits * 2 >= len(top)


def write_senedd_subset(out: Path, meetings: int, draw: int) -> Path:
    """``meetings`` of the Senedd set's meetings, drawn with seed ``draw``, as a turns CSV: the set at the
    size of issue 16's held-out committee transcripts (11 meetings)."""
    chosen = set(random.Random(draw).sample(sorted(senedd_turns()), meetings))
    with open(SENEDD, newline="", encoding="utf-8") as fh, open(out, "w", newline="", encoding="utf-8") as dst:
        reader = csv.DictReader(fh)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(r for r in reader if r["meeting_id"] in chosen)
    return out


def themes(rerun: bool, pipeline: Path | None = None, work: Path | None = None, seed: int | None = None,
           dataset: str = "senedd", meetings: int | None = None) -> dict:
    """Run benchmarks/senedd-committee.toml (or a copy of it, ``pipeline``, e.g. with ``[embed]``
    switched) on ../shared (unless a result exists in ``work``) and measure its themes. ``seed``
    replaces the pipeline file's seed (the theme stage's k-means draws). ``dataset`` "westminster":
    the invented Westminster-style meetings (``westminster-committee.txt``) read the same way. ``meetings``:
    that many Senedd meetings, drawn with ``seed`` (:func:`write_senedd_subset`)."""
    work = work or Path("/tmp/kilvoice-senedd")
    out_dir = work / "report"
    if rerun or not (out_dir / "report.json").exists():
        work.mkdir(parents=True, exist_ok=True)
        toml = (pipeline or ROOT / "benchmarks" / "senedd-committee.toml").read_text(encoding="utf-8")
        toml = toml.replace('"/tmp/kilvoice-senedd/', json.dumps(str(work))[:-1] + "/")
        turns = write_westminster_csv(work / "turns.csv") if dataset == "westminster" else SENEDD
        if meetings:
            turns = write_senedd_subset(work / "turns.csv", meetings, seed or 0)
        toml = toml.replace('"../../shared/corpora/senedd-committee/turns.csv"', json.dumps(str(turns)))
        if seed is not None:
            toml = re.sub(r"(?m)^seed = \d+$", f"seed = {seed}", toml)
        (work / "pipeline.toml").write_text(toml, encoding="utf-8")
        subprocess.run([str(Path(sys.executable).parent / "kilvoice"), "run", "-q", str(work / "pipeline.toml")],
                       check=True, cwd=ROOT, stdout=sys.stderr)
    report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    return measure(report, representative(work / "store" / "kilvoice.sqlite", report["run_id"]))


def representative(db_path: Path, run_id: str) -> dict[str, list[str]]:
    """The three most typical statements of each theme: the quotes a report shows when
    residents consented to quoting (the Senedd rows carry no consent, so the report has none)."""
    import sqlite3

    db = sqlite3.connect(db_path)
    out = {}
    for tid, rep in db.execute("SELECT id, representative FROM themes WHERE run_id=?", (run_id,)):
        ids = json.loads(rep)[:3]
        texts = dict(db.execute(f"SELECT id, text FROM statements WHERE id IN ({','.join('?' * len(ids))})", ids)) if ids else {}
        out[tid] = [texts[i] for i in ids if i in texts]
    db.close()
    return out


def measure(report: dict, quotes: dict[str, list[str]] | None = None) -> dict:
    """Share of statements in procedural themes, "Mixed: ..." catch-alls and "other"; themes whose
    three quotes are not all substantive; the segment stage's reject counts."""
    from kilvoice.substantive import reason

    total = report["summary"]["statements"]
    rows, bad_quotes = [], []
    for th in report["themes"]:
        if th.get("kind") == "group":  # groups hold their themes' statements again
            continue
        proc = procedural(th.get("keywords", []))
        mixed = th["title"].startswith("Mixed: ") or th["id"] == "other"
        rows.append((th["id"], th["title"], th["size"], proc, mixed, th.get("keywords", [])[:8]))
        if th["id"] == "other":
            continue
        for text in (quotes or {}).get(th["id"]) or [q["text"] for q in th.get("quotes", [])[:3]]:
            code = reason(text)
            if code:
                bad_quotes.append((th["id"], code, text[:80]))
    lost = sum(size for _, _, size, proc, mixed, _ in rows if proc or mixed)
    rejects = Counter()
    for r in report.get("rejects", []):
        if r.get("stage") == "segment":
            rejects[r.get("code")] += r.get("count", 1)
    return {"conversations": report["summary"]["conversations_analysed"],
            "safeguarding_flagged": report["summary"].get("safeguarding_flagged"),
            "statements": total, "procedural_mixed_other": lost, "share": round(lost / max(total, 1), 3),
            "procedural_themes": [r[:3] for r in rows if r[3]], "catch_alls": [r[:3] for r in rows if r[4]],
            "procedural_titles": [r[:2] for r in rows if r[0] != "other" and set(
                re.findall(r"[a-z]+", r[1].lower().replace("mixed:", ""))) <= PROCEDURAL | {"and"}],
            "themes": rows, "non_substantive_quotes": bad_quotes, "segment_rejects": dict(rejects)}


def rule_drops(source: str) -> dict:
    """What rule set 2 (segment v4) leaves out that rule set 1 (v3) keeps, on ``source``: "senedd"
    (every statement, with roles) or a CSV of notes (``mix_notes.py 600 X.csv --seed N``), by the
    new rule that fires; and the statements v4 cuts differently ("hon.", "No. 4")."""
    from kilvoice import substantive as sub

    if source == "senedd":
        pool = [(s["text"], s["role"]) for s in senedd_statements()]
        texts = [r["content"] for rows in senedd_turns().values() for r in rows]
    else:
        from kilvoice.ingest.formats import Context, iter_notes

        texts, pool = [], []
        for note in iter_notes(Path(source), Context(source=source, display=Path(source).name)):
            for u in note.utterances:
                texts.append(u.text)
                pool += [(u.text[a:b], u.role) for a, b in _sentences(u.text)]
    by_rule: Counter = Counter()
    dropped = []
    for text, role in pool:
        old, new = sub.reason(text, role, 1), sub.reason(text, role, 2)
        if old is None and new is not None:
            plain = sub.speech_text(text, hedges=False)
            rule = ("record" if sub._RECORD.found(plain) else "chamber" if sub._CHAMBER.found(plain)
                    else "welcome" if sub._WELCOME.found(plain) else "introduction")
            by_rule[rule] += 1
            dropped.append((rule, new, text))
    recut = sum(_sentences(t, 1) != _sentences(t, 2) for t in texts if "." in t and re.search(r"(?i)\bhon\.|\bno\.\s*\d", t))
    return {"statements": len(pool), "dropped_by_new_rules": dict(by_rule), "utterances_cut_differently": recut,
            "dropped": dropped}


def roles_eval() -> dict:
    """Speaker-level: the chair and questioning members (committee members, not the ministers
    and witnesses they question) against the inferred facilitator side."""
    from kilvoice.ingest.formats.roles import inferred_facilitators

    answering = {"Kirsty Williams AM", "Vaughan Gething AM", "Eluned Morgan AM"}
    tp = fp = fn = tn = 0
    lost_turns = 0
    for mid, rows in senedd_turns().items():
        side = inferred_facilitators([(r["speaker"], r["content"]) for r in rows])
        turns = Counter(r["speaker"] for r in rows)
        for sp, k in turns.items():
            # Julie Morgan and Huw Irranca-Davies answered as ministers where they had more than 15 turns
            gold = sp.endswith(" AM") and sp not in answering and not (sp in ("Julie Morgan AM", "Huw Irranca-Davies AM") and k > 15)
            pred = sp in side
            tp, fp, fn, tn = tp + (gold and pred), fp + (pred and not gold), fn + (gold and not pred), tn + (not gold and not pred)
            lost_turns += k if pred and not gold else 0
    return {"facilitator_precision": round(tp / max(tp + fp, 1), 3), "facilitator_recall": round(tp / max(tp + fn, 1), 3),
            "speakers": tp + fp + fn + tn, "witness_turns_taken_for_facilitator": lost_turns,
            "westminster": westminster_roles()}


def westminster_roles() -> dict:
    """Speaker-level roles on the invented Westminster-style meetings: gold is the "@!" mark;
    a label with a question number before it ("Q46 Jo Bell") is scored as the label it stands for."""
    from kilvoice.ingest.formats.roles import inferred_facilitators, speaker_label

    pairs = []
    for rows in westminster_meetings().values():
        side = inferred_facilitators([(r["speaker"] or None, r["content"]) for r in rows])
        gold = {r["speaker"]: r["facilitator"] for r in rows if r["speaker"]}
        pairs += [(g, sp in side or speaker_label(sp) in side) for sp, g in gold.items()]
    tp, fp, fn = (sum(g and p for g, p in pairs), sum(p and not g for g, p in pairs), sum(g and not p for g, p in pairs))
    return {"speaker_labels": len(pairs), "facilitator_precision": round(tp / max(tp + fp, 1), 3),
            "facilitator_recall": round(tp / max(tp + fn, 1), 3)}


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "filter"
    if cmd == "sample":
        sample(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100)
    elif cmd == "filter":  # --rules=2: segment v4's rule set
        rules = int(next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--rules=")), 1))
        print(json.dumps(filter_eval(rules), indent=1))
    elif cmd == "stance":  # stance [nhs]: the labelled Senedd statements, or NHS comments against their sentiment
        print(json.dumps(nhs_stance_eval() if "nhs" in sys.argv[2:] else stance_eval(), indent=1))
    elif cmd == "asked":  # answers read with their question: NHS FFT answers, Senedd with v5's and v6's questions
        print(json.dumps(asked_eval(), indent=1))
    elif cmd == "drops":  # drops senedd | MIX.csv [N]: what v4's rules leave out that v3's keep, N of them shown
        result = rule_drops(sys.argv[2])
        shown = result.pop("dropped")
        print(json.dumps(result, indent=1))
        for rule, code, text in random.Random(16).sample(shown, min(len(shown), int(sys.argv[3]) if len(sys.argv) > 3 else 30)):
            print(rule, code, text, sep="\t")
    elif cmd == "roles":
        print(json.dumps(roles_eval(), indent=1))
    elif cmd == "themes":
        # --pipeline PATH: a copy of senedd-committee.toml; --work DIR: its store and report (default /tmp/kilvoice-senedd)
        opt = {k: Path(sys.argv[sys.argv.index(k) + 1]) for k in ("--pipeline", "--work") if k in sys.argv}
        dataset = "westminster" if "--westminster" in sys.argv else "senedd"
        seeds = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--seeds=")), None)
        meetings = int(next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--meetings=")), 0)) or None
        if seeds is None:
            print(json.dumps(themes("--rerun" in sys.argv, opt.get("--pipeline"), opt.get("--work"), None, dataset), indent=1,
                             default=str))
        else:  # the share over several seeds: mean and worst, not one draw
            shares = {}
            for seed in (int(x) for x in seeds.split(",")):
                result = themes(True, opt.get("--pipeline"), opt.get("--work"), seed, dataset, meetings)
                shares[seed] = result["share"]
                print(seed, result["share"], [r[:3] for r in result["catch_alls"]], file=sys.stderr)
            print(json.dumps({"shares": shares, "mean": round(sum(shares.values()) / len(shares), 3),
                              "worst": max(shares.values())}, indent=1))
    else:
        sys.exit(__doc__)

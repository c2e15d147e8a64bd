"""Acceptance thresholds on the shared PII dev set (skipped when ../shared/corpora is absent)."""
from __future__ import annotations

import pytest

from kilvoice.redact import Redactor
from kilvoice.redact.evaluate import evaluate_redactor, read_gold
from tests.conftest import shared_path

pytestmark = [pytest.mark.slow, pytest.mark.shared]


def test_pii_dev_acceptance():
    rows = read_gold(shared_path("pii", "pii_dev.jsonl"))
    result = evaluate_redactor(Redactor(), rows)
    labels = result["labels"]
    for label in ("EMAIL", "PHONE", "POSTCODE", "NI_NUMBER", "NHS_NUMBER"):
        assert labels[label]["recall"] >= 0.99, label
    for label in ("PERSON", "ADDRESS", "DATE_OF_BIRTH"):
        assert labels[label]["recall"] >= 0.95, label
    assert result["micro"]["precision"] >= 0.90

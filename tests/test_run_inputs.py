"""Inputs a run cannot read: a table whose notes are not in a column named "text" (the error names the
fix for both ways of running kilvoice, and the pipeline file's fix reads it), and a run whose every file is rejected."""
from __future__ import annotations

import csv

from conftest import write_pipeline

from kilvoice import registry
from kilvoice.config import load_pipeline, stage_settings
from kilvoice.store import open_store

ROWS = [
    ("p1", "Reopen the Ryecroft swimming baths", "The baths closed in 2019 and children now travel an hour to learn to swim."),
    ("p2", "Fund more buses to Holmefield", "The last bus leaves at six, so nobody without a car can work late shifts."),
    ("p3", "Keep the mobile library", "Older residents in the villages rely on it for books and a chat every fortnight."),
]


def _ingest(pipeline):
    config = load_pipeline(pipeline)
    name, settings = stage_settings(config, "ingest")
    stage = registry.create(name, **settings)
    with open_store(config["project"]["store"]) as store:
        result = stage.run([config["inputs"]["paths"][0]], store)
        return result, len(store.conversations("ok"))


def test_a_table_without_a_text_column_names_the_fix_and_the_pipelines_map_reads_it(tmp_path):
    table = tmp_path / "petitions.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("id", "action", "background"), *ROWS])
    plain = write_pipeline(tmp_path / "plain.toml", tmp_path / "store1", tmp_path / "out1", [table])
    result, notes = _ingest(plain)
    assert notes == 0 and [r.code for r in result.rejects] == ["K208"]
    reason = result.rejects[0].reason
    assert result.rejects[0].item.endswith("petitions.csv") and "action, background" in reason
    assert "--map text=COLUMN" in reason and 'map = "text=COLUMN"' in reason and "[ingest]" in reason

    mapped = write_pipeline(tmp_path / "mapped.toml", tmp_path / "store2", tmp_path / "out2", [table])
    text = mapped.read_text(encoding="utf-8").replace(
        'stage = "kilvoice.ingest.files.v1"', 'stage = "kilvoice.ingest.files.v1"\nmap = "text=action;background,id=id"', 1)
    mapped.write_text(text, encoding="utf-8")
    result, notes = _ingest(mapped)
    assert notes == 3 and not result.rejects
    with open_store(tmp_path / "store2") as store:
        texts = [" ".join(u.text for u in store.raw_utterances(c["id"])) for c in store.conversations("ok")]
    assert any("swimming baths" in t and "learn to swim" in t for t in texts), texts  # both columns read


def test_a_run_whose_every_input_is_rejected_says_which_files_and_why(tmp_path):
    """The report that lists rejected files is never written when nothing could be read, so the
    error itself names each file, its code and the fix."""
    import pytest

    from kilvoice.errors import KilvoiceError
    from kilvoice.pipeline import run_pipeline

    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    pipeline = write_pipeline(tmp_path / "p.toml", tmp_path / "store", tmp_path / "out",
                              [tmp_path / "missing-notes.csv", empty])
    with pytest.raises(KilvoiceError) as caught:
        run_pipeline(pipeline)
    assert caught.value.code == "K305"
    text = str(caught.value)
    assert "missing-notes.csv: K210" in text and "empty.txt: K201" in text and "Fix the file(s)" in text
    assert not (tmp_path / "out").exists()

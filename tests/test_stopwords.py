"""kilvoice.stopwords is scikit-learn's list, so statements judged without importing scikit-learn
are judged as before; and the per-note stages do not import scikit-learn."""
import subprocess
import sys

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from kilvoice.stopwords import ENGLISH_STOP_WORDS as COPY


def test_copy_is_scikit_learns_set():
    assert COPY == frozenset(ENGLISH_STOP_WORDS)
    assert len(COPY) == 318


def test_per_note_stages_do_not_import_scikit_learn():
    code = ("import sys, kilvoice.pernote, kilvoice.segment, kilvoice.substantive, kilvoice.language; "
            "kilvoice.segment.SentenceSegmenter; print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

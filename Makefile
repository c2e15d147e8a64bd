# Two commands: `make demo` (set up, run the main job on corpora/samples) and `make test`.
# The environment has no torch: bertopic is installed with --no-deps because its declared
# dependency on sentence-transformers would pull an unpinned torch (several GB of CUDA wheels).
PY ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.kilvoice-installed
AXE = node_modules/axe-core/axe.min.js
export HF_HUB_OFFLINE = 1
export TOKENIZERS_PARALLELISM = false

.PHONY: venv demo test axe-core bench-venv bench clean onnx-model onnx-model-static

venv: $(STAMP)

$(STAMP): requirements/base.txt requirements/test.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/test.txt
	$(BIN)/python -m pip install -q --no-deps bertopic==0.17.4
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kilvoice run pipelines/big-conversation.toml

test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -q

# axe-core (npm) for the accessibility test (tests/test_accessibility.py), which skips without it.
axe-core: $(AXE)

$(AXE):
	-npm install --no-save --no-package-lock --prefix . axe-core@4.14

# Benchmarks compare with BERTopic's defaults, MiniLM and Presidio: they need torch (pinned).
bench-venv: .venv-bench/.installed

.venv-bench/.installed: requirements/base.txt requirements/bench.txt
	$(PY) -m venv .venv-bench
	.venv-bench/bin/python -m pip install -q --upgrade pip
	.venv-bench/bin/python -m pip install -q torch==2.13.0
	.venv-bench/bin/python -m pip install -q -r requirements/bench.txt
	.venv-bench/bin/python -m pip install -q --no-deps -e .
	touch $@

# Rebuild kilvoice/models/minilm-l6-onnx-int8 (torch at build time only; same SHA-256 on a rebuild).
onnx-model: .venv-bench/.installed
	PYTHONPATH=. .venv-bench/bin/python scripts/build_onnx_model.py

# Rebuild kilvoice/models/minilm-l6-onnx-int8s (static int8, kilvoice.embed.onnx.v2; same SHA-256 on a rebuild).
onnx-model-static: .venv-bench/.installed
	PYTHONPATH=. .venv-bench/bin/python scripts/build_onnx_model.py --mode static

clean:
	rm -rf $(VENV) .venv-bench .kilvoice reports/big-conversation node_modules

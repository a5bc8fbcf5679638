# Two entry points (see README): `make demo` and `make test`. Both set up .venv first.
# torch is pinned to the CPU wheel on local disk *before* anything that depends on it, so nothing pulls a
# multi-GB CUDA build.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[text,image,video,voice,judges,app,dev]"
	touch $(STAMP)

demo: setup
	HF_HUB_OFFLINE=1 $(VENV)/bin/studio demo --out demo-output

test: setup
	HF_HUB_OFFLINE=1 $(VENV)/bin/ruff check .
	HF_HUB_OFFLINE=1 $(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: setup
	for script in bench/*.py; do HF_HUB_OFFLINE=1 $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) demo-output .pytest_cache

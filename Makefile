# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup demo test lint typecheck contracts pytest serve clean bench constraints

$(BIN)/voc: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(BIN)/voc

setup: $(BIN)/voc

# Rewrite constraints.txt from what the virtual environment holds (after `make bench`, so
# BERTopic's packages are pinned too).
constraints: $(BIN)/voc
	@{ sed -n '/^#/p' constraints.txt; { $(BIN)/pip freeze --exclude-editable | grep -v '^torch=='; \
	   echo 'torch==2.13.0'; } | sort -f; } > constraints.txt.new && mv constraints.txt.new constraints.txt

# The benchmarks that run BERTopic beside our engine need its package (not needed to run or test).
bench: $(BIN)/voc
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,bench]'

demo: setup
	$(BIN)/voc demo

serve: setup
	$(BIN)/voc serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/pytest

test: lint typecheck contracts pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache var

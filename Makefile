# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= all
# Rules and DVC stages call the `odfa` command: put the venv first on PATH.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: venv run test test-fast test-cluster lint bench clean dvc.yaml docs/config.md

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps lightonml==1.4.3
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: venv
	$(BIN)/snakemake --cores $(CORES) all
	$(BIN)/snakemake all --report results/report.html
	$(BIN)/odfa pipeline summarise --results results --report results/report.html

# dvc.yaml is generated from the Snakemake workflow (a test fails when it is out of date).
dvc.yaml: venv
	$(BIN)/odfa pipeline dvc --out dvc.yaml

# docs/config.md is rendered from the config schema (a test fails when it is out of date).
docs/config.md: venv
	$(BIN)/python -m odfa.config_reference docs/config.md

# pytest-xdist workers (pyproject.toml's --dist loadfile: a test module at a time on a worker);
# the workers share the one run of the tiny project. One per core: on 2 cores a third worker
# cost a fifth more CPU time and 430 s of suite time against 352 s with two (2026-12-07).
TEST_WORKERS ?= 2
test: venv
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS)

# The unit tests only (no workflow runs, no study trained end to end): for iterating on the code;
# two workers sharing them test by test (every test is independent of the others' order).
test-fast: venv
	$(BIN)/pytest -n 2 --dist load -m "not slow and not cluster"

# A real single-node SLURM (installed with apt when missing; needs root): the tiny workflow
# through the slurm profile and `dvc repro` in one allocation, against a local run.
test-cluster: venv
	$(BIN)/pytest -m cluster tests/cluster

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: venv
	$(BIN)/odfa bench step --model fcnn --width 1024 --depth 8 --batch 64
	$(BIN)/odfa bench step --model fcnn --width 2048 --depth 8 --batch 64
	$(BIN)/odfa bench step --model gpt
	$(BIN)/odfa bench step --model vit
	$(BIN)/odfa bench opu

clean:
	rm -rf results .snakemake

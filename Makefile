# The two quick-start commands are `make lecture` and `make test`; each sets itself up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= lecture
STAMP  := $(VENV)/.installed
# The suite again with every dependency at the floor setup.cfg declares (.ci/floors.py).
FLOOR_VENV  := .venv-floor
FLOOR_STAMP := $(FLOOR_VENV)/.installed

.PHONY: lecture test test-release test-floor bench venv clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[render,test]'
	touch $(STAMP)

venv: $(STAMP)

lecture: $(STAMP)
	$(BIN)/gradbook lecture --force -o $(OUT)

# The suite, with the release built and checked (tests/test_packaging.py) but not installed.
test: $(STAMP)
	$(BIN)/python -m pytest -m 'not installs'

# The release installed into a fresh venv, every documented command run from an empty folder
# (tests marked `installs`: about two minutes of their own, so `make test` stays near five).
test-release: $(STAMP)
	$(BIN)/python -m pytest -m installs

$(FLOOR_STAMP): setup.cfg pyproject.toml .ci/floors.py
	rm -rf $(FLOOR_VENV)
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(PYTHON) .ci/floors.py render test > $(FLOOR_VENV)/constraints.txt
	$(FLOOR_VENV)/bin/python -m pip install -q -c $(FLOOR_VENV)/constraints.txt -e '.[render,test]'
	touch $(FLOOR_STAMP)

# Tests marked `installs` put the newest releases into a venv of their own: left to `make test-release`.
test-floor: $(FLOOR_STAMP)
	$(FLOOR_VENV)/bin/python -m pytest -m 'not installs'

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(FLOOR_VENV) $(OUT) build dist *.egg-info

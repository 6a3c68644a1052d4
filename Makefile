# The two quick-start commands are `make lecture` and `make test`; each sets itself up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= lecture
STAMP  := $(VENV)/.installed

.PHONY: lecture test bench venv clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[render,test]'
	touch $(STAMP)

venv: $(STAMP)

lecture: $(STAMP)
	$(BIN)/gradbook lecture --force -o $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info

# lederbot: `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX := $(or $(LEDERBOT_DATA_DIR),data)/index/manifest.json

.PHONY: setup index run test bench bench-scale lint clean teams-package

setup: $(STAMP)

# torch first and pinned: the machine has this CPU build on disk, and an unpinned torch would
# pull several GB of CUDA packages through sentence-transformers.
$(STAMP): pyproject.toml tests/handlers/cards/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	@# The HR report test renders the page in headless Chromium (Debian's package; root can install it).
	command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "Chromium is missing and could not be installed: the HR report rendering test will fail."
	@# The Teams card test validates cards with Microsoft's adaptivecards library (npm, pinned in package-lock.json).
	command -v npm >/dev/null 2>&1 && npm ci --prefix tests/handlers/cards --no-audit --no-fund --silent || \
	  echo "npm is missing: the Adaptive Cards validation test will fail (install nodejs and npm)."
	@# Scan detection and OCR repair read the bokmål and nynorsk dictionaries of Debian's hunspell-no
	@# with Debian's libhunspell.
	{ test -f /usr/share/hunspell/nn_NO.dic && /sbin/ldconfig -p | grep -q libhunspell-1.7.so.0; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hunspell-no libhunspell-1.7-0 >/dev/null; } || \
	  echo "hunspell-no or libhunspell is missing and could not be installed: nynorsk text cannot be told from OCR damage."
	touch $(STAMP)

$(INDEX): $(STAMP)
	$(BIN)/lederbot index build

index: $(STAMP)
	$(BIN)/lederbot index build

run: $(STAMP) $(INDEX)
	$(BIN)/lederbot serve

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP) $(INDEX)
	$(BIN)/python bench/search.py
	$(BIN)/python bench/slack_latency.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/ack_latency.py
	$(BIN)/python bench/durability.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/disclosure.py

# 100,000 generated passages: several minutes and a few GB of memory.
bench-scale: $(STAMP) $(INDEX)
	$(BIN)/python bench/scale.py

lint: $(STAMP)
	$(BIN)/ruff check bot index handlers tests bench loopback
	$(BIN)/ruff format --check bot index handlers tests bench loopback
	$(BIN)/mypy

# Needs the Azure bot's app id: MICROSOFT_APP_ID=<guid> make teams-package
teams-package: $(STAMP)
	$(BIN)/lederbot teams package --output dist/lederbot-teams.zip

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

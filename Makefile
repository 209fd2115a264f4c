# Two commands: `make demo` and `make test`. Both install what they need and skip what is done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PO := $(wildcard havenbeeld/locale/*/LC_MESSAGES/django.po)
MO := $(PO:.po=.mo)
SEED ?= 1

.PHONY: demo test install assets messages serve lint clean

demo: install assets messages
	HAVENBEELD_ENV=demo $(BIN)/havenbeeld migrate --no-input
	HAVENBEELD_ENV=demo $(BIN)/havenbeeld demo --seed $(SEED) --skip-if-built
	@echo "Havenbeeld demo: http://127.0.0.1:8000 (demo users: see README.md)"
	scripts/serve.sh

test: install assets messages
	scripts/test.sh

# The code is wrapped by hand (continuation lines aligned with their opening bracket), which
# `ruff format` would rewrap; `ruff check` holds the rules.
lint: install
	$(BIN)/ruff check .

install: $(BIN)/.installed

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

assets: havenbeeld/static/vendor/.built

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

havenbeeld/static/vendor/.built: node_modules/.installed frontend/build.mjs
	npm run --silent build
	touch $@

messages: $(MO)

%.mo: %.po $(BIN)/.installed
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) node_modules havenbeeld/static/vendor staticfiles var $(MO)

# asamblea: `make demo` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2 --dist loadfile
# The booth's JavaScript dependencies, pinned by booth/package-lock.json.
NODE_STAMP := booth/node_modules/.package-lock.json

.PHONY: demo test lint typecheck contracts pytest serve messages clean-instance bench vendor-js

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Without npm the booth's JavaScript tests skip (outside CI) and say why.
$(NODE_STAMP): booth/package.json booth/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd booth && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; \
	else \
		echo "npm not found: install Node.js and npm (apt-get install nodejs npm) for the booth's tests"; \
	fi

install: $(STAMP) $(NODE_STAMP)

# Rebuild src/asamblea/static/vendor/noble.js from the pinned packages.
vendor-js: $(NODE_STAMP)
	cd booth && npm run build

demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	ASAMBLEA_MANIFEST_STATIC=1 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@$(BIN)/python manage.py demo_help --url http://$(HOST):$(PORT)/
	@# The scheduler opens and closes polls at their times beside the web server;
	@# Ctrl-C stops both, and the trap stops the scheduler if gunicorn exits first.
	$(BIN)/python manage.py run_scheduler --interval 10 & sched=$$!; \
	trap 'kill $$sched 2>/dev/null; wait $$sched' EXIT INT TERM; \
	ASAMBLEA_MANIFEST_STATIC=1 $(BIN)/gunicorn asamblea.config.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

contracts: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0

pytest: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck contracts pytest

messages: $(STAMP)
	cd src/asamblea && ../../$(BIN)/python ../../manage.py makemessages --all --no-obsolete --ignore "voting/methods/*" && ../../$(BIN)/python ../../manage.py compilemessages

bench: $(STAMP)
	@echo "See docs/benchmarks.md for each benchmark's command."

# Prep's commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEV_ENV := DEBUG=true
PYTEST_WORKERS ?= auto

.PHONY: run install pyodide test test-fast e2e screenshots validate-html lint typecheck typecheck-baseline format migrations-check check-deploy bench bench-runner bench-analysis soak mutation clean assets

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Prep needs $(PYTHON) on PATH (or run: make PYTHON=python3 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Pyodide (Python in the browser) into static/pyodide/: pinned, checksum-verified, no Node.
pyodide: | $(PY)
	$(PY) runner/assets.py

install: $(STAMP) pyodide

# Set up (idempotent) and serve on http://127.0.0.1:8000 with DEBUG on and SQLite, with a task
# worker beside the server, as in production: e-mail is sent by the worker (printed here, with
# DEBUG on). Both restart when the code changes; Ctrl+C stops both.
run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_bank
	$(DEV_ENV) $(PY) manage.py create_demo_accounts
	$(DEV_ENV) $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# The whole suite, with the apps' coverage (lines and branches, [tool.coverage] in pyproject.toml):
# under COVERAGE_FLOOR per cent it fails (below the whole suite's figure when the floor was set,
# with room for a machine without Chromium; raise it as coverage grows; COVERAGE_FLOOR=0 for a
# part of the suite through PYTEST_ARGS).
# Browser tests run when Chromium is installed and are skipped otherwise.
# --maxschedchunk 2: tests are handed to the workers two at a time. By default a worker could be
# given a quarter of what was left in one go, and near the end such a chunk held the browser
# tests (pytest-django runs them together, after the other database tests): one worker ran them
# all while the other sat idle for minutes. (Not --dist worksteal: with more than two workers it can
# run a database test after a transactional one, whose flush emptied the role groups.)
COVERAGE_FLOOR ?= 85
test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) --maxschedchunk 2 -rs --cov \
		--cov-fail-under=$(COVERAGE_FLOOR) $(PYTEST_ARGS)

e2e: install
	E2E_REQUIRED=true $(PY) -m pytest -n $(PYTEST_WORKERS) tests/e2e $(PYTEST_ARGS)

# Retake the README's screenshots (docs/screenshots/) from a walk through the main pages.
screenshots: install
	SCREENSHOTS=1 E2E_REQUIRED=true $(PY) -m pytest -p no:xdist tests/e2e/test_main_pages.py $(PYTEST_ARGS)

# HTML validity: the site's pages through the Nu Html Checker (tests/html/validate.py). Needs
# Java; the checker's jar comes once from npm at a pinned version (nothing else needs Node).
VNU_VERSION := 26.9.27
VNU_JAR := .cache/vnu-jar-$(VNU_VERSION)/node_modules/vnu-jar/build/dist/vnu.jar

$(VNU_JAR):
	npm install --prefix .cache/vnu-jar-$(VNU_VERSION) --no-audit --no-fund --no-package-lock --ignore-scripts --silent vnu-jar@$(VNU_VERSION)

validate-html: install $(VNU_JAR)
	VNU_JAR=$(VNU_JAR) $(PY) -m tests.html.validate

# ruff, then the apps' layers (import-linter: [tool.importlinter] in pyproject.toml), then mypy.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --cache-dir .cache/import-linter
	$(MAKE) --no-print-directory typecheck

# mypy with django-stubs ([tool.mypy] in pyproject.toml). The errors of the code written before
# mypy came are listed in mypy-baseline.txt; any other error fails (mypy-baseline filter). A crash
# or a configuration error of mypy itself (exit status 2) fails too.
MYPY_OUT := .cache/mypy.txt
typecheck: install
	@mkdir -p .cache
	$(VENV)/bin/mypy . > $(MYPY_OUT); [ $$? -le 1 ] || { cat $(MYPY_OUT); exit 2; }
	grep -v '^Found [0-9]* errors in' $(MYPY_OUT) | $(VENV)/bin/mypy-baseline filter
	@echo "mypy: no errors beyond mypy-baseline.txt"

# Rewrite mypy-baseline.txt from the code as it is (after fixing errors, or to accept some: review
# its diff before committing it).
typecheck-baseline: install
	@mkdir -p .cache
	$(VENV)/bin/mypy . > $(MYPY_OUT); [ $$? -le 1 ] || { cat $(MYPY_OUT); exit 2; }
	$(VENV)/bin/mypy-baseline sync < $(MYPY_OUT)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

# Django's deployment checks with production-like values.
check-deploy: install
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=prep.example.com CSRF_TRUSTED_ORIGINS=https://prep.example.com \
	$(PY) manage.py check --deploy --fail-level WARNING

# The pages under load at two scales (bench/run.py), then the runner in the browser and the item
# analysis. BASELINE=<git rev> serves that commit beside the working tree in the same run and
# reports each page's current ÷ baseline (the pages only: the other parts have no baseline).
# Shorter runs: BENCH_SCALES=small, BENCH_SECONDS=5 (per page; default 10). See bench/README.md.
BASELINE ?=
bench: install
ifdef BASELINE
	$(PY) bench/run.py --baseline $(BASELINE)
else
	$(PY) bench/run.py
	$(PY) bench/runner.py
	$(PY) bench/analysis.py
endif

# Only the item analysis's part of `make bench` (bench/analysis.py, about 3 minutes): the analysis
# at 20,000 and 200,000 answers on PostgreSQL, and the editor's list in queries at both.
bench-analysis: install
	$(PY) bench/analysis.py

# Only the browser part of `make bench`: the Python runner in headless Chromium (bench/runner.py).
bench-runner: install
	$(PY) bench/runner.py

soak: install
	$(PY) bench/soak.py

# Mutation testing (mutmut, pinned) of grading, scheduling, drawing, the runner's results and the
# ownership checks (mutation/run.py): the score per module, the surviving mutants, and the
# equivalent ones left out (mutation/equivalent.txt). Slow (15 minutes with 2 workers): run it
# before resolving an issue that touches those modules. MUTATION=models runs one target.
MUTATION ?=
MUTATION_WORKERS ?= 1
mutation: install
	$(PY) mutation/run.py --workers $(MUTATION_WORKERS) $(MUTATION)

# Rebuild static/vendor/codemirror/ (the committed editor bundle) from assets/. Needs Node and npm; nothing else does.
assets: pyodide
	cd assets && npm ci && npm run build
	$(PY) runner/assets.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

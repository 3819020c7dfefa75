# The commands a developer runs are the commands CI runs (.ci/run calls `make test`).
VENV ?= .venv
PY := $(VENV)/bin/python
TOOLS ?= .venv-tools
export AWS_EC2_METADATA_DISABLED := true

.PHONY: serve build test lint setup tools node system fonts clean golden test-fast

PORT ?= 8000

serve: setup fonts  ## build the site and serve it with signing on http://127.0.0.1:$(PORT) (make serve PORT=8001)
	$(PY) build.py serve --port $(PORT)

build: setup fonts  ## build the site into _site/
	$(PY) build.py

test: setup tools node system lint  ## run the whole test suite
	$(PY) -m pytest

test-fast: setup tools node  ## the quick loop: ruff, then every test but DynamoDB Local (Java), Chromium and load runs
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q -m "not dynamodb_local and not browser and not load"

golden: setup  ## regenerate tests/fixtures/site/expected/ after an intended change to the pages; review the diff
	$(PY) -m tests.fixtures.regenerate

lint: setup  ## style (ruff), layering (import-linter) and types (mypy, strict)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	PYTHONPATH=functions $(VENV)/bin/lint-imports
	$(PY) -m mypy

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check "pip<26.3"
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $@

tools: $(TOOLS)/.installed  ## tools whose pins clash with the project's, in their own virtualenv (checkov)

$(TOOLS)/.installed: requirements-tools.txt
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install -q --disable-pip-version-check -r requirements-tools.txt
	touch $@

node: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=true npm ci --ignore-scripts --no-audit --no-fund
	touch $@

system: fonts  ## Debian packages the tests drive (Java for DynamoDB Local, Chromium for the browser tests, git for the text histories) and the share cards' fonts
	@command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless)
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium)
	@command -v git >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git)

fonts:  ## the share cards' fonts (Debian's fonts-dejavu-core), needed by every build
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-dejavu-core)

clean:
	rm -rf _site ._site.manifest.json .cache .data dist

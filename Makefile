# The README's two commands: `make run` and `make test`. Each sets up what it needs on a fresh
# clone: npm packages from package-lock.json, and Python tools in the project-local .venv.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# Our Lambda functions run on Node.js 22; a machine with Node.js 20 may still run the tools.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true
export SAM_CLI_TELEMETRY := 0
VENV := .venv
NODE_DEPS := node_modules/.installed
PY_TOOLS := $(VENV)/.installed
# checkov pins a boto3 that the SAM CLI cannot share: a virtualenv of its own.
CHECKOV := .venv-checkov/.installed

.PHONY: run test bench typecheck build chromium

run: $(NODE_DEPS) $(PY_TOOLS)
	AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true npx tsx scripts/run-local.ts

test: $(NODE_DEPS) $(PY_TOOLS) $(CHECKOV) chromium
	npx tsc --noEmit
	status=0; npx vitest run || status=$$?; node scripts/test-summary.mjs; exit $$status

bench: $(NODE_DEPS) $(PY_TOOLS) $(CHECKOV) chromium
	npx tsx bench/evaluate.bench.ts
	npx tsx bench/configRule.bench.ts
	npx tsx bench/scale.bench.ts
	npm run --silent build:cli && npx tsx bench/scanner.bench.ts
	AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true npx tsx bench/hostile.bench.ts
	npx tsx bench/bundles.bench.ts
	npx tsx bench/hookMemory.bench.ts
	npx tsx bench/report.bench.ts

build: $(NODE_DEPS) $(PY_TOOLS)
	bash scripts/sam-build.sh .aws-sam/build

typecheck: $(NODE_DEPS)
	npx tsc --noEmit

$(NODE_DEPS): package.json package-lock.json
	@echo "runtime-warden: installing the npm packages of package-lock.json into node_modules (first run, or after a change; about a minute)"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(PY_TOOLS): requirements-tools.txt
	@echo "runtime-warden: installing moto's server, cfn-lint, the SAM CLI and pre-commit into $(VENV) (first run, or after a change; a few minutes)"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.txt 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	touch $@

# Debian's Chromium renders the HTML report in the tests; without root or apt that test is skipped.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed and cannot be here: the HTML report check will be skipped"; fi; \
	fi

$(CHECKOV): requirements-checkov.txt
	@echo "runtime-warden: installing checkov into .venv-checkov (first run of make test, or after a change)"
	python3 -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	touch $@

# Every target a developer needs. `make` (or `make help`) lists them from their `## ` comments.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# One shell per recipe, so a recipe can keep a variable (the test timer) across its lines.
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
BIN := $(VENV)/bin
# The venv first on PATH: `sam build` finds python3.13 there, and every tool is the pinned one.
export PATH := $(abspath $(BIN)):$(PATH)
export SAM_CLI_TELEMETRY := 0
export UV_PYTHON_DOWNLOADS := never

STAGE ?= dev
PORT ?= 3000
REGION ?= us-east-1
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist); tests that share a gateway or a copy of the
# repository stay on one worker (tests/conftest.py). PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup

PY_SOURCES := $(wildcard layers functions authorizers gateway stand_ins tests benchmarks scripts)
MYPY_STRICT := $(wildcard layers/shared gateway/local_gateway authorizers functions stand_ins scripts/rename scripts/postman.py scripts/inline_includes.py scripts/preflight scripts/route scripts/models)

.PHONY: help setup lock dev token rotate-keys test test-fast models lint lint-inlined lint-checkov lint-sam lint-python lint-cfn lint-workflows lint-contract fmt build bootstrap preflight deploy stage-test logs outputs invoke sam-local bench load clean openapi fuzz rename route diagram postman newman trace

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "} {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/dev.txt requirements/checkov.txt layers/shared/requirements.in pyproject.toml $(wildcard gateway/pyproject.toml) scripts/bootstrap-venv
	@scripts/bootstrap-venv

setup: $(VENV)/.installed ## Create .venv with the pinned toolchain (other targets do it when needed)

# The contract's linters and Postman's tools, pinned in package-lock.json (Node.js >= 20.19).
NODE_BIN := node_modules/.bin
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

LOCK := uv pip compile --quiet --custom-compile-command "make lock"
# The local gateway in gateway/ is pinned by its dependencies only: scripts/bootstrap-venv installs
# it editable, since uv takes no editable requirement as a constraint (the layer's lock below is
# constrained by dev.txt). A fork that depends on a released gateway instead has no gateway/.
LOCAL_GATEWAY := $(if $(wildcard gateway/pyproject.toml),--no-emit-package local-gateway)
lock: $(VENV)/.installed ## Re-pin every requirements .txt from its .in (dev, checkov, the layer's), then sync
	$(LOCK) --universal --python-version 3.11 $(LOCAL_GATEWAY) requirements/dev.in -o requirements/dev.txt
	$(LOCK) --universal --python-version 3.11 requirements/checkov.in -o requirements/checkov.txt
	# The layer gets what the Lambda runtime runs (3.13, arm64) at the versions dev tests with.
	$(LOCK) --python-version 3.13 --python-platform aarch64-manylinux_2_28 \
	  --constraint requirements/dev.txt layers/shared/requirements.in -o layers/shared/requirements.txt
	scripts/bootstrap-venv

# DEBUG=<FunctionLogicalId>: that function's worker runs under debugpy on DEBUG_PORT and waits
# for a debugger (.vscode/launch.json attaches). Stand-ins of systems outside the repository
# (stand_ins/, the orders system on 3119, where samconfig's local section points the orders
# route) run beside the gateway and stop with it.
DEBUG ?=
DEBUG_PORT ?= 5678
dev: $(VENV)/.installed ## Run the whole API locally on 127.0.0.1:3000 (PORT= to change; DEBUG=<Function> to debug one; reloads on save)
	if [ -f stand_ins/orders_backend.py ]; then
	  python -m stand_ins.orders_backend --port 3119 & orders=$$!
	  trap 'kill $$orders' EXIT
	fi
	python -m local_gateway serve --template template.yaml --config-env default --port $(PORT) \
	  $(if $(DEBUG),--debug $(DEBUG) --debug-port $(DEBUG_PORT))

# GNU make predefines AS (the assembler, "as"): `?=` would keep that, so replace the default.
ifeq ($(origin AS),default)
AS := admin@example.com
endif
SCOPE ?=
SUB ?=
token: $(VENV)/.installed ## Mint a token: make token AS=<demo user>, or make token SCOPE="products:write" [SUB=partner-1]
	@if [ -n "$(SCOPE)" ]; then python -m local_gateway token issuer --scope "$(SCOPE)" $(if $(SUB),--sub "$(SUB)"); \
	else python -m local_gateway token user "$(AS)"; fi

SECRET ?=
rotate-keys: $(VENV)/.installed ## Rotate the partners' API keys of a running `make dev` now (SECRET= for one)
	python -m local_gateway rotate-secrets $(if $(SECRET),--secret "$(SECRET)")

test: $(VENV)/.installed ## Lint, then the whole test suite (its wall time is kept for `make bench`)
	@start=$$(date +%s)
	$(MAKE) lint
	pytest $(PARALLEL) $(PYTEST_ARGS)
	mkdir -p .local
	printf '{"seconds": %d, "finished": "%s"}\n' $$(( $$(date +%s) - start )) "$$(date -u +%FT%TZ)" \
	  > .local/test-wall-time.json

models: $(VENV)/.installed ## Render api/openapi.yaml's request models from the pydantic models (make lint checks they are current)
	python -m scripts.models

openapi: $(VENV)/.installed ## Export the API's contract for clients to docs/openapi.json (a test checks it is current)
	python -m local_gateway openapi --template template.yaml --config-env default -o docs/openapi.json

POSTMAN := .local/postman
postman: $(VENV)/.installed node_modules/.installed ## Postman collection + environment (credentials of the running make dev) in .local/postman/
	mkdir -p $(POSTMAN)
	$(NODE_BIN)/openapi2postmanv2 -s docs/openapi.json -o $(POSTMAN)/converted.json -p \
	  -O folderStrategy=Tags,parametersResolution=Example > /dev/null
	python scripts/postman.py --converted $(POSTMAN)/converted.json --out $(POSTMAN)

newman: postman ## Run the Postman collection with Newman against the running make dev
	@test -f .local/session.json || { echo "No .local/session.json: start make dev first." >&2; exit 1; }
	$(NODE_BIN)/newman run $(POSTMAN)/collection.postman_collection.json \
	  -e $(POSTMAN)/local.postman_environment.json --color off

fuzz: $(VENV)/.installed ## Fuzz every operation with schemathesis, 1000 examples each (CI runs fewer)
	FUZZ_EXAMPLES=1000 pytest -m fuzz tests/fuzz $(PYTEST_ARGS)

test-fast: $(VENV)/.installed ## The quick loop: unit, template, contract and gateway tests (no lint, build, e2e, fuzz, load, faults, rename, guides, route)
	pytest -m "not build and not e2e and not fuzz and not load and not faults and not rename and not guides and not route" $(PARALLEL) $(PYTEST_ARGS)

# The linters run as independent steps, one per core (LINT_JOBS; each step's output printed
# whole when it ends; every step runs even after one fails), longest first.
LINT_JOBS ?= $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
LINT_STEPS := lint-checkov lint-sam lint-python lint-cfn lint-workflows lint-contract
lint: $(VENV)/.installed node_modules/.installed ## ruff, mypy, cfn-lint (+serverless rules), sam validate --lint, checkov, actionlint, Spectral and Redocly on the contract
	$(MAKE) --jobs=$(LINT_JOBS) --keep-going --output-sync=target $(LINT_STEPS)
# cfn-lint and checkov see no further than an AWS::Include (and checkov skips Fn::ForEach
# entries): both read the template again as the SAM transform receives it (loops unrolled,
# api/openapi.yaml inlined), written once for both.
lint-inlined:
	python scripts/inline_includes.py template.yaml -o .local/template.inlined.json
lint-checkov: lint-inlined
	$(VENV)/checkov/bin/checkov --quiet --compact --skip-download --framework cloudformation -f .local/template.inlined.json -f bootstrap/template.yaml
lint-sam:
	sam validate --lint --region $(REGION) > /dev/null
lint-python:
	ruff check $(PY_SOURCES)
	ruff format --check $(PY_SOURCES)
	mypy $(MYPY_STRICT)
	python -m scripts.models --check
lint-cfn: lint-inlined
	cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml
	cfn-lint --append-rules cfn_lint_serverless.rules --mandatory-checks W8001 WS1004 -- .local/template.inlined.json
	cfn-lint -- bootstrap/template.yaml
lint-workflows:
	actionlint
lint-contract:
	$(NODE_BIN)/spectral lint --fail-severity=warn docs/openapi.json
	$(NODE_BIN)/redocly lint docs/openapi.json

fmt: $(VENV)/.installed ## Format and autofix the Python code
	ruff check --fix $(PY_SOURCES)
	ruff format $(PY_SOURCES)

build: $(VENV)/.installed ## sam build (python3.13, arm64) into .aws-sam/build
	sam build

# Once per account and region, before the first stage: API Gateway's CloudWatch Logs role, GitHub's
# OIDC provider and the deploy role (bootstrap/template.yaml). CREATE_OIDC_PROVIDER=false when the
# account has GitHub's provider already.
GITHUB_REPOSITORY ?=
CREATE_OIDC_PROVIDER ?= true
BOOTSTRAP_STACK ?= sample-api-bootstrap
bootstrap: $(VENV)/.installed ## Once per account and region: make bootstrap GITHUB_REPOSITORY=owner/name (needs AWS credentials)
	@if [ -z "$(GITHUB_REPOSITORY)" ]; then echo 'usage: make bootstrap GITHUB_REPOSITORY=owner/name [REGION=us-east-1]' >&2; exit 2; fi
	sam deploy --template-file bootstrap/template.yaml --stack-name $(BOOTSTRAP_STACK) \
	  --region $(REGION) --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset \
	  --parameter-overrides GitHubRepository=$(GITHUB_REPOSITORY) CreateOidcProvider=$(CREATE_OIDC_PROVIDER)

# The stage's settings offline and, with AWS credentials, the account (scripts/preflight/).
preflight: $(VENV)/.installed ## Check a stage before deploying: make preflight STAGE=dev (settings offline; the account with credentials)
	python -m scripts.preflight --stage $(STAGE) $(PREFLIGHT_ARGS)

# CI adds DEPLOY_ARGS=--no-confirm-changeset for prod: the GitHub environment's approval is the gate.
DEPLOY_ARGS ?=
PREFLIGHT_ARGS ?=
# The stage is checked first with the standard library alone: an unknown STAGE is refused at once.
deploy: ## Deploy a stage: make deploy STAGE=dev|staging|prod (preflight with the account, build, sam deploy)
	@python3 -m scripts.preflight.stages $(STAGE)
	$(MAKE) preflight STAGE=$(STAGE) PREFLIGHT_ARGS=--require-account
	$(MAKE) build
	sam deploy --config-env $(STAGE) $(DEPLOY_ARGS)

# What the deploy workflow runs after each stage's deploy, before promoting the next one.
stage-test: $(VENV)/.installed ## After a deploy: the e2e suite against the stage (URL and demo keys from the account; E2E_* for the rest)
	python -m scripts.preflight.stage_e2e --stage $(STAGE)

# Each stage is the stack sample-api-<stage> (its section of samconfig.toml).
STACK = sample-api-$(STAGE)
logs: $(VENV)/.installed ## Follow one function's logs: make logs FN=CreateUserFunction STAGE=dev
	sam logs --stack-name $(STACK) --region $(REGION) -n $(FN) --tail

outputs: $(VENV)/.installed ## A deployed stage's outputs (API URL, alarm topic, dashboard): make outputs STAGE=dev
	sam list stack-outputs --stack-name $(STACK) --region $(REGION)

invoke: build ## Invoke one function in Docker: make invoke FN=CreateUserFunction EVENT=events/create_user.json
	sam local invoke $(FN) --event $(EVENT)

sam-local: build ## sam local start-api (needs Docker), against the moto of a running `make dev`
	sam local start-api --port $$(( $(PORT) + 1 )) --env-vars .local/sam-env-vars.json

LOAD_REQUESTS ?= 4000
load: $(VENV)/.installed ## Load (LOAD_REQUESTS=4000) at twice the plans' rate, then the fault tests; prints figures
	LOAD_REQUESTS=$(LOAD_REQUESTS) pytest -p no:cacheprovider -q -s tests/load tests/reliability

bench: build ## Print the benchmarks: cold starts, package sizes, gateway latency and throughput
	python benchmarks/run.py

trace: $(VENV)/.installed ## Print the trace of one GET /v1/users/{id} (handler span, DynamoDB span) as JSON lines
	python scripts/trace_request.py

clean: ## Remove the venv, build output, caches and local state
	rm -rf $(VENV) .aws-sam .local .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

NAME ?=
KEEP ?=
# After the rename the editable install still points at the old package folder: reinstall it.
rename: $(VENV)/.installed ## Make it yours: make rename NAME=orders-api KEEP="users products" (either alone works)
	@if [ -z "$(NAME)$(KEEP)" ]; then echo 'usage: make rename NAME=orders-api KEEP="users products"' >&2; exit 2; fi
	python -m scripts.rename $(if $(NAME),--name "$(NAME)") $(if $(KEEP),--keep "$(KEEP)")
	uv pip install --quiet --python $(BIN)/python --no-deps --editable .
	@echo "Review with git diff, then run make test."

# One command per new Lambda route: handler, domain package, event, unit and e2e tests, template
# entries (scripts/route/); then the contract is exported again. It refuses what exists already.
ROUTE ?=
DOMAIN ?=
AUTH ?= cognito
route: $(VENV)/.installed ## Scaffold a Lambda route: make route ROUTE="GET /v1/invoices/{id}" [NAME= DOMAIN= AUTH=cognito|jwt SCOPE=]
	@if [ -z "$(ROUTE)" ]; then echo 'usage: make route ROUTE="GET /v1/invoices/{id}" [NAME=get_invoice] [DOMAIN=invoices] [AUTH=jwt SCOPE=invoices:read]' >&2; exit 2; fi
	python -m scripts.route --route "$(ROUTE)" --auth "$(AUTH)" $(if $(NAME),--name "$(NAME)") \
	  $(if $(DOMAIN),--domain "$(DOMAIN)") $(if $(SCOPE),--scope "$(SCOPE)")
	$(MAKE) openapi
	@echo "Fill in the logic (docs/how-to/add-a-lambda-route.md), then make test."

DIAGRAM := docs/architecture/architecture
diagram: ## Render docs/architecture/architecture.dot to its PNG (needs Graphviz: apt-get install graphviz)
	@command -v dot >/dev/null || { echo "Graphviz's dot is missing: sudo apt-get install -y graphviz" >&2; exit 1; }
	dot -Tpng -Gdpi=110 $(DIAGRAM).dot -o $(DIAGRAM).png

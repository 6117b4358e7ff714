"""Real servers from PyPI, installed by the test extras (pyproject.toml), started as a user
might start them and failing: each verdict names what the server's own words and files show."""

from __future__ import annotations

import json
import shlex
import socket
import sys
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes, RunCli
from tests.postgres import USER, PgServer, PgUnavailable
from tests.test_jsonrpc_peers import WAIT, WORKERS, confirmed, verdict
from tests.test_jsonrpc_peers_switches import BIN as PEERS_BIN
from tests.test_jsonrpc_peers_switches import RECORDED, needs

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
REQUIREMENTS_LS = BIN / "requirements-language-server"
SITE = Path(next(p for p in sys.path if p.endswith("site-packages")))


def test_a_server_calling_a_method_a_c_extensions_class_lost_is_told_its_release(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """requirements-language-server 0.0.21 calls `parser.set_language(…)` on the `Parser` it
    imports from tree_sitter; tree-sitter 0.26.1 (what lsp-tree-sitter 0.1.1's
    `tree-sitter>=0.24.0` brings) has no such method, and Python names a C extension's class
    with its module: `AttributeError: 'tree_sitter.Parser' object has no attribute
    'set_language'`. It was told to fix the error and run the server by hand."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(REQUIREMENTS_LS))
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "; requirements-language-server 0.0.21 uses `set_language` of `tree_sitter.Parser` "
        "(from tree_sitter), which the installed tree-sitter 0.26.1 does not have: it was built "
        "for another release of tree-sitter"
    ), d["cause"]
    assert d["remediation"] == (
        "Install beside it a release of tree-sitter that has what it uses, not the 0.26.1 "
        "installed, or a release of the server made for tree-sitter 0.26.1: the pool's "
        "settings are not the cause."
    )
    [said] = [e for e in d["evidence"] if e["origin"].endswith("*.dist-info")]
    assert said["text"] == (
        f"tree-sitter 0.26.1 installed; used at {SITE}/requirements_language_server/utils.py:17"
    )


PYLYZER = BIN / "pylyzer"


def test_a_checker_started_without_its_language_server_switch_is_told_the_switch(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """pylyzer 0.0.82 without `--server` is a checker: in a folder with no Python entry file it
    exits with code 1 saying `No entry file found in the current project`, and it was told to
    run it by hand and read its stderr. Its `--help` lists `--server  start the Language
    Server`: that switch is named, quoted from its help, and said untested."""
    d = verdict(
        capsys, "--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path), "--",
        str(PYLYZER),
    )  # fmt: skip
    assert confirmed(d) == ["crashed"]
    help_command = f"{PYLYZER} --help"
    assert d["cause"].endswith(
        "exited with code 1; it was started without its option `--server`, which its `--help` "
        f"(`{help_command}`) names as starting a language server (`--server  start the "
        "Language Server`)"
    ), d["cause"]
    assert d["remediation"].startswith(
        f"Start it with `--server` (`{PYLYZER} --server`), as its `--help` (`{help_command}`) "
        "says: without it, it is not a language server"
    ), d["remediation"]
    assert "untested" in d["remediation"]
    [entry] = [e for e in d["evidence"] if e["origin"] == f"`{help_command}`"]
    assert entry["text"] == "--server  start the Language Server"


@needs("mcp-server-postgres")
def test_a_tool_refused_by_its_servers_own_service_is_pattern_7(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """A tools/call the MCP server answers with its own service's refusal: server-postgres given
    a database URL where nothing listens answers `query` with `connect ECONNREFUSED
    127.0.0.1:PORT`, as mcp-server-kubernetes 4.1.7 with no cluster answers kubectl_get with
    kubectl's `dial tcp 127.0.0.1:8080: connect: connection refused`. The run's finding was
    unclassified, its nearest pattern 5 (0.20) 'without naming a missing field'; the knowledge
    base's pattern 7 reads the refusal as triage reads a test's, and the run names its address
    and reproduces with its own scenario."""
    with socket.socket() as s:  # a port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = json.dumps(
        [str(PEERS_BIN / "mcp-server-postgres"), f"postgresql://127.0.0.1:{port}/db"]
    )
    path = tmp_path / "pg-refused.yaml"
    path.write_text(
        "name: pg-refused\n"
        f"worker: {{command: {command}, protocol: mcp, init_timeout: {WAIT}}}\n"
        "pool: {size: 1, checkout_timeout: 2, request_timeout: 10}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: query, arguments: {sql: select 1}},\n"
        "              expect: {success: true}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert f"connect ECONNREFUSED 127.0.0.1:{port}" in finding["failure"]["message"]
    outcome = finding["outcome"]
    assert outcome.get("pattern_id") == "dependency-not-started", outcome
    assert outcome["facts"]["address"] == f"127.0.0.1:{port}"
    assert outcome["remediation"].startswith(f"Start the service on 127.0.0.1:{port} before")
    assert outcome["reproduce"] == f"poolctl run-scenario {path}"


@needs("mcp-server-postgres")
def test_a_tool_whose_database_refused_the_workers_credentials_says_so(
    capsys: pytest.CaptureFixture[str],
    processes: Processes,
    tmp_path: Path,
    pg_server: PgServer | PgUnavailable,
) -> None:
    """server-postgres given a URL to a running PostgreSQL (scram-sha-256 over TCP) with a
    wrong password answers `query` with `password authentication failed for user "poolctl"`;
    with no password, node-postgres's `SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must
    be a string`. Each finding was unclassified 'without naming a missing field' alone: it says
    the database refused the worker's credentials, and that the request is not at fault."""
    if isinstance(pg_server, PgUnavailable):
        pytest.skip(f"no PostgreSQL server: {pg_server}")
    said = {}
    for name, url in (
        ("wrong", pg_server.tcp_url(password="not-the-password")),
        ("none", f"postgresql://{USER}@127.0.0.1:{pg_server.port}/postgres"),
    ):
        command = json.dumps([str(PEERS_BIN / "mcp-server-postgres"), url])
        path = tmp_path / f"pg-{name}.yaml"
        path.write_text(
            f"name: pg-{name}\n"
            f"worker: {{command: {command}, protocol: mcp, init_timeout: {WAIT}}}\n"
            "pool: {size: 1, checkout_timeout: 2, request_timeout: 10}\n"
            "steps:\n"
            "  - request: {command: tools/call, args: {name: query, arguments: {sql: select 1}}}\n"
        )
        code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
        report = json.loads(capsys.readouterr()[0])
        assert code == 1, report
        [finding] = report["findings"]
        assert finding["outcome"]["type"] == "unclassified", finding
        said[name] = finding["outcome"]["why"]
    fix = (
        ": the database runs, and the request is not at fault; give the worker a user and "
        "password it accepts"
    )
    assert (
        f"; the database refused the password the worker gives for user {USER} (`password "
        f'authentication failed for user "{USER}"`){fix}'
    ) in said["wrong"], said["wrong"]
    assert (
        "; the database asked for a password, and the worker's connection gives none (`SASL: "
        f"SCRAM-SERVER-FIRST-MESSAGE: client password must be a string`){fix}"
    ) in said["none"], said["none"]
    assert "not-the-password" not in said["wrong"]


def test_a_language_server_slower_than_the_wait_that_logs_in_lsp_is_told_to_be_spoken_lsp(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """The Solidity language server (@nomicfoundation/solidity-language-server 0.8.4) spoken
    MCP reads the line as the start of a header and waits; its copy asked LSP's initialize
    writes `window/logMessage` 'Language server starting' in content-length frames at once but
    answers only seconds past the wait on a loaded machine. The protocol mismatch was ruled
    out ('no other protocol's opening got an answer') and the fix was to check what it expects
    to read. A test server logging so and answering 60 s later stands for its slow start."""
    server = (sys.executable, str(WORKERS / "lsp_logs_then_slow.py"), "60")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", "3", "--", *server)
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert (
        "; in a fresh process asked lsp's opening (initialize in content-length), it wrote "
        "`window/logMessage` 'Language server starting' in content-length frames, as a "
        "language server does, and no answer within 3 s: whether it answers lsp is untested"
    ) in d["cause"], d["cause"]
    assert d["remediation"].startswith(
        "Speak lsp to it, with a longer timeout (`poolctl ping --protocol lsp --timeout 30`"
    ), d["remediation"]
    [envelope] = [h for h in d["hypotheses"] if h["id"] == "envelope"]
    assert envelope["status"] == "untested", envelope


def test_a_servers_bracketed_err_lines_at_start_are_not_called_harmless(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """pylyzer 0.0.82 started with `--server` answers the handshake, and writes to stderr at
    start `[ERR] ERG_PATH not found` and `[ERR] ERG_PATH/lib/core.d not found` (its Erg library,
    which pip's install does not lay out): doctor's Output hygiene called them 'harmless while
    stderr is kept apart', as it does a banner."""
    _, out, _ = run_cli(
        "doctor", "--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path), "--",
        str(PYLYZER), "--server",
    )  # fmt: skip
    [line] = [ln for ln in out.splitlines() if "on stderr at start" in ln]
    assert line.lstrip().startswith("! "), out
    assert "error line(s) on stderr at start" in line and "[ERR] ERG_PATH" in line, line
    assert "an error is not harmless" in line, line


CONTEXT7 = REPO / ".peers/apart/node_modules/.bin/context7-mcp"


@pytest.mark.skipif(
    not CONTEXT7.exists(),
    reason=f"{CONTEXT7.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_an_mcp_server_started_with_its_http_transport_is_told_the_stdio_value(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """context7-mcp 4.1.1 started with `--transport http` listens on a socket and never reads
    its stdin: it was told to drop an option such as `--tcp` or `--port`, or to give
    `--stdio`, which it does not take. Its `--help` lists `--transport <stdio|http>`: the
    value for stdio is named from there, quoted. Its request is waited for to the timeout: 8 s,
    as playwright-mcp's `--port` is (its start is 0.7-1.2 s of CPU here), not the 20 s a
    server answering its handshake may take to start (21.6 s of wall a run)."""
    d = verdict(
        capsys, "--protocol", "mcp", "--timeout", "8", "--", str(CONTEXT7), "--transport", "http"
    )
    assert confirmed(d) == ["serves-socket"], d["cause"]
    assert d["remediation"].startswith(
        "Start it in stdio mode: give `--transport stdio` in place of `--transport http` (its "
        f"`--help` (`{CONTEXT7} --transport http --help`) names it: `--transport <stdio|http>"
    ), d["remediation"]
    [named] = [e for e in d["evidence"] if e["note"] == "what it names for stdin and stdout"]
    assert named["text"].startswith("`--transport stdio` gives stdio: --transport <stdio|http>")


ALONE = REPO / ".peers/alone/diagnostic-languageserver/node_modules"
DIAGNOSTIC_LS = ALONE / ".bin/diagnostic-languageserver"


@pytest.mark.skipif(
    not DIAGNOSTIC_LS.exists(),
    reason=f"{DIAGNOSTIC_LS.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_node_server_calling_a_dependency_release_its_range_stretched_to_is_told_to_pin_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """diagnostic-languageserver 1.14.2, installed alone, brings vscode-languageserver 6.1.1,
    which asks `vscode-languageserver-protocol ^3.15.3` and gets 3.18.5 (and vscode-jsonrpc
    10.0.0): it dies at start on `TypeError: messageReader.onClose is not a function`, thrown in
    vscode-jsonrpc. It was told to fix the error and run the server by hand; with 3.15.3
    installed beside it, it answers the handshake (tried by hand)."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(DIAGNOSTIC_LS), "--stdio")
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "; vscode-languageserver 6.1.1, which diagnostic-languageserver 1.14.2 brings, asks "
        "`vscode-languageserver-protocol ^3.15.3` in its package.json and runs with "
        "vscode-languageserver-protocol 3.18.5, a release its range lets in but it was not "
        "built for (3.15.3): the call fails inside it"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Install beside it the release its range starts from: `npm install "
        f"vscode-languageserver-protocol@3.15.3` in {ALONE.parent} "
    ), d["remediation"]
    [releases] = [e for e in d["evidence"] if e["note"].startswith("the releases in the stack")]
    assert releases["text"].endswith(
        f"`TypeError: messageReader.onClose is not a function` thrown at "
        f"{ALONE}/vscode-jsonrpc/lib/common/connection.js:348"
    ), releases["text"]


def test_an_error_logged_behind_a_level_letter_tag_is_quoted_and_its_usage_on_stdout_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """mcp-proxy 0.13.0 with no server to proxy logs `[E <time> mcp_proxy.__main__] Either a
    command_or_url … must be provided for stdio mode.`, prints its usage to stdout and exits
    with code 1 (recorded by tests/fixtures/src/capture_peers_mcp_proxy.sh: its `mcp<2` cannot
    sit beside the test extras' mcp 2, so a real process replays it). Its log record's level is
    a letter in a bracketed tag, not read as one: it was said to exit 'with code 1' alone, told
    to run it by hand."""
    stderr = RECORDED / "mcp_proxy_no_server.stderr"
    stdout = RECORDED / "mcp_proxy_no_server.stdout"
    [logged] = stderr.read_text().splitlines()
    said = (
        "Either a command_or_url for a default server or at least one --named-server (or "
        "--named-server-config) must be provided for stdio mode."
    )
    assert logged.startswith("[E ") and logged.endswith(f" mcp_proxy.__main__] {said}")
    server = [sys.executable, str(WORKERS / "replays_stderr.py"), str(stderr), "1", str(stdout)]
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *server)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(f"exited with code 1, after logging `{logged}`"), d["cause"]
    assert d["remediation"] == (
        f"Give it what it asks for (`{said}`): the usage it printed to its stdout (quoted) lists "
        f"its arguments, and `{shlex.join(server)} --help` describes them."
    ), d["remediation"]


SYSTEM_MONITOR = (
    REPO
    / ".peers/alone/@modelcontextprotocol/server-system-monitor/node_modules/.bin"
    / "mcp-system-monitor-server"
)


@pytest.mark.skipif(
    not SYSTEM_MONITOR.exists(),
    reason=f"{SYSTEM_MONITOR.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_an_mcp_server_listening_by_default_is_told_the_switch_a_fresh_process_answered_with(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """@modelcontextprotocol/server-system-monitor 2.0.3, an MCP Apps example, serves HTTP
    unless given `--stdio` (on $PORT, 3001 by default; 0 here, any free port): started as its
    binary's name suggests, it writes 'MCP server listening on …' to stdout and never reads its
    stdin. It was told to drop an option such as `--tcp` or `--port`, which its command did not
    have, or to give `--stdio`, untried. The same command with `--stdio` answers MCP's opening
    in a fresh process: the fix names it, and the experiment is its evidence."""
    argv = ["--protocol", "mcp", "--timeout", WAIT, "--env", "PORT=0", "--", str(SYSTEM_MONITOR)]
    d = verdict(capsys, *argv)
    assert "serves-socket" in confirmed(d), d["cause"]
    assert d["cause"].endswith(
        "the 186-byte request was never read, though no option of its command asked it to "
        "listen: it listens unless told otherwise, and the same command with `--stdio` answered "
        "in a fresh process"
    ), d["cause"]
    assert d["remediation"].startswith(
        f"Start it with `--stdio` (`{SYSTEM_MONITOR} --stdio`), as the fresh process was: "
    ), d["remediation"]
    [tried] = [e for e in d["evidence"] if e["origin"].endswith("w1-exp-with-stdio.stdout.bin")]
    assert tried["text"].startswith("with `--stdio` added to its command: answered in "), tried


@pytest.mark.skipif(
    not SYSTEM_MONITOR.exists(),
    reason=f"{SYSTEM_MONITOR.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_server_exiting_on_a_port_in_use_is_told_it_listens_and_the_switch_that_answered(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """server-system-monitor 2.0.3 without `--stdio` listens on $PORT; with the port taken (by
    another copy: `poolctl doctor` starts two at once, and one of them lost 3001 so) it writes
    `Failed to start server: Error: listen EADDRINUSE: address already in use :::PORT` and
    exits with code 1. It was said only to have exited with code 1, told to run it by hand.
    Here the test holds the port."""
    with socket.socket(socket.AF_INET6) as held:
        held.bind(("::", 0))
        held.listen()
        port = held.getsockname()[1]
        argv = ["--protocol", "mcp", "--timeout", WAIT, "--env", f"PORT={port}"]
        d = verdict(capsys, *argv, "--", str(SYSTEM_MONITOR))
    assert confirmed(d) == ["crashed"]
    line = f"Failed to start server: Error: listen EADDRINUSE: address already in use :::{port}"
    assert d["cause"].endswith(
        f"exited with code 1, failing to listen on :::{port}: the address is in use (`{line}`); "
        "it listens on a socket, not on its stdin and stdout"
    ), d["cause"]
    assert d["remediation"].startswith(
        f"Start it with `--stdio` (`{SYSTEM_MONITOR} --stdio`), as the fresh process was: "
    ), d["remediation"]
    notes = [e["note"] for e in d["evidence"]]
    assert "the address it could not listen on" in notes, notes


CALCULATOR = REPO / ".peers/py-mcp1/bin/mcp-server-calculator"


@pytest.mark.skipif(
    not CALCULATOR.exists(),
    reason=f"{CALCULATOR.relative_to(REPO)} is missing: run `make peers` (needs pip and PyPI)",
)
def test_an_mcp_sdk_1_server_spoken_lsp_is_told_to_speak_mcp_by_its_own_notifications(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """mcp-server-calculator 0.2.1 (the MCP SDK 1.30: it asks `mcp<2`) spoken lsp reads the
    Content-Length header as a line and writes MCP's `notifications/message` 'Internal Server
    Error' in line framing; asked LSP's initialize in line framing it refuses it with -32602
    'Invalid request parameters', an error that names no protocolVersion (the SDK 2's does). It
    was told to use line framing, which would be refused the same: its own notification names
    MCP."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(CALCULATOR))
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].endswith(
        "; it writes `notifications/message` 'Internal Server Error', mcp's own notification, "
        "and in a fresh process in line framing it refused our initialize (-32602 'Invalid "
        "request parameters'): it is an MCP server"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Speak mcp to it (`poolctl ping --protocol mcp`; in a pool, `worker.protocol: mcp`)"
    ), d["remediation"]


def test_a_usage_printed_by_a_worker_gone_before_its_request_was_written_is_read(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """The same recorded mcp-proxy, sent a request larger than the pipe (100 kB), which it never
    reads: it prints its usage, logs its error and exits while poolctl still writes, and the
    write fails. Its usage was recorded, but read as no wait reads it: 'Fix the error it logs'
    (on a loaded machine the replay exited before even a small request was written)."""
    stderr = RECORDED / "mcp_proxy_no_server.stderr"
    stdout = RECORDED / "mcp_proxy_no_server.stdout"
    server = [sys.executable, str(WORKERS / "replays_stderr.py"), str(stderr), "1", str(stdout)]
    pad = json.dumps({"pad": "x" * 100_000})
    d = verdict(capsys, "--framing", "line", "--args", pad, "--", *server)
    assert confirmed(d) == ["crashed"]
    assert d["remediation"].startswith("Give it what it asks for (`Either a command_or_url"), d

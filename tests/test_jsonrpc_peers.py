"""Real JSON-RPC peers: MCP servers on the official Python SDK (healthy and broken the ways real
servers break), @modelcontextprotocol/server-everything from npm (installed by `make peers`),
and python-lsp-server. Every verdict is checked by exit code, cause id, and the quoted bytes or
stderr line. Each server answers (or breaks) as soon as it has started, so the timeouts only
bound a slow machine."""

from __future__ import annotations

import json
import re
import shutil
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from poolctl.report.replay import read_events
from tests.conftest import REPO, Processes

pytestmark = pytest.mark.slow

WORKERS = Path(__file__).resolve().parent / "workers"
MCP_SERVER = (sys.executable, str(WORKERS / "mcp_server.py"))
EVERYTHING = REPO / ".peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
FILESYSTEM = REPO / ".peers/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"
PYLSP = Path(sys.executable).parent / "pylsp"
JSON_SERVER = REPO / ".peers/node_modules/.bin/vscode-json-language-server"
WAIT = "20"  # seconds a server may take to start on a loaded machine


def needs_everything() -> pytest.MarkDecorator:
    reason = ""
    if shutil.which("node") is None or shutil.which("npm") is None:
        reason = "node/npm are not installed (.ci/run installs them: apt-get install nodejs npm)"
    elif not EVERYTHING.exists():
        reason = f"{EVERYTHING.relative_to(REPO)} is missing: run `make peers` (needs npm)"
    return pytest.mark.skipif(bool(reason), reason=reason)


def ping(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["ping", "--json", *argv])
    return code, json.loads(capsys.readouterr()[0])


def verdict(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """The diagnosis of a ping that must fail with exit 1."""
    code, report = ping(capsys, *argv)
    assert code == 1, report
    diagnosis: dict[str, Any] = report["findings"][0]["outcome"]
    return diagnosis


def confirmed(d: dict[str, Any]) -> list[str]:
    return [h["id"] for h in d["hypotheses"] if h["status"] == "confirmed"]


# what a diagnosis says of a language server spoken another protocol
SPEAK_LSP = "Speak lsp to it (`poolctl ping --protocol lsp`; in a pool, `worker.protocol: lsp`)"


def quotes_lsp_answer(d: dict[str, Any], note: str, origin_end: str | None = None) -> None:
    """The diagnosis `d` quotes, as `note`, a language server's answer to an opening (from the
    fresh process's stdout file ending `origin_end`), and tells the user to speak lsp."""
    [said] = [e for e in d["evidence"] if e["note"] == note]
    assert said["text"].startswith('\'{"jsonrpc": "2.0", "id": 1, "result": {"capabilities": ')
    if origin_end is not None:
        assert said["origin"].endswith(origin_end)
    assert d["remediation"].startswith(SPEAK_LSP)


# --- healthy servers answer with their name ----------------------------------------------------


@pytest.fixture(scope="module")
def healthy_ping(
    module_processes: Processes, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """`ping --protocol mcp --count 2 --run-dir RUN` of the healthy server, which two tests
    read (its report, its run folder's trace): made by the first that asks (`pinged_healthy`).
    Each ping of it was a start of the SDK, 0.5 s of CPU."""
    return {"run": tmp_path_factory.mktemp("healthy-ping") / "run"}


def pinged_healthy(
    shared: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any], Path]:
    """The healthy server's exit code, report and run folder, the ping made once for the
    module."""
    run: Path = shared["run"]
    if "report" not in shared:
        argv = ("--protocol", "mcp", "--count", "2", "--timeout", WAIT, "--run-dir", str(run))
        shared["code"], shared["report"] = ping(capsys, *argv, "--", *MCP_SERVER)
    report: dict[str, Any] = shared["report"]
    return shared["code"], report, run


def test_python_mcp_server_answers_the_handshake_with_its_name(
    capsys: pytest.CaptureFixture[str], processes: Processes, healthy_ping: dict[str, Any]
) -> None:
    code, report, _ = pinged_healthy(healthy_ping, capsys)
    assert code == 0, report
    extra = report["extra"]
    assert extra["server"]["name"] == "poolctl-test-server"
    assert extra["server"]["version"] == "1.0.0" and extra["server"]["tools"] == 2
    assert "tools" in extra["server"]["capabilities"] and extra["server"]["protocol_version"]
    methods = [s["method"] for s in extra["steps"]]
    assert methods == ["initialize", "notifications/initialized", "ping", "ping", "tools/list"]
    assert all(s["ok"] for s in extra["steps"]) and len(extra["round_trips_ms"]) == 2
    assert extra["worker"]["framing"] == "line"  # mcp's default


@pytest.fixture(scope="module")
def banner_ping(
    module_processes: Processes, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """`ping --protocol mcp --run-dir RUN` of the server printing a banner, which two tests
    read (its diagnosis, its run folder): made by the first that asks (`pinged_banner`)."""
    return {"run": tmp_path_factory.mktemp("banner-ping") / "run"}


def pinged_banner(
    shared: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, Any], Path]:
    """The banner server's diagnosis and run folder, the ping made once for the module."""
    run: Path = shared["run"]
    if "diagnosis" not in shared:
        argv = ("--protocol", "mcp", "--timeout", WAIT, "--run-dir", str(run))
        shared["diagnosis"] = verdict(capsys, *argv, "--", *MCP_SERVER, "--banner")
    diagnosis: dict[str, Any] = shared["diagnosis"]
    return diagnosis, run


def test_each_step_of_the_session_is_traced_and_a_silent_server_pictured(
    capsys: pytest.CaptureFixture[str],
    processes: Processes,
    banner_ping: dict[str, Any],
    healthy_ping: dict[str, Any],
) -> None:
    """The run folder's events.jsonl holds every request of the handshake, with the bytes
    written and read; a server that breaks the stream gets its timeline.html."""
    code, _, healthy = pinged_healthy(healthy_ping, capsys)
    assert code == 0
    events = read_events((healthy / "events.jsonl").read_text())
    assert [e["command"] for e in events if e["type"] == "request"] == [
        "initialize",
        "ping",
        "ping",
        "tools/list",
    ]
    answers = [e for e in events if e["type"] == "response"]
    assert len(answers) == 4 and all(e["bytes_out"] > 0 and e["bytes_in"] > 0 for e in answers)
    assert not (healthy / "timeline.html").exists()  # nothing to diagnose, no picture

    _, banner = pinged_banner(banner_ping, capsys)
    events = read_events((banner / "events.jsonl").read_text())
    [silence] = [e for e in events if e["type"] == "no_response"]
    assert silence["reason"] == "bad-frame"
    # the banner, and on a loaded machine maybe the answer it printed next, read in one go
    said = (banner / "workers" / "w1.stdout.bin").read_bytes()
    assert said.startswith(b"MCP Server running on stdio\n")
    assert len(b"MCP Server running on stdio\n") <= silence["bytes_in"] <= len(said)
    [diagnosis] = [e for e in events if e["type"] == "diagnosis"]
    assert diagnosis["confirmed"] == ["stdout-text"]
    doc = json.loads((banner / "report.json").read_text())
    assert doc["extra"]["timeline"]["deciding"] is not None
    assert "MCP Server running on stdio" in (banner / "timeline.html").read_text()


@needs_everything()
def test_a_tool_that_failed_is_a_failed_step_with_its_error_text(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """An MCP tool that fails answers tools/call with `isError: true` and says why in its
    content (it was shown as answered, the text nowhere); a tool that works is answered."""
    steps = {}
    for tool in ("no_such_tool", "add"):
        args = json.dumps({"name": tool, "arguments": {"a": 1, "b": 2}})
        argv = ["--protocol", "mcp", "--command", "tools/call", "--args", args]
        code, report = ping(capsys, *argv, "--timeout", WAIT, "--", *MCP_SERVER)
        assert code == 0, report  # an answer came
        [steps[tool]] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert not steps["no_such_tool"]["ok"]
    assert (
        "the tool reported an error (isError): Unknown tool: no_such_tool"
        in (steps["no_such_tool"]["detail"])
    )
    assert steps["add"]["ok"] and steps["add"]["detail"] == "answered"


@needs_everything()
def test_node_server_everything_answers_the_handshake_with_its_name(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code, report = ping(
        capsys, "--protocol", "mcp", "--timeout", WAIT, "--", "node", str(EVERYTHING), "stdio"
    )
    assert code == 0, report
    assert report["extra"]["server"]["name"] == "mcp-servers/everything"
    assert report["extra"]["server"]["tools"] > 0
    # its notifications are kept as evidence
    assert any("list_changed" in n for n in report["extra"]["notifications"])


@needs_everything()
def test_a_node_server_stopped_for_a_debugger_is_named_so(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`node --inspect-brk` waits for a debugger before the script's first line: the port it
    listens on is the inspector's (its stderr says so), not a server's (it was told to drop
    `--tcp` or give `--stdio`)."""
    server = ("node", "--inspect-brk=127.0.0.1:0", str(EVERYTHING), "stdio")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", "3", "--no-experiments", "--", *server)
    assert confirmed(d) == ["serves-socket"]
    assert d["cause"].startswith("The worker waits for a debugger: node's inspector listens on")
    assert "Drop `--inspect-brk`" in d["remediation"]
    said = [e["text"] for e in d["evidence"]]
    assert any(t.startswith("Debugger listening on ws://127.0.0.1:") for t in said), said


@needs_everything()
def test_a_tool_slower_than_the_timeout_is_no_protocol_mismatch(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """A tool that takes 20 s, reporting its progress, against an 8 s timeout: the server had
    answered the handshake and talks on. It was "does not speak mcp: speak jsonrpc to it".
    (The timeout covers the handshake too: node's start took over 3 s at a load of 38.)"""
    call = {
        "name": "trigger-long-running-operation",
        "arguments": {"duration": 20, "steps": 20},
        "_meta": {"progressToken": "t1"},
    }
    argv = ("--protocol", "mcp", "--timeout", "8", "--command", "tools/call")
    d = verdict(capsys, *argv, "--args", json.dumps(call), "--", "node", str(EVERYTHING), "stdio")
    assert confirmed(d) == [], d["hypotheses"]
    ruled = {h["id"]: h["reason"] for h in d["hypotheses"] if h["status"] == "ruled-out"}
    assert ruled["envelope"].startswith("it answered 1 earlier request(s) of this session")
    # Either is evidence: the session's earlier answer, or (on a loaded machine) the server
    # seen on a CPU, still at the tool, when its state was read.
    assert ruled["waiting-for-input"].startswith(
        ("it answered 1 earlier request(s)", "it is not waiting for input: pid")
    )
    assert "notifications/progress" in d["cause"] and "may still be working on it" in d["cause"]
    assert "raise the timeout" in d["remediation"]


@needs_everything()
def test_an_mcp_server_spoken_lsp_is_told_so_by_its_refusal(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """Node's MCP SDK refuses LSP's initialize for want of `protocolVersion`: the refusal says
    to speak mcp to it (it said only that the server refused initialize)."""
    server = ("node", str(EVERYTHING), "stdio")
    # its refusal ends the wait: a long timeout costs nothing, and leaves a start slowed by a
    # loaded machine the time it takes (at 15% of a CPU its start took more than 5 s)
    options = ("--protocol", "lsp", "--framing", "line", "--timeout", WAIT)
    code, report = ping(capsys, *options, "--", *server)
    assert code == 1, report
    [step] = report["extra"]["steps"]
    assert step["method"] == "initialize" and not step["ok"]
    assert "its error names MCP's protocolVersion: speak mcp to it" in step["detail"]


ANSWERED_AS_MCP = (
    "asked mcp's initialize on the same stream, it answered as an MCP server (server "
    "'poolctl-test-server' 1.0.0, protocolVersion '"
)


def test_a_python_mcp_server_spoken_lsp_in_line_framing_is_asked_mcp_and_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """The Python SDK refuses LSP's initialize as `Invalid request parameters` and names
    nothing (Node's names protocolVersion): asked MCP's initialize on the same stream, it
    answers as an MCP server, and ping and a pool say so (no hint was given)."""
    argv = ("--protocol", "lsp", "--framing", "line", "--timeout", WAIT)
    code, report = ping(capsys, *argv, "--", *MCP_SERVER)
    assert code == 1, report
    [step] = report["extra"]["steps"]
    assert step["detail"].startswith(
        "error reply: Invalid request parameters (code -32602); " + ANSWERED_AS_MCP
    ), step
    assert step["detail"].endswith(
        "speak mcp to it (`--protocol mcp`; in a pool, `worker.protocol: mcp`)"
    )
    command = json.dumps(["{python}", str(WORKERS / "mcp_server.py")])
    path = tmp_path / "mcp-as-lsp.yaml"
    path.write_text(
        "name: mcp-as-lsp\n"
        f"worker: {{command: {command}, protocol: lsp, framing: line, init_timeout: {WAIT}}}\n"
        "pool: {size: 1, checkout_timeout: 2, request_timeout: 10}\n"
        "steps:\n  - request: {command: textDocument/hover}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    run = json.loads(capsys.readouterr()[0])
    assert code == 1, run
    [finding] = run["findings"]
    assert finding["failure"]["kind"] == "init-refused"
    assert ANSWERED_AS_MCP in finding["outcome"]["cause"], finding["outcome"]["cause"]


def test_a_python_mcp_server_spoken_lsp_is_told_to_speak_mcp_by_its_refusal(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """In LSP's Content-Length framing the SDK reads nothing until its stdin closes, then
    refuses the body; a fresh process answers MCP's initialize: the verdict names mcp and
    quotes the refusal (it told to speak line framing, which the server refuses as well)."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", *MCP_SERVER)
    assert "envelope" in confirmed(d), d["hypotheses"]
    refusal = (
        '{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid request parameters"'
    )
    assert d["cause"].startswith("The worker does not speak lsp: it read the "), d["cause"]
    assert "answered it only when its stdin closed, with an error: '" + refusal in d["cause"]
    assert "the mcp opening (initialize) gets an answer (server 'poolctl-test-server'" in d["cause"]
    assert d["remediation"].startswith("Speak mcp to it (`poolctl ping --protocol mcp`")
    assert any(e["text"].startswith("'" + refusal) for e in d["evidence"]), d["evidence"]
    # a bare JSON-RPC ping is answered too; the hypothesis that points to the verdict names
    # the protocol the verdict names (it said "jsonrpc gets an answer (see envelope)")
    waits = next(h for h in d["hypotheses"] if h["id"] == "waiting-for-input")
    assert waits["reason"] == "it waits for the next message: mcp gets an answer (see envelope)"


def test_language_server_answers_initialize_with_its_name_and_exits(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code, report = ping(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(PYLSP))
    assert code == 0, report
    extra = report["extra"]
    assert extra["server"]["name"] == "pylsp" and "hoverProvider" in extra["server"]["capabilities"]
    assert extra["server"]["exit"] == "exited with code 0"
    # it exited as LSP's `exit` told it to: not a worker that failed to stay up for the next
    # request (every healthy language server was told so)
    assert not [n for n in report["notes"] if "exited" in n], report["notes"]
    assert [s["method"] for s in extra["steps"]][:4] == [
        "initialize",
        "initialized",
        "shutdown",
        "exit",
    ]
    assert extra["worker"]["framing"] == "content-length"


def test_doctor_judges_a_language_servers_handshake(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """An LSP session has no request of the caller's to repeat: its answer to initialize is
    what doctor judges (every check failed on a healthy server, the framing one with an
    internal error)."""
    code = main(["doctor", "--json", "--protocol", "lsp", "--timeout", WAIT, "--", str(PYLSP)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report
    status = {(c["section"], c["name"]): c["status"] for c in report["checks"]}
    for check in [("Output hygiene", "stdout"), ("Framing", "ping"), ("Buffering", "flush")]:
        assert status[check] == "ok", report["checks"]
    [framing] = [c for c in report["checks"] if c["section"] == "Framing"]
    assert framing["summary"].startswith("answers the lsp handshake in content-length")


def test_a_language_server_spoken_to_as_mcp_does_not_pass_as_one(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """pylsp answers MCP's initialize (in Content-Length framing) with a language server's
    capabilities and no protocolVersion: no MCP client would go on, and neither does ping."""
    argv = ("--protocol", "mcp", "--framing", "content-length", "--timeout", WAIT)
    code, report = ping(capsys, *argv, "--", str(PYLSP))
    assert code == 1, report
    [initialize] = report["extra"]["steps"]
    assert initialize["method"] == "initialize" and initialize["ok"] is False
    assert initialize["detail"].startswith("answered, but not as an MCP server: its answer has no")
    assert initialize["detail"].endswith(
        "are a language server's: speak lsp to it (`--protocol lsp`; in a pool, "
        "`worker.protocol: lsp`)"
    )
    quiet = main(["ping", "-q", *argv, "--", str(PYLSP)])
    out = capsys.readouterr()[0]
    assert quiet == 1 and out.startswith("✗ ") and "not as an MCP server" in out


def test_doctor_tells_a_language_server_spoken_to_as_mcp_to_speak_lsp(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """The same mismatch under doctor, as ping and the pool say it: its Framing check failed
    on an internal error ("poolctl could not run this check (AssertionError: )"), a `!` where
    the pool gives up on every init."""
    argv = ["--protocol", "mcp", "--framing", "content-length", "--timeout", WAIT]
    code = main(["doctor", "--json", *argv, "--", str(PYLSP)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [framing] = [c for c in report["checks"] if c["section"] == "Framing"]
    assert framing["status"] == "fail", framing
    assert framing["summary"].startswith(
        "no answer in content-length: the server answered initialize, but not as an MCP server"
    )
    assert "speak lsp to it" in framing["summary"]
    assert not [c for c in report["checks"] if "could not run this check" in c["summary"]]


def test_a_line_server_sent_content_length_is_told_its_framing_from_its_own_answer(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """No fresh process is needed (they may be too slow to start on a loaded machine): once its
    stdin closes, a server that reads lines parses the frame's body and answers it in a line."""
    d = verdict(
        capsys,
        # long enough for the SDK's import on a loaded machine: the request must be read
        *("--protocol", "mcp", "--framing", "content-length", "--timeout", "8"),
        *("--no-experiments", "--", sys.executable, str(WORKERS / "mcp_server.py")),
    )
    assert confirmed(d) == ["framing"]
    assert d["cause"].startswith("The worker speaks line framing (one JSON message a line), not")
    [answer] = [e for e in d["evidence"] if "written once its stdin closed" in e["note"]]
    assert answer["text"].startswith('\'{"jsonrpc":"2.0","id":1,"result":')
    ruled = {h["id"]: h["reason"] for h in d["hypotheses"] if h["status"] == "ruled-out"}
    assert ruled["envelope"] == "it answered the request once its stdin closed (see framing)"
    assert ruled["stderr-merged"] == "nothing arrived on stdout"


@pytest.mark.skipif(not JSON_SERVER.exists(), reason="run `make peers` (needs npm)")
@pytest.mark.parametrize("option", ["--node-ipc", "--socket=45999"])
def test_a_language_server_started_as_an_editor_starts_it_is_told_to_use_stdio(
    capsys: pytest.CaptureFixture[str], processes: Processes, option: str
) -> None:
    """VS Code starts its servers with `--node-ipc` (or `--socket=N`): the server idles in an
    event loop that does not watch its stdin. It was "stuck in initialization", told to raise
    the init timeout. (A loaded machine took node past 3 s to reach that loop: still starting,
    its request unread, "stuck in initialization" was then the right verdict.)"""
    argv = ("--protocol", "lsp", "--timeout", "6", "--no-experiments")
    d = verdict(capsys, *argv, "--", str(JSON_SERVER), option)
    assert confirmed(d) == ["serves-socket"]
    assert d["cause"].startswith(f"The worker talks over another channel ({option})")
    assert f"drop `{option}`" in d["remediation"] and "`--stdio`" in d["remediation"]
    said = " ".join(e["text"] for e in d["evidence"])
    assert "its event loop, which watches" in said and "and not its stdin" in said


@pytest.mark.skipif(not JSON_SERVER.exists(), reason="run `make peers` (needs npm)")
def test_doctor_passes_a_language_server_that_does_not_name_itself(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """VS Code's servers send no `serverInfo` (LSP makes it optional): doctor's Framing check
    was "could not run this check (KeyError: 'name')", a poolctl bug, on a healthy server."""
    argv = ["doctor", "--json", "--protocol", "lsp", "--timeout", WAIT]
    code = main([*argv, "--", str(JSON_SERVER), "--stdio"])
    report = json.loads(capsys.readouterr()[0])
    [framing] = [c for c in report["checks"] if c["section"] == "Framing"]
    assert framing["status"] == "ok", framing
    assert framing["summary"].startswith("answers the lsp handshake in content-length")
    assert framing["summary"].endswith("exit (exited with code 0)")
    assert "(server" not in framing["summary"] and code == 0


def test_a_language_server_run_with_tcp_is_told_to_use_stdio(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """pylsp --tcp serves on a port and never reads stdin: not stuck in its start-up."""
    with socket.socket() as probe:  # a port free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = ("--protocol", "lsp", "--timeout", "5", "--no-experiments")
    d = verdict(capsys, *options, "--", str(PYLSP), "--tcp", "--port", str(port))
    assert confirmed(d) == ["serves-socket"]
    assert d["cause"].startswith(f"The worker serves on 127.0.0.1:{port}, not on its stdin")


def test_a_pool_of_language_servers_declared_mcp_is_told_its_inits_were_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    """The pool reads the handshake's answer as ping does: not an MCP server's, so no worker is
    ready, and the finding says what the answer was, not that none came."""
    path = tmp_path / "lsp-as-mcp.yaml"
    path.write_text(
        "name: lsp-as-mcp\n"
        f"worker: {{command: [{json.dumps(str(PYLSP))}], protocol: mcp, framing: content-length,"
        f" init_timeout: {WAIT}}}\n"
        "pool: {size: 1, checkout_timeout: 2, request_timeout: 5}\n"
        "steps:\n  - request: {command: ping, count: 1}\n"
    )
    code = main(["run-scenario", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert finding["failure"]["kind"] == "init-refused"
    diagnosis = finding["outcome"]
    # the worker, and those started again for the waiting caller until the pool gives up
    assert re.match(r"[1-6] worker\(s\) answered their init, but refused it: ", diagnosis["cause"])
    assert "not as an MCP server: its answer has no protocolVersion" in diagnosis["cause"]
    assert diagnosis["remediation"].startswith("Fix what the worker's answer says: initialize")


def test_server_requests_get_a_minimal_answer_and_notifications_are_kept(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code, report = ping(
        capsys,
        "--protocol",
        "mcp",
        "--timeout",
        WAIT,
        "--",
        sys.executable,
        str(WORKERS / "jsonrpc_strict.py"),
    )
    assert code == 0, report
    extra = report["extra"]
    assert extra["server_requests"] == ["roots/list"]
    assert extra["response"]["result"] == {"roots_answer": {"roots": []}}  # what it received
    assert extra["notifications"] == ["notifications/message: jsonrpc-strict ready"]


def test_a_server_request_read_once_the_session_closes_is_left_unanswered(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """pyrefly's language server asks for workspace/configuration once initialized; poolctl,
    closing at once, had sent `shutdown` by then and answered after it, and pyrefly logged
    `ERROR Unexpected response after shutdown`, which doctor then blamed on the server ("an
    error is not harmless"). A request read once the closing is sent is left unanswered, as an
    editor closing a server leaves it, and said so."""
    server = (sys.executable, str(WORKERS / "lsp_asks_configuration.py"))
    code, report = ping(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", *server)
    assert code == 0, report
    worker = report["extra"]["worker"]
    assert worker["server_requests_left_unanswered"] == ["workspace/configuration"]
    assert worker["server_requests"] == []
    stderr = Path(worker["stderr_log"]).read_text()
    assert "asked for the workspace configuration" in stderr
    assert "ERROR" not in stderr, stderr
    code = main(["doctor", "--json", "--protocol", "lsp", "--timeout", WAIT, "--", *server])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report
    [hygiene] = [c for c in report["checks"] if c["name"] == "stderr"]
    assert hygiene["status"] == "ok", hygiene


# --- broken servers: the true cause, its bytes quoted ------------------------------------------

STDOUT_FAULTS = {
    "banner": ("--banner", "'MCP Server running on stdio'"),
    "logging handler": ("--log-stdout", "'INFO:server:Starting server'"),
    "rich box": ("--rich-banner", "'╭"),
    "json logger": ("--json-log", '\'{"level": "info", "msg": "server starting", "pid": 1234}\''),
}


@pytest.mark.parametrize("fault", list(STDOUT_FAULTS))
def test_text_before_the_first_message_confirms_prints_to_stdout(
    capsys: pytest.CaptureFixture[str],
    fault: str,
    processes: Processes,
    banner_ping: dict[str, Any],
) -> None:
    switch, quoted = STDOUT_FAULTS[fault]
    if fault == "banner":  # the ping the test of the session's trace reads too
        d, _ = pinged_banner(banner_ping, capsys)
    else:
        d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *MCP_SERVER, switch)
    assert confirmed(d) == ["stdout-text"], d["hypotheses"]
    assert quoted in d["cause"]
    if fault == "json logger":
        assert d["cause"].startswith("A JSON logger writes to the worker's stdout")
    else:
        assert "before its first message" in d["cause"]
    if fault in ("logging handler", "json logger"):
        assert "logging handler at stderr" in d["remediation"]


def test_stderr_merged_is_confirmed_with_the_stderr_line_quoted(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(
        capsys,
        "--protocol",
        "mcp",
        "--stderr",
        "merge",
        "--timeout",
        WAIT,
        "--",
        *MCP_SERVER,
        "--stderr-warning",
    )
    assert confirmed(d)[0] == "stderr-merged", d["hypotheses"]
    assert "'WARNING: OPENAI_API_KEY is not set, using the mock model'" in d["cause"]


def test_crash_at_start_quotes_the_exception(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *MCP_SERVER, "--crash")
    assert confirmed(d) == ["crashed"]
    assert "ModuleNotFoundError: No module named 'sharp_image_codec'" in d["cause"]


def test_slow_import_is_stuck_in_initialization(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(
        capsys,
        "--protocol",
        "mcp",
        "--timeout",
        "1.5",
        "--no-experiments",
        "--",
        *MCP_SERVER,
        "--slow-import",
        "60",
    )
    assert confirmed(d) == ["stuck-in-init"]
    assert "has not read its request" in d["cause"]
    assert "time.sleep(opts.slow_import)" in json.dumps(d["evidence"])


@needs_everything()
def test_node_console_log_banner_is_quoted(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(
        capsys,
        "--protocol",
        "mcp",
        "--timeout",
        WAIT,
        "--",
        "node",
        str(WORKERS / "mcp_node_banner.mjs"),
        str(EVERYTHING),
        "stdio",
    )
    assert confirmed(d) == ["stdout-text"]
    assert "'MCP Server running on stdio'" in d["cause"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_crash_quotes_cannot_find_module(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(
        capsys,
        "--protocol",
        "mcp",
        "--timeout",
        WAIT,
        "--",
        "node",
        str(WORKERS / "node_missing_module.js"),
    )
    assert confirmed(d) == ["crashed"]
    assert "Error: Cannot find module 'sharp'" in d["cause"]


def test_language_server_printing_before_its_first_header(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(
        capsys,
        "--protocol",
        "lsp",
        "--timeout",
        WAIT,
        "--",
        sys.executable,
        str(WORKERS / "lsp_banner.py"),
    )
    assert confirmed(d) == ["stdout-text"]
    assert "'pylsp: starting language server'" in d["cause"]
    assert "a Content-Length header follows after 32 bytes of text" in json.dumps(d["evidence"])


def test_bad_content_length_header_is_a_framing_verdict(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code = (
        "import sys; sys.stdout.write('Content-Type: text/json\\r\\n\\r\\n{}'); "
        "sys.stdout.flush(); sys.stdin.read()"
    )
    d = verdict(
        capsys,
        "--protocol",
        "lsp",
        "--timeout",
        "3",
        "--no-experiments",
        "--",
        sys.executable,
        "-c",
        code,
    )
    assert confirmed(d) == ["framing"]
    assert "a header without Content-Length: 'Content-Type: text/json'" in d["cause"]


def test_header_lines_ended_by_a_bare_newline_are_a_framing_verdict(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """Before, poolctl waited for `\\r\\n\\r\\n` as a client does, and said the server waited
    for more input."""
    worker = str(WORKERS / "lsp_bare_newlines.py")
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", sys.executable, worker)
    assert confirmed(d) == ["framing"]
    assert "header lines ended by a bare newline (\\n), not \\r\\n" in d["cause"]
    assert "'Content-Length: 59\\n\\n" in d["cause"]
    assert d["remediation"].startswith("Write `Content-Length: <bytes of the body>\\r\\n`")


def test_a_content_length_counting_characters_is_a_framing_verdict(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """Its header counts the characters of a message with non-ASCII text: a reader cuts it
    short. Before, poolctl said the server waited for more input (which it did, after)."""
    worker = str(WORKERS / "lsp_counts_characters.py")
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", sys.executable, worker)
    assert confirmed(d) == ["framing"], d["hypotheses"]
    assert "Content-Length: 139 counts the message's characters, not its bytes" in d["cause"]
    assert "the message is 141 bytes of UTF-8" in d["cause"]
    assert d["remediation"].startswith("Write `Content-Length: <bytes of the body>\\r\\n`")


def test_a_handshake_step_that_failed_fails_doctor_and_ping(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """An MCP server whose tools/list answers with an error gives a host no tool: doctor's
    Framing check was ✓ with the error in its own evidence, and ping exited 0."""
    server = (sys.executable, str(WORKERS / "mcp_tools_list_fails.py"))
    argv = ["--protocol", "mcp", "--timeout", WAIT]
    code = main(["doctor", "--json", *argv, "--", *server])
    report = json.loads(capsys.readouterr()[0])
    [framing] = [c for c in report["checks"] if c["section"] == "Framing"]
    assert framing["status"] == "fail" and code == 1, framing
    assert (
        "; but tools/list: error reply: Internal error: cannot build schema" in framing["summary"]
    )
    code, report = ping(capsys, *argv, "--", *server)
    assert code == 1 and not report["extra"]["ok"]


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("code3", r"exited with code 3"),
        # its stdin closed 2 s after `exit` (as editors do), 2.1 s on a loaded machine
        ("stays", r"still running 5 s after exit, its stdin closed 2\.\d s after it"),
    ],
)
def test_a_language_server_that_ends_badly_after_exit_fails_doctor(
    capsys: pytest.CaptureFixture[str], processes: Processes, mode: str, said: str
) -> None:
    """LSP: after `shutdown` and `exit` the server ends with code 0. One that ends with 3 was
    a ✓ step, and one still running after it passed doctor."""
    server = (sys.executable, str(WORKERS / "lsp_exits_badly.py"), mode)
    code = main(["doctor", "--json", "--protocol", "lsp", "--timeout", WAIT, "--", *server])
    report = json.loads(capsys.readouterr()[0])
    [framing] = [c for c in report["checks"] if c["section"] == "Framing"]
    assert framing["status"] == "fail" and code == 1, framing
    assert re.search(f"; but {said}$", framing["summary"]), framing["summary"]
    assert "ends with code 0" in framing["remedy"]


def test_every_notification_is_counted_not_only_those_kept(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """500 notifications before its answer: report.json said 100 (the number kept as
    evidence), and the terminal showed 5 with no word of the others."""
    server = ("--", sys.executable, str(WORKERS / "mcp_chatty.py"))
    code, report = ping(capsys, "--protocol", "mcp", "--timeout", WAIT, *server)
    assert code == 0, report
    assert report["extra"]["worker"]["notifications"] == 500
    main(["ping", "--protocol", "mcp", "--timeout", WAIT, *server])
    assert "… and 495 more notification(s)" in capsys.readouterr()[0]


# --- the envelope or protocol mismatch ---------------------------------------------------------


def test_dspex_request_to_a_validating_server_quotes_its_stderr_and_names_mcp(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(
        capsys,
        "--framing",
        "line",
        "--timeout",
        "8",  # it must have started (pydantic, the MCP types) and dropped the request by then
        "--",
        sys.executable,
        str(WORKERS / "jsonrpc_strict.py"),
    )
    assert confirmed(d) == ["envelope"], d["hypotheses"]
    assert (
        "dropped it" in d["cause"] and "the mcp opening (initialize) gets an answer" in d["cause"]
    )
    stderr = [e for e in d["evidence"] if e["origin"].endswith("w1.stderr.log")]
    assert "validation errors" in stderr[0]["text"] and "jsonrpc" in stderr[0]["text"]
    assert "--protocol mcp" in d["remediation"]
    # once mcp's opening was answered no other protocol could change the verdict: lsp's is not
    # waited for (the diagnosis waited out its silence, 5 s), and the evidence says so
    [lsp] = [e["text"] for e in d["evidence"] if e["text"].startswith("speaking lsp")]
    assert "not waited for: the mcp opening (initialize) got an answer first, in " in lsp, lsp


def test_a_language_server_reading_for_the_rest_of_a_frame_is_not_said_to_drop_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """A language server sent a packet-4 frame reads it and waits for the rest of its
    Content-Length header: it was said to have "dropped it: no answer, no error" (as jedi-
    language-server was under doctor), which nothing showed."""
    # a long timeout costs nothing (the wait ends once a fresh process names the protocol) and
    # leaves a start slowed by a loaded machine the time it takes (at 3 s, 15% of a CPU: none)
    d = verdict(capsys, "--timeout", WAIT, "--", str(PYLSP))
    assert confirmed(d) == ["envelope"], d["hypotheses"]
    assert "dropped" not in d["cause"], d["cause"]
    said = re.match(
        r"The worker does not speak dspex: it read the \d+-byte dspex request \(ping\) and "
        r"answered nothing, no error either, and waits on its stdin for more, while in a fresh "
        r"process the lsp opening \(initialize\) gets an answer \(server 'pylsp' ",
        d["cause"],
    )
    assert said is not None, d["cause"]
    # no framing, its own included, got a byte: that says nothing of the framing (jedi's
    # fresh processes, sixteen at once under doctor, had all started too late to answer)
    [framing] = [h for h in d["hypotheses"] if h["id"] == "framing"]
    assert framing["status"] == "untested", framing
    assert framing["reason"].startswith("in fresh processes no framing, its own included, got")


def test_jsonrpc_request_to_a_dspex_worker_quotes_its_reply(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    d = verdict(
        capsys,
        "--protocol",
        "jsonrpc",
        "--timeout",
        "2",
        "--",
        sys.executable,
        "-m",
        "poolctl.workers.reference",
        "--framing",
        "line",
    )
    assert confirmed(d) == ["envelope"], d["hypotheses"]
    assert '\'{"id":1,"success":false,"error":"Unknown command: None"' in d["cause"]
    assert "the dspex opening (ping) gets an answer" in d["cause"]


def test_jsonrpc_error_reply_is_shown_with_code_and_message(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code = main(
        [
            "ping",
            "--protocol",
            "jsonrpc",
            "--command",
            "nosuch/method",
            "--timeout",
            WAIT,
            "--",
            sys.executable,
            str(WORKERS / "jsonrpc_strict.py"),
        ]
    )
    out = capsys.readouterr()[0]
    assert code == 0
    assert "Method not found (code -32601)" in out


# --- doctor agrees with ping; pools of MCP servers ---------------------------------------------


def test_doctor_on_a_banner_printing_mcp_server_agrees_with_ping(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code = main(
        ["doctor", "--json", "--protocol", "mcp", "--timeout", WAIT, "--", *MCP_SERVER, "--banner"]
    )
    report = json.loads(capsys.readouterr()[0])
    assert code == 1
    checks = {(c["section"], c["name"]): c for c in report["checks"]}
    stdout = checks[("Output hygiene", "stdout")]
    assert stdout["status"] == "fail"
    assert "'MCP Server running on stdio'" in stdout["summary"]
    assert "a strict client" in stdout["summary"] and "a tolerant one" in stdout["summary"]
    assert report["extra"]["protocol"] == "mcp"


def test_doctor_shows_the_mcp_handshake_with_times_and_the_init_budget(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code = main(
        [
            "doctor",
            "--json",
            "--protocol",
            "mcp",
            "--init-budget",
            "60",
            "--",
            *MCP_SERVER,
            "--stderr-warning",
        ]
    )
    report = json.loads(capsys.readouterr()[0])
    checks = {(c["section"], c["name"]): c for c in report["checks"]}
    ping_check = checks[("Framing", "ping")]
    assert ping_check["status"] == "ok", ping_check
    assert ping_check["summary"].startswith("answers the mcp handshake in line: initialize ")
    assert "(server 'poolctl-test-server' 1.0.0)" in ping_check["summary"]
    assert "init timeout 60 s" in checks[("Start-up", "init")]["summary"]
    assert report["extra"]["init_timeout_s"] == 60
    stderr = checks[("Output hygiene", "stderr")]
    assert "harmless" in stderr["summary"]  # a warning, kept apart
    assert code == 0, report["checks"]


# The server that serves at 60 s is told untested whatever the timeout: 1 s, where doctor then
# waits 5 s more (at 3 s it waited out the 7 s diagnosis budget)
@pytest.mark.parametrize(("delay", "timeout", "status"), [("3.5", "3", "ok"), ("60", "1", "warn")])
def test_doctor_s_framing_check_waits_for_a_slow_start_as_ping_does(
    capsys: pytest.CaptureFixture[str], processes: Processes, delay: str, timeout: str, status: str
) -> None:
    """A server that reads stdin only after its timeout (pyright, a node server on a busy
    machine) failed the Framing check with the start-up's verdict: its framing is judged by the
    answer that came while doctor kept waiting, or said untested, naming the timeout. The server
    serves `delay` s after its spawn: on a loaded machine a slow import and the SDK's own import
    (up to seconds) added up past doctor's wait."""
    argv = ["--protocol", "mcp", "--timeout", timeout, "--", *MCP_SERVER, "--serve-at", delay]
    code = main(["doctor", "--json", *argv])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report  # Start-up fails: it starts after its init timeout
    checks = {(c["section"], c["name"]): c for c in report["checks"]}
    assert checks[("Start-up", "init")]["status"] == "fail"
    framing = checks[("Framing", "ping")]
    assert framing["status"] == status, framing
    if status == "ok":
        said = re.fullmatch(
            r"answers initialize in line once started: its answer came ([\d.]+) s after spawn, "
            r"past the 3 s timeout \(the start is judged under Start-up\)",
            framing["summary"],
        )
        assert said is not None and float(said[1]) > 3, framing["summary"]
    else:
        assert framing["summary"].startswith(
            "not tested: the worker had not read the initialize request at the 1 s timeout, "
            "still starting; doctor gave up waiting for its answer "
        ), framing["summary"]
        assert "--timeout above its start-up" in framing["remedy"]


@pytest.mark.skipif(not FILESYSTEM.exists(), reason="run `make peers` (needs npm)")
def test_doctor_warns_of_a_server_that_says_on_stderr_it_cannot_operate(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """The MCP filesystem server started without a directory answers the handshake, and says
    on stderr that it cannot operate: doctor quotes it (it passed, its stderr "harmless").
    Given a directory it passes: its "No valid root directories provided by client" answers
    poolctl's empty roots/list, and it keeps the directory."""
    argv = ["doctor", "--json", "--protocol", "mcp", "--timeout", WAIT, "--", "node"]
    code = main([*argv, str(FILESYSTEM)])
    report = json.loads(capsys.readouterr()[0])
    checks = {(c["section"], c["name"]): c for c in report["checks"]}
    assert checks[("Framing", "ping")]["status"] == "ok"  # it answers the handshake
    stderr = checks[("Output hygiene", "stderr")]
    assert stderr["status"] == "warn" and code == 0, stderr  # a warning: exit 0
    said = "At least one directory must be provided by EITHER method for the server to operate."
    assert stderr["summary"].startswith(
        f"2 line(s) on stderr at start say it cannot work as started ({said!r})"
    ), stderr["summary"]
    quoted = {e["text"]: e["origin"] for e in stderr["evidence"]}
    assert quoted[said] == "workers/probe.stderr.log:5"
    assert quoted["Usage: mcp-server-filesystem [allowed-directory] [additional-directories...]"]
    code = main([*argv, str(FILESYSTEM), str(tmp_path)])
    checks = {(c["section"], c["name"]): c for c in json.loads(capsys.readouterr()[0])["checks"]}
    assert checks[("Output hygiene", "stderr")]["status"] == "ok", checks
    assert code == 0


def test_a_pool_step_whose_tool_failed_is_a_rejected_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    """A tools/call answered with `isError: true` fails a step that expects success, with the
    tool's text (it passed: the answer was no JSON-RPC error)."""
    command = json.dumps(["{python}", str(WORKERS / "mcp_server.py")])
    path = tmp_path / "tool-error.yaml"
    path.write_text(
        "name: tool-error\n"
        f"worker: {{command: {command}, protocol: mcp, init_timeout: {WAIT}}}\n"
        "pool: {size: 1, checkout_timeout: 2, request_timeout: 10}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: no_such_tool, arguments: {}},\n"
        "              expect: {success: true}}\n"
    )
    code = main(["run-scenario", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    said = "the tool reported an error (isError): Unknown tool: no_such_tool"
    assert said in finding["failure"]["message"], finding


def test_a_scenario_checks_a_tools_answer_in_its_content_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    """An MCP tool's output is in `result.content`, a list: a path reaches into it by index
    (`result.content.0.text`, or `[0]`). It failed a correct answer as a field "not present"."""
    command = json.dumps(["{python}", str(WORKERS / "mcp_server.py")])
    path = tmp_path / "mcp-content.yaml"
    path.write_text(
        "name: mcp-content\n"
        f"worker: {{command: {command}, protocol: mcp, init_timeout: {WAIT}}}\n"
        "pool: {size: 1, checkout_timeout: 2, request_timeout: 10}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: add, arguments: {a: 2, b: 3}},\n"
        "              expect: {equals: {result.content.0.text: '5'},\n"
        "                       fields: ['result.content[0].type']}}\n"
        "  - request: {command: tools/call, args: {name: add, arguments: {a: 2, b: 3}},\n"
        "              expect: {equals: {result.content.0.text: '6'}}}\n"
    )
    code = main(["run-scenario", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]  # the second step's, the first passed
    message = finding["failure"]["message"]
    assert "result.content.0.text" in message and "'6'" in message and "'5'" in message, message


def test_a_pool_of_mcp_servers_runs_tools_call_steps_and_classifies_pattern_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, processes: Processes
) -> None:
    def scenario(name: str, *switches: str, expect: str) -> Path:
        command = json.dumps(["{python}", str(WORKERS / "mcp_server.py"), *switches])
        path = tmp_path / f"{name}.yaml"
        path.write_text(
            f"name: {name}\n"
            f"worker: {{command: {command}, protocol: mcp, init_timeout: {WAIT}}}\n"
            "pool: {size: 1, checkout_timeout: 2, request_timeout: 10}\n"
            "steps:\n"
            "  - request: {command: tools/call, args: {name: add, arguments: {a: 2, b: 3}},\n"
            "              count: 2, expect: {equals: {result.structuredContent.result: 5}}}\n"
            f"expect: {expect}\n"
        )
        return path

    healthy = scenario("mcp-healthy", expect="{outcome: ok}")
    banner = scenario("mcp-banner", "--banner", expect="{patterns: [port-no-response]}")
    code = main(["run-scenario", "--format", "json", str(healthy), str(banner)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report
    runs = report["extra"]["runs"]
    assert [r["extra"]["passed"] for r in runs] == [True, True]
    banner_finding = report["findings"][runs[1]["findings"][0]]["outcome"]
    assert "'MCP Server running on stdio'" in banner_finding["cause"]


def test_a_line_server_refusing_the_request_it_read_at_end_of_input_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`doctor --protocol lsp` of mcp-server-fetch 2026.10.24 at a load of 21: its copies asked
    the other protocols' openings were all still starting at the end of their wait, and the
    framing verdict stood alone: "speaks line framing ... answered it only when its stdin
    closed", with the fix to frame in line. The answer it wrote then was an error (-32602
    'Invalid request parameters', the MCP SDKs' refusal of LSP's initialize): in line framing
    it refuses the request as well, which the verdict and its fix now say. Here the `mcp` 2.x
    SDK's server, with no experiments."""
    d = verdict(
        capsys,
        # long enough for the SDK's import on a loaded machine: the request must be read
        *("--protocol", "lsp", "--timeout", "8"),
        *("--no-experiments", "--", sys.executable, str(WORKERS / "mcp_server.py")),
    )
    assert confirmed(d) == ["framing"]
    assert d["cause"].endswith(
        "which ended the line the message was on, with an error, -32602 'Invalid request "
        "parameters': once read whole, the request was refused"
    ), d["cause"]
    assert d["remediation"].endswith(
        "In line framing it refuses this request too (-32602 'Invalid request parameters'): a "
        "server reading JSON lines may speak mcp (`poolctl ping --protocol mcp` tells)."
    ), d["remediation"]


def test_a_language_server_sent_a_jsonrpc_request_it_does_not_know_is_told_to_speak_lsp(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """yaml-language-server 1.25.0 (and pylsp) sent `ping --protocol jsonrpc` in line framing
    waits for the rest of a Content-Length frame; in content-length it answers `-32601
    Unhandled method ping`. That error counted as an answer: the other protocols' openings were
    not asked, and the fix was `--framing content-length`, which gets the same -32601. An
    answer saying only that the method is unknown is another protocol's request: LSP's opening
    is asked, and named."""
    # not WAIT: the silent worker is waited for to its timeout (pylsp starts in about 0.5 s)
    d = verdict(capsys, "--protocol", "jsonrpc", "--timeout", "8", "--", str(PYLSP))
    assert "envelope" in confirmed(d), d["cause"]
    assert d["cause"].startswith("The worker does not speak jsonrpc: it read the "), d["cause"]
    assert (
        "while in a fresh process the lsp opening (initialize) gets an answer (server 'pylsp'"
        in d["cause"]
    )
    assert d["remediation"].startswith("Speak lsp to it (`poolctl ping --protocol lsp`"), d

"""Real JSON-RPC servers met in hostile ways: a tool still working when the answer is due, a
server spoken the wrong protocol at that protocol's framing, a server started in another folder.
Each verdict is checked by its cause, its evidence and the hypotheses it rules out."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from poolctl.report.replay import read_events
from tests.conftest import REPO, Processes
from tests.test_jsonrpc_peers import (
    MCP_SERVER,
    PYLSP,
    WAIT,
    confirmed,
    ping,
    quotes_lsp_answer,
    verdict,
)

pytestmark = pytest.mark.slow


def ruled_out(d: dict[str, Any]) -> dict[str, str]:
    return {h["id"]: h["reason"] for h in d["hypotheses"] if h["status"] == "ruled-out"}


def test_a_tool_still_working_when_stdin_closes_is_not_block_buffered(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """The MCP Python SDK answers a request still in progress with -32000 `Connection closed`
    when its stdin closes (mcp-server-fetch on a slow page did): that reply is no answer held
    back in a buffer. It was "the worker's stdout is block-buffered … `python -u`"."""
    call = {"name": "wait", "arguments": {"seconds": 30}}
    # the handshake first: long enough for the SDK's import on a loaded machine (0.9-1.9 s at
    # a load of 20, once 8.8 s; 3 s fell short), and far short of the tool's 30 s
    argv = ("--protocol", "mcp", "--timeout", "8", "--no-experiments", "--command", "tools/call")
    d = verdict(capsys, *argv, "--args", json.dumps(call), "--", *MCP_SERVER, "--slow-tool")
    assert confirmed(d) == [], d["hypotheses"]
    assert (
        "when its stdin closed it answered with the error 'Connection closed': it was still "
        "working on the request" in d["cause"]
    )
    [closed] = [e for e in d["evidence"] if "the request cancelled, not an answer" in e["note"]]
    assert '"message":"Connection closed"' in closed["text"]
    assert ruled_out(d)["buffered"].startswith("when its stdin closed it answered with an error")
    assert "raise the timeout" in d["remediation"]


def test_a_language_server_spoken_mcp_at_mcps_framing_is_told_its_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """`--protocol mcp` sets line framing too: pylsp (as jedi-language-server) waits for the
    rest of a Content-Length frame, and in a fresh process answers that framing with a language
    server's capabilities. Changing only the framing (what it said to do) fails again: the
    protocol is the mistake."""
    # a long timeout costs nothing (the wait ends once a fresh process names the protocol) and
    # leaves a start slowed by a loaded machine the time it takes (at 3 s, 15% of a CPU: none)
    argv = ("--protocol", "mcp", "--timeout", WAIT, "--run-dir", str(tmp_path / "run"))
    d = verdict(capsys, *argv, "--", str(PYLSP))
    # the other protocols' openings wait for the framings' copies to be past their start: the
    # one in content-length answered, and none of them was asked (three copies, unused, were)
    events = read_events((tmp_path / "run" / "events.jsonl").read_text())
    started = [e["experiment"] for e in events if e["type"] == "experiment_start"]
    assert "framing-content-length" in started
    assert not [e for e in started if e.startswith("protocol-")], started
    assert confirmed(d) == ["framing"]
    assert d["cause"].startswith("The worker speaks content-length, not line")
    assert d["cause"].endswith(
        "its answer there is not an MCP server's: its answer has no protocolVersion, which every "
        "MCP server's has; its capabilities are a language server's"
    )
    quotes_lsp_answer(
        d, "its answer to the content-length opening", "w1-exp-framing-content-length.stdout.bin"
    )


def test_a_language_server_started_in_cwd_is_told_that_folder_is_its_workspace(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """`--cwd` starts the server in a folder; initialize named poolctl's own folder as rootUri
    (pyright started in a project logged `Starting service instance` of another). `cat`
    writes back the very bytes poolctl sent."""
    folder, run = tmp_path / "project", tmp_path / "run"
    folder.mkdir()
    argv = ("--protocol", "lsp", "--timeout", "1", "--no-experiments", "--cwd", str(folder))
    main(["ping", "--json", *argv, "--run-dir", str(run), "--", "cat"])
    capsys.readouterr()
    sent = (run / "workers/w1.stdout.bin").read_bytes()
    header, _, body = sent.partition(b"\r\n\r\n")
    assert header.startswith(b"Content-Length: ")
    params = json.loads(body[: int(header.split(b":")[1])])["params"]
    assert params["rootUri"] == folder.as_uri()
    assert params["workspaceFolders"] == [{"uri": folder.as_uri(), "name": "project"}]


# --- servers started without the arguments they need -------------------------------------------

BASH_SERVER = REPO / ".peers/node_modules/.bin/bash-language-server"
TS_SERVER = REPO / ".peers/node_modules/.bin/typescript-language-server"


def test_a_server_refusing_its_command_line_is_told_so_with_the_parsers_error(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """argparse's `prog: error: …` is why it exited, not an unknown: the remediation was the
    generic "find why it exits … read its stderr" (mcp-server-time given an unknown flag)."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *MCP_SERVER, "--bogus")
    assert confirmed(d) == ["crashed"]
    said = "mcp_server.py: error: unrecognized arguments: --bogus"
    assert d["cause"].endswith(f"exited with code 2, refusing its command line: `{said}`")
    [error] = [e for e in d["evidence"] if e["note"] == "its argument parser's error"]
    assert error["text"] == said and error["origin"] == "workers/w1.stderr.log"
    assert d["remediation"].startswith(
        f"Drop `--bogus` from its command line: its parser does not take it (`{said}`)"
    )


def test_an_error_line_about_anything_but_its_arguments_is_no_usage_error(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """A worker that says `error: …` of its work and exits is not told to fix its command
    line: only a line that speaks of arguments or options is the parser's."""
    said = "error: cannot connect to the database at db:5432"
    script = f"import sys; print({said!r}, file=sys.stderr); sys.exit(1)"
    d = verdict(capsys, "--timeout", WAIT, "--", "python3", "-c", script)
    assert confirmed(d) == ["crashed"]
    assert "refusing its command line" not in d["cause"]
    assert not d["remediation"].startswith("Give it the arguments")


@pytest.mark.skipif(not TS_SERVER.exists(), reason="run `make peers` (needs npm)")
def test_a_language_server_started_without_stdio_is_told_to_add_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """typescript-language-server without `--stdio` says so on stderr, as commander does."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(TS_SERVER))
    said = "error: required option '--stdio' not specified"
    assert d["cause"].endswith(f"refusing its command line: `{said}`")
    assert [e["text"] for e in d["evidence"] if e["origin"] == "workers/w1.stderr.log"] == [said]
    assert "only when started with `--stdio`" in d["remediation"]


@pytest.mark.skipif(not BASH_SERVER.exists(), reason="run `make peers` (needs npm)")
def test_a_language_server_printing_its_usage_on_stdout_is_told_to_read_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """bash-language-server without `start` prints its usage on stdout and exits 0: the step
    said its header lines ended in a bare newline, the remediation to read its (empty) stderr."""
    code, report = ping(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(BASH_SERVER))
    assert code == 1
    [step] = report["extra"]["steps"]
    assert step["detail"].startswith("text where a Content-Length header should start: 'Usage:")
    d = report["findings"][0]["outcome"]
    assert d["cause"].endswith(
        "after printing its usage to stdout: its command line lacks what it needs"
    )
    [usage] = [e for e in d["evidence"] if e["note"] == "what it wrote to stdout"]
    assert usage["text"].startswith("'Usage:\\n  bash-language-server start ")
    # its switch is the subcommand `start`, which its usage lists
    assert d["remediation"] == (
        "Give it the arguments its usage (quoted) asks for. A language server serves on its "
        "pipes only when started with `--stdio` (or a subcommand such as `start`), as an editor "
        "starts it."
    )


def test_framing_auto_says_a_request_too_long_for_packet_1_was_not_sent(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """LSP's initialize is over 255 bytes: the packet-1 trial read "the experiment failed:
    FramingError", as if poolctl had broken."""
    code, report = ping(capsys, "--protocol", "lsp", "--framing", "auto", "--", str(PYLSP))
    assert code == 0, report
    trials = {t["framing"]: t["detail"] for t in report["extra"]["framing_auto"]["trials"]}
    assert re.fullmatch(
        r"not run \(the request does not fit this framing: \d+ bytes do not fit a packet-1 "
        r"header \(max 255\)\)",
        trials["packet-1"],
    )


def test_a_server_request_poolctl_refuses_is_said_refused_not_answered(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """A tool of the MCP SDK that asks the client for sampling/createMessage: poolctl refuses
    it (-32601), and the tool call fails with that refusal. The request was listed among those
    'answered minimally', as if the tool had got what it asked for."""
    call = {"name": "summarize", "arguments": {"text": "a pool of workers"}}
    argv = ["--protocol", "mcp", "--timeout", WAIT, "--command", "tools/call"]
    code = main(["ping", *argv, "--args", json.dumps(call), "--", *MCP_SERVER, "--sampling-tool"])
    out = capsys.readouterr().out
    assert code == 0, out  # an answer came: an error reply, as the README says
    assert (
        "✗ tools/call: error reply: poolctl does not serve sampling/createMessage (code -32601)"
        in out
    )
    assert (
        "requests from the server that poolctl does not serve, refused with error -32601: "
        "sampling/createMessage" in out
    )
    assert "answered minimally" not in out

"""A tools/call whose `arguments` lack what the tool's input schema requires: the MCP TypeScript
SDK refuses it naming each argument's path (`MCP error -32602: Input validation error: Invalid
arguments for tool get-sum: Invalid input: expected number, received undefined at b`), here from
@modelcontextprotocol/server-everything (.peers, `make peers`). The rejection was unclassified,
'without naming a missing field'; an argument given with a value of the wrong kind is named
too, and is no missing field. ping's step showed the refusal alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

EVERYTHING = REPO / ".peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js"


def _run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, arguments: dict[str, object]
) -> dict[str, Any]:
    path = tmp_path / "sum.yaml"
    path.write_text(
        f"worker: {{command: [node, {EVERYTHING}, stdio], protocol: mcp, init_timeout: 30}}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: get-sum, arguments: "
        f"{json.dumps(arguments)}}}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    outcome: dict[str, Any] = finding["outcome"]
    return outcome


needs_everything = pytest.mark.skipif(
    not EVERYTHING.exists(), reason=f"{EVERYTHING.relative_to(REPO)} is missing: run `make peers`"
)


@needs_everything
def test_arguments_the_tool_schema_asks_for_are_missing_fields(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    outcome = _run(capsys, tmp_path, {"a": 1})
    assert outcome["pattern_id"] == "required-field-missing", outcome
    assert outcome["cause"].endswith(
        "Invalid arguments for tool get-sum: Invalid input: expected number, received undefined "
        "at b': the tool get-sum's input schema asks for b, and the call's arguments (a) do not "
        "include it"
    ), outcome
    assert outcome["remediation"].startswith(
        "Send b in the `arguments` of each tools/call of get-sum"
    ), outcome
    assert outcome["facts"]["missing_fields"] == ["b"], outcome
    # a value of the wrong kind: the argument was given, no field is missing
    wrong = _run(capsys, tmp_path, {"a": "one", "b": 2})
    assert wrong["type"] == "unclassified", wrong
    assert "received string at a" in wrong["why"], wrong


@needs_everything
def test_ping_names_the_arguments_the_call_lacked(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    call = {"name": "get-sum", "arguments": {"a": 1}}
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    argv += ["--command", "tools/call", "--args", json.dumps(call)]
    main([*argv, "--", "node", str(EVERYTHING), "stdio"])
    report = json.loads(capsys.readouterr()[0])
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert step["detail"].endswith(
        "received undefined at b; the tool get-sum's input schema asks for b, and the call's "
        "arguments (a) do not include it: send it in `--args`"
    ), step


CONTEXT7 = REPO / ".peers/apart/node_modules/.bin/context7-mcp"


@pytest.mark.skipif(not CONTEXT7.exists(), reason="context7-mcp is missing: run `make peers`")
def test_the_sdk_2s_refusal_naming_each_path_first_is_read_too(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """context7-mcp 4.1.1 serves on the MCP SDK 2 (@modelcontextprotocol/server 2.x), whose
    refusal puts each issue's path first, the issues joined by commas: `Invalid arguments for
    tool resolve-library-id: query: Invalid input: expected string, received undefined,
    libraryName: …`. It was unclassified, 'without naming a missing field'."""
    path = tmp_path / "resolve.yaml"
    path.write_text(
        f"worker: {{command: [{CONTEXT7}], protocol: mcp, init_timeout: 30}}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: resolve-library-id, arguments: {}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    outcome = finding["outcome"]
    assert outcome["pattern_id"] == "required-field-missing", outcome
    assert outcome["facts"]["missing_fields"] == ["query", "libraryName"], outcome
    # ping's step, one of the two given: the other named, the one given not
    call = {"name": "resolve-library-id", "arguments": {"query": "x"}}
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    main([*argv, "--command", "tools/call", "--args", json.dumps(call), "--", str(CONTEXT7)])
    report = json.loads(capsys.readouterr()[0])
    [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert step["detail"].endswith(
        "received undefined; the tool resolve-library-id's input schema asks for libraryName, "
        "and the call's arguments (query) do not include it: send it in `--args`"
    ), step


CURL = REPO / ".peers/alone/@mcp-get-community/server-curl/node_modules/.bin/server-curl"


@pytest.mark.skipif(not CURL.exists(), reason="server-curl is missing: run `make peers`")
def test_a_servers_own_check_naming_each_path_first_is_read_too(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """@mcp-get-community/server-curl 0.1.0 checks a call's arguments itself (zod 3) and throws
    `Invalid arguments: url: Required`, the tool's name nowhere in it: the SDK answers -32603.
    ping showed the refusal alone and run-scenario left it unclassified. A url given but not
    one (`url: Invalid url`) is no missing argument."""
    path = tmp_path / "curl.yaml"
    path.write_text(
        f"worker: {{command: [{CURL}], protocol: mcp, init_timeout: 30}}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: curl, arguments: {method: GET}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    outcome = finding["outcome"]
    assert outcome["pattern_id"] == "required-field-missing", outcome
    assert outcome["facts"]["missing_fields"] == ["url"], outcome
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    for given, said in (
        (
            {"method": "GET"},
            "; the tool curl's input schema asks for url, and the call's arguments "
            "(method) do not include it: send it in `--args`",
        ),
        ({"url": "nope"}, "Invalid arguments: url: Invalid url (code -32603)"),
    ):
        call = {"name": "curl", "arguments": given}
        main([*argv, "--command", "tools/call", "--args", json.dumps(call), "--", str(CURL)])
        report = json.loads(capsys.readouterr()[0])
        [step] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
        assert step["detail"].endswith(said), step

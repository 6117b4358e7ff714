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

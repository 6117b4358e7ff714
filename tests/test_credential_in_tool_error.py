"""A tool that answers for want of a credential its server reads from the environment, worded
as a required field: @circleci/mcp-server-circleci 0.20.0 (.peers/alone, `make peers`) started
with no CIRCLECI_TOKEN serves initialize and tools/list, and answers each tools/call with the
tool error `CircleCI token is required. Provide Authorization: Bearer <token>, Circle-Token
header, or set CIRCLECI_TOKEN.` run-scenario read it as pattern 5, telling the caller to send
`circleci_token` in every request's arguments; ping showed the error with `Bearer [redacted]`
and said no more. Both now name the variable to set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/alone/@circleci/mcp-server-circleci/node_modules/.bin/mcp-server-circleci"
needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
SAID = (
    "the tool reported an error (isError): CircleCI token is required. Provide Authorization: "
    "Bearer <token>, Circle-Token header, or set CIRCLECI_TOKEN."
)
CALL = {"name": "list_followed_projects", "arguments": {}}


@needs_server
def test_ping_names_the_variable(
    capsys: pytest.CaptureFixture[str], processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CIRCLECI_TOKEN", raising=False)
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "20"]
    argv += ["--command", "tools/call", "--args", json.dumps(CALL)]
    main([*argv, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    [call] = [s for s in report["extra"]["steps"] if s["method"] == "tools/call"]
    assert call["detail"] == (
        f"answered, but {SAID}; it asks for environment variable CIRCLECI_TOKEN, not set in "
        "its environment: `--env CIRCLECI_TOKEN=…` (in a pool, the worker's `env`)"
    ), call


@needs_server
def test_run_scenario_reads_no_field_of_the_request(
    capsys: pytest.CaptureFixture[str],
    processes: Processes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CIRCLECI_TOKEN", raising=False)
    path = tmp_path / "projects.yaml"
    path.write_text(
        f"worker: {{command: [{SERVER}], protocol: mcp, init_timeout: 20}}\n"
        "pool: {size: 1, checkout_timeout: 20, request_timeout: 20}\n"
        f"steps:\n  - request: {{command: tools/call, args: {json.dumps(CALL)}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert finding["outcome"]["type"] == "unclassified", finding
    assert finding["outcome"]["why"].endswith(
        "; it asks for environment variable CIRCLECI_TOKEN, not set in the worker's "
        "environment: set CIRCLECI_TOKEN in the scenario's `worker.env`"
    ), finding

"""A tool whose service is out of this machine's reach, its error Node's `fetch failed` held as
JSON: @supabase/mcp-server-supabase 0.13.0 (.peers/alone, `make peers`), given an access token,
answers tools/call list_projects with `{"error":{"name":"TypeError","message":"fetch failed"}}`
(isError) and tools/list with `fetch failed` (-32603) on a machine with no network. run-scenario
read `fetch failed` only at the start of the error or after `: `, and left this one
unexplained; ping explained neither."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/alone/@supabase/mcp-server-supabase/node_modules/.bin/mcp-server-supabase"
needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
TOKEN = "SUPABASE_ACCESS_TOKEN=sbp_0000"  # any: the call never reaches the service
FETCH = "`fetch failed` is Node's fetch getting no HTTP answer"
TOOL = '{"error":{"name":"TypeError","message":"fetch failed"}}'


@needs_server
def test_ping_says_the_service_is_out_of_reach(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    args = json.dumps({"name": "list_projects", "arguments": {}})
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--env", TOKEN]
    code = main([*argv, "--command", "tools/call", "--args", args, "--", str(SERVER)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    steps = {s["method"]: s["detail"] for s in report["extra"]["steps"]}
    said = f"answered, but the tool reported an error (isError): {TOOL}; {FETCH}"
    assert steps["tools/call"].startswith(said), steps
    assert steps["tools/list"].startswith(f"error reply: fetch failed (code -32603); {FETCH}")


@needs_server
def test_run_scenario_reads_fetch_failed_in_json(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(
        f"worker: {{command: [{SERVER}], protocol: mcp, env: {{{TOKEN.replace('=', ': ')}}}}}\n"
        "pool: {size: 1}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: list_projects, arguments: {}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert f"without naming a missing field; {FETCH}" in finding["outcome"]["why"], finding

"""A tools/call left unanswered while its server retries a remote service: arxiv-mcp-server
0.8.2 (its own virtualenv, .peers/py-alone, `make peers`) on a machine with no network answers
search_papers only after three tries, logging `arXiv API request connection error; retrying in
2.0s (attempt 1/3)` between them. Its words were not read as a failed connection: the finding
said the request timed out and the worker lived, and its fix was the pattern's general one.
Waited for, it answers with a tool error, `Could not connect to arXiv after 3 attempts.`, which
was unclassified 'without naming a missing field', and shown by ping with no more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/py-alone/arxiv-mcp-server/bin/arxiv-mcp-server"


needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
SEARCH = {"name": "search_papers", "arguments": {"query": "pools"}}
NOT_CONNECTED = (
    "; it says it could not connect to arXiv (`Could not connect to arXiv`), naming no cause: the "
    "service it calls is out of this machine's reach most likely (no network, DNS or proxy here, "
    "or an address wrong in its configuration; untested), not a fault of the request"
)


@needs_server
def test_a_remote_service_retried_past_the_timeout_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    path = tmp_path / "search.yaml"
    path.write_text(
        f"worker: {{command: [{SERVER}], protocol: mcp, init_timeout: 60}}\n"
        "pool: {size: 1, checkout_timeout: 60, request_timeout: 6}\n"
        "steps:\n"
        "  - request: {command: tools/call, args: {name: search_papers, arguments: "
        "{query: pools}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    outcome = finding["outcome"]
    assert "; meanwhile its stderr logged " in outcome["cause"], outcome
    assert (
        " failed connection(s) to a service (`arXiv API request connection error; retrying in "
    ) in outcome["cause"], outcome
    assert outcome["remediation"].startswith(
        "Give the worker a way to the service it connects to (the network, a name server, or a "
        "proxy it is to use), or a request_timeout above its retries"
    ), outcome


@needs_server
def test_its_error_after_the_retries_says_it_could_not_connect(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    path = tmp_path / "search.yaml"
    path.write_text(
        f"worker: {{command: [{SERVER}], protocol: mcp, init_timeout: 60}}\n"
        "pool: {size: 1, checkout_timeout: 60, request_timeout: 60}\n"
        "steps:\n"
        f"  - request: {{command: tools/call, args: {json.dumps(SEARCH)}}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert "Could not connect to arXiv after 3 attempts." in finding["failure"]["message"]
    assert finding["outcome"]["why"].endswith(NOT_CONNECTED), finding
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "60"]
    main([*argv, "--command", "tools/call", "--args", json.dumps(SEARCH), "--", str(SERVER)])
    ping = json.loads(capsys.readouterr()[0])
    [step] = [s for s in ping["extra"]["steps"] if s["method"] == "tools/call"]
    assert step["detail"].endswith(NOT_CONNECTED), step

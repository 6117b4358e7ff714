"""A tools/call left unanswered while its server retries a remote service: arxiv-mcp-server
0.8.2 (its own virtualenv, .peers/py-alone, `make peers`) on a machine with no network answers
search_papers only after three tries, logging `arXiv API request connection error; retrying in
2.0s (attempt 1/3)` between them. Its words were not read as a failed connection: the finding
said the request timed out and the worker lived, and its fix was the pattern's general one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = REPO / ".peers/py-alone/arxiv-mcp-server/bin/arxiv-mcp-server"


@pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
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

"""A fresh process's refusal of a handshake protocol's request, sent it with no session, is no
answer to it: ping of arxiv-mcp-server 0.8.2 (.peers/py-alone, `make peers`) with a tools/call
of search_papers on a machine with no network gets no answer in its wait (the server retries
the arXiv API). The replay in a fresh process, sent the tools/call with no `initialize`, was
answered `Invalid request parameters` (-32602), and the waiting-for-input hypothesis was ruled
out with 'a fresh process answered the same request: the failure did not reproduce'. The
verdict, no hypothesis confirmed, left its stderr's retries (`arXiv API request connection
error; retrying in 2.0s (attempt 1/3)`) unsaid."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes, RunCli
from tests.test_diagnose_workers import WORKERS, diagnose

SERVER = REPO / ".peers/py-alone/arxiv-mcp-server/bin/arxiv-mcp-server"


needs_server = pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
SEARCH = {"name": "search_papers", "arguments": {"query": "pools"}}


@pytest.fixture(scope="module")
def search_ping(module_processes: Processes) -> dict[str, Any]:
    """The server's diagnosis of its unanswered search, which both tests of it read: made by
    the first that asks (`searched`). Each ping of it was 17-20 s of waiting and 5 s of CPU."""
    return {}


def searched(shared: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The outcome of `ping --protocol mcp --timeout 5` of the server with a tools/call of
    search_papers, the ping made once for the module. Its 5 s ends before the server's
    retries do (about 6 s), so that its replay is asked: at 6 s it answered 6.3 s after the
    request at a load of 5, and the verdict was a late answer's, no replay run."""
    if "outcome" not in shared:
        argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "5"]
        main([*argv, "--command", "tools/call", "--args", json.dumps(SEARCH), "--", str(SERVER)])
        [finding] = json.loads(capsys.readouterr()[0])["findings"]
        shared["outcome"] = finding["outcome"]
    outcome: dict[str, Any] = shared["outcome"]
    return outcome


@needs_server
def test_a_replay_refused_for_want_of_a_session_is_no_answer(
    capsys: pytest.CaptureFixture[str], processes: Processes, search_ping: dict[str, Any]
) -> None:
    outcome = searched(search_ping, capsys)
    hypotheses = {h["id"]: h for h in outcome["hypotheses"]}
    waiting = hypotheses["waiting-for-input"]
    assert "did not reproduce" not in waiting["reason"], waiting
    assert (
        waiting["reason"] == "it answered 1 earlier request(s) of this session framed as this one"
    )


@needs_server
def test_its_retries_on_stderr_are_named_when_nothing_is_confirmed(
    capsys: pytest.CaptureFixture[str], processes: Processes, search_ping: dict[str, Any]
) -> None:
    outcome = searched(search_ping, capsys)
    assert outcome["cause"].startswith("No hypothesis was confirmed"), outcome
    assert (
        " failed connection(s) to a service (`arXiv API request connection error; "
        in (outcome["cause"])
    ), outcome
    # silent past the wait, or answered past the timeout once its retries ended (at a load of
    # 8 it answered 6.2 s after the request, and the late answer's verdict left them unsaid)
    said = ("it may be waiting on", "its answer may have waited on")
    assert any(
        f"{waited} its retries of a service it cannot reach (untested)" in outcome["cause"]
        for waited in said
    ), outcome
    assert "give it a way to the service it connects to" in outcome["remediation"], outcome


def test_retries_before_a_late_answer_are_named_beside_it(run_cli: RunCli) -> None:
    """A worker that logs three failed connections to a service, then answers 1.5 s after the
    request, past a 0.5 s timeout: 'slow, not broken', and its retries were unsaid (the arXiv
    server, its retries over, answered 6.2 s after the request against a 6 s timeout)."""
    late = [sys.executable, str(WORKERS / "answers_late.py"), "1.5", "retries"]
    d = diagnose(run_cli, "--timeout", "0.5", "--", *late)
    assert d["cause"].startswith("No hypothesis was confirmed: the worker is slow, not broken"), d
    assert (
        "; its stderr logged 3 failed connection(s) to a service (`API request connection error; "
        "retrying (attempt 1/3)`): its answer may have waited on its retries of a service it "
        "cannot reach (untested)"
    ) in d["cause"], d["cause"]
    assert "give it a way to the service it connects to" in d["remediation"], d["remediation"]

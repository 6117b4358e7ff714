"""A stdio server that hands each request on to a service off the machine, which it cannot
reach: @stripe/mcp 0.3.3 (npm, .peers/alone, `make peers`), given a key, starts ('Stripe MCP
Server running on stdio'), reads initialize, logs `getaddrinfo ENOTFOUND mcp.stripe.com` on a
machine with no network (this one: only package registries are reached) and answers nothing.
It was said that 'the request was not a complete message for it', and told to check its
framing; it is told the connection its stderr reports failed."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

STRIPE = REPO / ".peers/alone/@stripe/mcp/node_modules/.bin/mcp"


@pytest.mark.skipif(not STRIPE.exists(), reason="@stripe/mcp is missing: run `make peers`")
def test_a_request_it_cannot_hand_on_is_no_incomplete_message(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    # it never answers: the request is waited for to the timeout, 5 s (its start, read and
    # failed lookup take about 1.3 s here; 10 s was 14.7 s of wall a run)
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "5"]
    code = main([*argv, "--", str(STRIPE), "--api-key=rk_test_not_a_key"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    cause = outcome["cause"]
    assert "not a complete message" not in cause, cause
    assert cause.startswith("The worker read the 186-byte request and waits without answering")
    assert cause.endswith(
        "its stderr reports `[cause]: Error: getaddrinfo ENOTFOUND mcp.stripe.com`: a "
        "connection or a name lookup it needs failed, and it answers nothing instead"
    ), cause
    assert outcome["remediation"].startswith(
        "Make reachable what it connects to (`[cause]: Error: getaddrinfo ENOTFOUND "
        "mcp.stripe.com`)"
    ), outcome["remediation"]

"""A server that throws at start-up on an option of its command line, checked by its own code
rather than a parser poolctl knows: @stripe/mcp 0.3.3 (npm, .peers/alone, `make peers`) throws
`Error: Stripe account must start with "acct_".` on `--stripe-account=foo` and `Error: Invalid
argument: bogus. Accepted arguments are: api-key, stripe-account` on `--bogus=1`. Both were told
'Fix the error it reports'; the fix now names the option, and words what to give from what the
server says. Given what the fix says, the server starts."""

from __future__ import annotations

import json
import subprocess

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

STRIPE = REPO / ".peers/alone/@stripe/mcp/node_modules/.bin/mcp"
PING = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
KEY = "--api-key=rk_test_not_a_key"  # the shape it takes: its key is checked first


def _outcome(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str]:
    code = main([*PING, "--", str(STRIPE), KEY, *args])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    evidence = [e["text"] for e in outcome["evidence"]]
    return {**outcome, "evidence": "\n".join(evidence)}


def _starts(processes: Processes, *args: str) -> None:
    server = processes.popen(
        [str(STRIPE), KEY, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stderr is not None and server.stdin is not None
    started = server.stderr.readline()
    assert b"Stripe MCP Server running on stdio" in started, started
    server.stdin.close()
    assert server.wait(timeout=30) == 0


@pytest.mark.skipif(not STRIPE.exists(), reason="@stripe/mcp is missing: run `make peers`")
def test_a_value_it_refuses_is_to_be_given_as_its_words_ask(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    outcome = _outcome(capsys, "--stripe-account=foo")
    assert outcome["cause"].endswith(
        'after the exception `Error: Stripe account must start with "acct_".`; it refuses the '
        "value its command line gives `--stripe-account`: `--stripe-account=foo`"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        'Give `--stripe-account` a value that it says must start with "acct_" in its command line'
    ), outcome["remediation"]
    assert "`--stripe-account=foo` in its command" in outcome["evidence"], outcome["evidence"]
    _starts(processes, "--stripe-account=acct_1")  # as the fix says


@pytest.mark.skipif(not STRIPE.exists(), reason="@stripe/mcp is missing: run `make peers`")
def test_an_option_it_does_not_take_is_dropped_and_those_it_takes_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    outcome = _outcome(capsys, "--bogus=1")
    assert outcome["cause"].endswith(
        "; it does not take `--bogus`, which its command line gives"
    ), outcome["cause"]
    assert outcome["remediation"].startswith("Drop `--bogus=1` from its command line"), outcome[
        "remediation"
    ]
    assert outcome["remediation"].endswith("; it takes `--api-key`, `--stripe-account`."), outcome[
        "remediation"
    ]
    _starts(processes)  # without it

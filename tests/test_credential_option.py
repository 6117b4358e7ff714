"""A server that exits at start-up asking for its credential as an environment variable or a
command-line option: @stripe/mcp 0.3.3 (npm, .peers/alone, `make peers`) with neither says
`Stripe API key not provided. Please either pass it as an argument --api-key=$KEY or set the
STRIPE_SECRET_KEY environment variable.` and exits with code 1. Its fix named the variable
alone; it names the option too, and, given that option, the server starts."""

from __future__ import annotations

import json
import subprocess

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

STRIPE = REPO / ".peers/alone/@stripe/mcp/node_modules/.bin/mcp"


@pytest.mark.skipif(not STRIPE.exists(), reason="@stripe/mcp is missing: run `make peers`")
def test_the_option_its_words_offer_is_named_beside_the_variable(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    code = main([*argv, "--", str(STRIPE)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "Please either pass it as an argument --api-key=$KEY or set the STRIPE_SECRET_KEY "
        "environment variable.`: it asks for environment variable STRIPE_SECRET_KEY"
    ), outcome["cause"]  # `$KEY` holds no secret: it was quoted as `--api-key=[redacted]`
    assert outcome["remediation"].startswith(
        "Set STRIPE_SECRET_KEY in its environment (`--env NAME=VALUE`; in a pool, the worker's "
        "`env`), or give it `--api-key=…` in its command"
    ), outcome["remediation"]
    # the option as said: it starts, and waits on its stdin (its requests then go to Stripe's
    # service, which is off this machine)
    server = processes.popen(
        [str(STRIPE), "--api-key=rk_test_not_a_key"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stderr is not None and server.stdin is not None
    started = server.stderr.readline()  # an rk_ key: no warning of an sk_ one before it
    assert b"Stripe MCP Server running on stdio" in started, started
    server.stdin.close()
    assert server.wait(timeout=30) == 0


@pytest.mark.skipif(not STRIPE.exists(), reason="@stripe/mcp is missing: run `make peers`")
def test_a_value_it_refuses_is_redacted_inside_the_quoted_command(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`--api-key=bogus` (too short to be taken as a secret of the command line) is redacted
    by its option's shape: the backtick closing its quote was redacted with it. The fix is
    worded from its error (tests/test_option_refused.py)."""
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    code = main([*argv, "--", str(STRIPE), "--api-key=bogus"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "Expected sk_* (secret key) or rk_* (restricted key).`; it refuses the value its command "
        "line gives `--api-key`: `--api-key=[redacted]`"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Give `--api-key` a value of the form it expects (sk_* (secret key) or rk_* (restricted "
        "key)) in its command line"
    ), outcome["remediation"]

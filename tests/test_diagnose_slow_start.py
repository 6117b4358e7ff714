"""A start slowed by a loaded machine: a worker that exits after its timeout, while poolctl
waits on for a slow start, is judged as the exited worker it is, not as one still starting."""

from __future__ import annotations

import shlex
import sys

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

pytestmark = pytest.mark.slow

NEEDS_STDIO = str(WORKERS / "lsp_needs_stdio.py")


def test_a_worker_exiting_while_poolctl_waits_on_past_its_timeout_is_judged_exited(
    run_cli: RunCli,
) -> None:
    """svelteserver held to 10% of a CPU (a loaded machine) exits silent 6-8 s after it
    starts, past ping's 5 s timeout: poolctl waited on for a slow start, saw it exit, and said
    it was stuck in initialization, "still starting 6.7 s after it started", to answer before
    its start-up work or raise the init timeout. It exited: the verdict is a quiet machine's,
    its experiment (the same command with `--stdio`) run. Here: an exit 5 s after its start,
    a 3 s timeout."""
    argv = (sys.executable, NEEDS_STDIO, "5", "0.5")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "3", "--", *argv)
    assert confirmed(d) == ["crashed"], d["cause"]
    assert d["cause"].endswith(
        "it was started without `--stdio`, and in a fresh process the same command with "
        "`--stdio` answered initialize"
    ), d["cause"]
    assert d["remediation"].startswith(f"Start it with `--stdio` (`{shlex.join(argv)} --stdio`)")
    exit_line = f"pid {d['facts']['pid']} exited with code 0"
    [ended] = [e for e in d["evidence"] if e["text"] == exit_line]
    assert ended["note"].startswith("how the process ended: "), ended
    assert ended["note"].endswith(
        "s after it started, past its 3 s timeout, while poolctl waited on for a slow start"
    ), ended
    assert d["facts"]["exited_at_s"] > 3

"""A server whose argument parser requires a transport, `stdio` among its choices, started
without it: excel-mcp-server 2.2.2 (PyPI, .peers/py-alone, `make peers`) prints `usage:
excel-mcp-server [-h] [--version] {stdio,streamable-http} ...` and `excel-mcp-server: error: the
following arguments are required: transport`, and exits with code 2. It was told to 'Give it
the arguments it asks for'; the choice that serves on stdio is named, with the command, and
so started it answers."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

EXCEL = REPO / ".peers/py-alone/excel-mcp-server/bin/excel-mcp-server"

pytestmark = pytest.mark.skipif(
    not EXCEL.exists(), reason="excel-mcp-server is missing: run `make peers` (pip)"
)


def test_the_stdio_choice_of_its_required_argument_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    argv = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
    code = main([*argv, "--", str(EXCEL)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    diagnosis = finding["outcome"]
    assert diagnosis["cause"].endswith(
        "refusing its command line: `excel-mcp-server: error: the following arguments are "
        "required: transport`"
    ), diagnosis["cause"]
    assert diagnosis["remediation"].startswith(
        f"Start it with `stdio` (`{EXCEL} stdio`): its parser requires an argument "
        "(`excel-mcp-server: error: the following arguments are required: transport`) whose "
        "choices its usage shows as {stdio,streamable-http}"
    ), diagnosis["remediation"]
    code = main([*argv, "--", str(EXCEL), "stdio"])  # the fix as said
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report

"""A worker that reads one framing and writes another: a Node worker reading {packet, 4}
requests and answering with console.log (a JSON line). Before, the fix was "Use one framing on
both sides: line here, or make the worker speak packet-4", while its own evidence showed the
request in line framing got no answer: the worker reads packet-4, and only its writes are
wrong."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

WORKER = ("node", str(WORKERS / "node_answers_with_console_log.js"))

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def test_ping_tells_it_to_write_the_framing_it_reads(run_cli: RunCli) -> None:
    d = diagnose(run_cli, "--timeout", "1", "--", *WORKER)
    assert confirmed(d) == ["framing"], d["cause"]
    assert "it read the packet-4 request (its reply answers it, by its id)" in d["cause"]
    fix = d["remediation"]
    assert fix.startswith("Make the worker write its answers in packet-4, the framing it reads")
    assert "writeUInt32BE(Buffer.byteLength(body))" in fix
    assert "Speaking line to it does not help: a request in line got no answer." in fix
    assert "line here" not in fix


def test_without_experiments_the_fix_claims_nothing_of_line(run_cli: RunCli) -> None:
    d = diagnose(run_cli, "--timeout", "1", "--no-experiments", "--", *WORKER)
    assert d["remediation"].startswith("Make the worker write its answers in packet-4")
    assert "a request in line" not in d["remediation"]

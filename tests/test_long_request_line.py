"""A Go worker reading lines with a bufio.Scanner at its default buffer, sent a request line
over 64 KiB: the scanner stops there (bufio.ErrTooLong, unchecked), its loop ends, and it exits
with code 0, saying nothing. Before, the verdict said it took 65536 bytes of the request and
pointed at "a read that did not get the length or line it waited for" among other code paths;
the exact 64 KiB taken names the scanner's limit, with Go's fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

pytestmark = pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")


@pytest.fixture(scope="module")
def go_worker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = tmp_path_factory.mktemp("go") / "scans_lines"
    env = {**os.environ, "GO111MODULE": "off"}  # one file, no module
    source = str(WORKERS / "go_scans_lines.go")
    subprocess.run(["go", "build", "-o", str(built), source], check=True, env=env)
    return built


def test_a_line_over_64_kib_names_the_scanner_limit(run_cli: RunCli, go_worker: Path) -> None:
    args = json.dumps({"text": "x" * 70_000})
    argv = ("--timeout", "1", "--framing", "line", "--args", args)
    d = diagnose(run_cli, *argv, "--", str(go_worker))
    assert confirmed(d) == ["crashed"], d["cause"]
    assert "it took 65,536 bytes (64 KiB) of the 70,087-byte request line" in d["cause"]
    assert "64 KiB is the limit of Go's bufio.Scanner" in d["remediation"]
    assert "scanner.Buffer(" in d["remediation"]


def test_a_short_line_it_answers(run_cli: RunCli, go_worker: Path) -> None:
    code, out, _ = run_cli("ping", "--timeout", "2", "--framing", "line", "--", str(go_worker))
    assert code == 0, out

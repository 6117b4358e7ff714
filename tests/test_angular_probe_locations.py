"""@angular/language-server 21.2.13 (npm, installed alone by `make peers`) loads TypeScript and
@angular/language-service only from the folders `--tsProbeLocations` and `--ngProbeLocations`
name. Started without them it dies as it loads ('Failed to resolve
'typescript/lib/tsserverlibrary' with minimum version '5.0' from []'), its `--help` too: ping and
doctor said only 'Fix the error it reports'. The fix names both options and the folder that holds
both packages here (its own install), and the server started so answers the handshake."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from tests.conftest import Processes
from tests.test_doctor_checks import Doctor, doctor, only

__all__ = ["doctor"]  # the fixture, used by name

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("node") is None
        or not (Path(__file__).resolve().parents[1] / ".peers/alone/@angular").exists(),
        reason=".peers/alone/@angular/language-server is missing: run `make peers` (npm, node)",
    ),
]

INSTALL = Path(__file__).resolve().parents[1] / ".peers/alone/@angular/language-server"
NGSERVER = str(INSTALL / "node_modules/.bin/ngserver")
WAIT = "20"  # seconds it may take to start on a loaded machine


def ping(capsys: pytest.CaptureFixture[str], cwd: Path, *argv: str) -> tuple[int, Any]:
    code = main(["ping", "--json", "--protocol", "lsp", "--timeout", WAIT, "--cwd", str(cwd),
                 "--", NGSERVER, "--stdio", *argv])  # fmt: skip
    return code, json.loads(capsys.readouterr()[0])


def test_started_without_its_probe_locations_it_is_told_both_options_and_where(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    code, report = ping(capsys, tmp_path)
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    assert d["cause"].endswith(
        "it loads typescript 5.0 or later only from the folders its `--tsProbeLocations` names, "
        "and it was given no folder to look in"
    ), d["cause"]
    fix = d["remediation"]
    assert fix.startswith(
        "Start it with `--tsProbeLocations DIR` (typescript 5.0 or later) and "
        "`--ngProbeLocations DIR` (@angular/language-service 15.0 or later)"
    ), fix
    assert fix.endswith(f"Here: `--tsProbeLocations {INSTALL} --ngProbeLocations {INSTALL}`."), fix
    assert "Fix the error it reports" not in fix, fix
    # the fix as given: the same server answers LSP's handshake
    code, report = ping(capsys, tmp_path, "--tsProbeLocations", str(INSTALL),
                        "--ngProbeLocations", str(INSTALL))  # fmt: skip
    assert code == 0, report


def test_a_folder_that_holds_neither_is_said_probed(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """Given TypeScript's folder but not the language service's, it fails on the second, from
    the folders it was given; given a folder that holds none, those folders are named."""
    code, report = ping(capsys, tmp_path, "--tsProbeLocations", str(INSTALL))
    assert code == 1, report
    cause = report["findings"][0]["outcome"]["cause"]
    assert cause.endswith(
        "it loads @angular/language-service 15.0 or later only from the folders its "
        "`--ngProbeLocations` names, and it was given no folder to look in"
    ), cause
    code, report = ping(capsys, tmp_path, "--tsProbeLocations", str(tmp_path))
    cause = report["findings"][0]["outcome"]["cause"]
    assert cause.endswith(f"none of the folders it was given holds it ({tmp_path})"), cause


def test_doctor_s_framing_gives_the_same_fix(doctor: Doctor, tmp_path: Path) -> None:
    report = doctor([NGSERVER, "--stdio"], "Framing", protocol="lsp", cwd=str(tmp_path))
    check = only(report, "Framing")
    assert check.status == "fail", check.summary
    assert "`--tsProbeLocations`" in check.summary, check.summary
    assert check.remedy.startswith("Start it with `--tsProbeLocations DIR`"), check.remedy

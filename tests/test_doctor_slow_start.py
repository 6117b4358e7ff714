"""A worker slower to start than the timeout answers once started, its stdin still open: its
answer reached the pipe as it wrote it, so doctor's Buffering check says it flushes, and
leaves the start to Start-up. It warned 'not tested: no answer on a pipe … buffering is not
why: it has not read the request', and counted Buffering among the sections with issues.
Real workers: Node, and Python's reference worker with an init delay."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REFERENCE
from tests.test_diagnose_workers import WORKERS
from tests.test_doctor_checks import Doctor, doctor, only

__all__ = ["doctor"]  # the fixture, used by name


@pytest.mark.parametrize(
    ("argv", "framing"),
    [
        (("node", str(WORKERS / "node_starts_slowly.js")), "line"),
        ((*REFERENCE, "--init-delay", "2"), "packet-4"),
    ],
    ids=["node", "python"],
)
def test_a_start_past_the_timeout_is_no_buffering_issue(
    doctor: Doctor, argv: tuple[str, ...], framing: str
) -> None:
    if shutil.which(argv[0]) is None:
        pytest.skip(f"no {argv[0]} here")
    report = doctor(argv, "Start-up", "Buffering", init_timeout=1.0, framing=framing)
    buffering = only(report, "Buffering")
    assert buffering.status == "ok", buffering.summary
    assert buffering.summary.startswith("flushes each frame: its answer reached the pipe")
    assert "past the 1 s timeout, its stdin still open" in buffering.summary
    start = only(report, "Start-up")
    assert start.status == "fail", start.summary  # the start is what is wrong

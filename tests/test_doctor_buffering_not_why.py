"""doctor's Buffering check on a worker whose silence is not buffering's: one that dies at start
(a dependency not installed) or that speaks another framing. Its no-answer engine rules
buffering out; the check kept a '!' for it, and the verdict counted Buffering among the
sections with issues beside Framing, which holds the fault. It is ✓ now, its reason kept."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REFERENCE
from tests.test_diagnose_workers import WORKERS
from tests.test_doctor_checks import Doctor, doctor, only

__all__ = ["doctor"]  # the fixture, used by name


@pytest.mark.parametrize(
    ("argv", "spec", "reason"),
    [
        (
            ("node", str(WORKERS / "node_missing_module.js")),
            {"framing": "line"},
            "buffering is not why: the worker exited",
        ),
        (
            ("ruby", str(WORKERS / "ruby_requires_a_missing_gem.rb")),
            {"framing": "line"},
            "buffering is not why: the worker exited",
        ),
        ((*REFERENCE, "--framing", "line"), {"framing": "packet-4"}, "buffering is not why: "),
    ],
    ids=["node-crash", "ruby-crash", "other-framing"],
)
def test_buffering_ruled_out_is_no_issue_of_its_own(
    doctor: Doctor, argv: tuple[str, ...], spec: dict[str, str], reason: str
) -> None:
    if shutil.which(argv[0]) is None:
        pytest.skip(f"no {argv[0]} here")
    report = doctor(argv, "Framing", "Buffering", init_timeout=2.0, **spec)
    assert only(report, "Framing").status == "fail"
    check = only(report, "Buffering")
    assert check.status == "ok", check.summary
    assert check.summary.startswith("not tested: no answer on a pipe"), check.summary
    assert reason in check.summary, check.summary

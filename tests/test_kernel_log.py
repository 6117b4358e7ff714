"""The kernel log read for the OOM killer's record of a worker ended by SIGKILL
(poolctl/diagnose/killed.py), on a real capture of an OOM kill on this machine
(tests/fixtures/kernel_log/dmesg_oom_kill.kmsg: pid 31160, a 23 GB python, at 55641.42 s)."""

from __future__ import annotations

from pathlib import Path

from poolctl.diagnose.kernel_log import KernelLog
from poolctl.diagnose.killed import sigkill_sender

CAPTURE = Path(__file__).parent / "fixtures" / "kernel_log" / "dmesg_oom_kill.kmsg"
LOG = KernelLog("dmesg", CAPTURE.read_text().splitlines())


def test_a_process_the_oom_killer_ended_is_said_ended_by_it() -> None:
    sender = sigkill_sender(31160, since=55600.0, log=LOG)
    assert sender.why.startswith("the kernel's OOM killer ended it: the system (or its cgroup)")
    assert sender.fix.startswith("Give the worker more memory or make it use less")
    assert "Out of memory: Killed process 31160 (python) total-vm:" in sender.evidence.text
    assert sender.evidence.origin == "dmesg"


def test_an_oom_kill_of_an_earlier_process_with_the_same_pid_is_not_this_ones() -> None:
    """A worker started after that kill, given the pid again, was not the one killed."""
    sender = sigkill_sender(31160, since=55700.0, log=LOG)
    assert sender.why.startswith("not the OOM killer: the kernel log names no OOM kill of pid")
    assert sender.fix.startswith("Find what sent SIGKILL: a supervisor, a timeout wrapper")


def test_a_pid_whose_digits_begin_the_killed_ones_is_not_it() -> None:
    sender = sigkill_sender(3116, since=0.0, log=LOG)
    assert sender.why.startswith("not the OOM killer")
    assert sender.evidence.text == f"no OOM kill of pid 3116 in {len(LOG.lines or [])} line(s)"

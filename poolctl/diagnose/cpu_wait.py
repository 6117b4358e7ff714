"""A worker late because it waited for a CPU, not because its work is slow: on a loaded machine
(a build, other test processes, a CPU hog beside it) or under its cgroup's CPU quota a process
is runnable but not running, and the kernel counts that time apart (schedstat's run_delay).
When it waited longer than it ran, and long enough to matter to its timeout, a timeout says
more of the machine than of the worker."""

from __future__ import annotations

import os
from dataclasses import dataclass

from poolctl.model import Evidence

from . import procinfo
from .live import Live
from .procinfo import ProcState

MIN_WAIT = 0.25  # the least wait for a CPU said: a moment's wait is any machine's
_CPU_CGROUP_V1 = "/sys/fs/cgroup/cpu"


@dataclass(frozen=True)
class CpuWait:
    """The process of the worker that waited longest for a CPU, and what starved it."""

    process: ProcState
    waited: float  # seconds runnable, not running
    quota: str | None  # its cgroup's CPU quota ("2% of a CPU in …/cpu.cfs_quota_us"), if any
    load: str  # the machine's load average, said
    cpus: tuple[int, ...] | None  # the CPUs it may run on, when fewer than the machine's

    def _held_back(self) -> list[str]:
        """What of its own holds it back: a lowered priority, a narrowed set of CPUs."""
        held = []
        if self.process.nice > 0:
            held.append(f"at nice {self.process.nice}")
        if self.cpus is not None:
            on = ", ".join(str(c) for c in self.cpus)
            held.append(f"allowed CPU {on} only, of {os.cpu_count() or 1}")
        return held

    def said(self, answered: bool) -> str:
        """`pid 12 (python) waited 3.2 s of its 3.9 s for a CPU … and ran 0.41 s: …`."""
        p = self.process
        quota = [f"its cgroup's CPU quota: {self.quota}"] if self.quota else []
        why = "; ".join([*quota, *self._held_back(), self.load])
        then = (
            "what made it late was the CPU it was given, not the work it did"
            if answered
            else "it may be slow for want of a CPU, not stuck"
        )
        return (
            f"pid {p.pid} ({p.comm}) waited {self.waited:.2f} s of its {p.age_seconds:.2f} s "
            f"for a CPU, runnable but not running, and ran {p.cpu_seconds:.2f} s ({why}): {then}"
        )

    def step(self) -> str:
        held = (
            "run it at the default priority (without `nice`) and on every CPU (without `taskset`)"
            if self._held_back()
            else ""
        )
        if self.quota:  # a cap no priority lifts: named first (a suite run under `nice`)
            also = f", and {held}" if held else ""
            return (
                f"give its cgroup more CPU than {self.quota}{also}, or a timeout that allows "
                "for the quota"
            )
        if held:
            return f"{held}, or give it a timeout that allows for the CPU it is given"
        return (
            f"run it where it gets a CPU ({self.load}), or give it a timeout that allows for "
            "the machine's load"
        )

    def evidence(self) -> Evidence:
        p = self.process
        return Evidence(
            f"pid {p.pid} ({p.comm}): {self.waited:.2f} s runnable waiting for a CPU, "
            f"{p.cpu_seconds:.2f} s on one, in {p.age_seconds:.2f} s",
            f"/proc/{p.pid}/task/*/schedstat (run_delay), /proc/{p.pid}/stat",
            "time it could have run and did not",
        )


def cpu_wait(
    live: Live | None, timeout: float, later: tuple[ProcState, ...] = ()
) -> CpuWait | None:
    """The worker's process that waited longest for a CPU, when it waited longer than it ran
    (it got less than half a CPU while it could run), and at least half `timeout` (enough to
    matter to it) and MIN_WAIT. Its whole life is counted: a worker that has answered since
    and idles on keeps the wait it had. `later`: its processes read again since the look (as
    its late answer came), counted in place of the look's."""
    if live is None:
        return None
    waits = [
        (p.cpu_wait_seconds, p)
        for p in later or live.processes
        if p.cpu_wait_seconds is not None and p.state != "Z"
    ]
    if not waits:
        return None
    waited, p = max(waits, key=lambda w: w[0])
    if waited < max(MIN_WAIT, timeout / 2, p.cpu_seconds):
        return None
    return CpuWait(p, waited, _quota(p.pid), _load(), _fewer_cpus(p.pid))


def starved_at_work(live: Live) -> bool:
    """Whether the worker waited for a CPU longer than it ran and is still at work: a thread of
    it runnable at the look or now, or its CPU time risen since. Then its wait on its stdin is
    no sign it is done with what it read: the BEAM reads its request ahead, its schedulers
    still at work on its start (an Elixir worker at 15% of a CPU was said to wait for more
    input, and the banner it wrote next went unjudged; at the look, as often as not, all its
    threads slept between two slices of its quota)."""
    if cpu_wait(live, 0.0) is None:
        return False
    now = {p.pid: p for p in read_again(live)}
    then = [p for p in live.processes if p.pid in now and p.state != "Z"]
    rose = any(now[p.pid].cpu_seconds > p.cpu_seconds for p in then)
    return rose or any(t.state == "R" for p in (*then, *now.values()) for t in p.threads)


def read_again(live: Live) -> tuple[ProcState, ...]:
    """The worker's processes of the look, read again now (those still there)."""
    again = (procinfo.snapshot(p.pid) for p in live.processes)
    return tuple(p for p in again if p is not None)


def _fewer_cpus(pid: int) -> tuple[int, ...] | None:
    """The CPUs `pid` may run on (`taskset`), when fewer than the machine's; else None."""
    try:
        allowed = os.sched_getaffinity(pid)
    except OSError:  # gone
        return None
    return tuple(sorted(allowed)) if len(allowed) < (os.cpu_count() or 1) else None


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "the machine's load average unknown"
    return f"load average {one:.1f} (5 min: {five:.1f}) on {os.cpu_count() or 1} CPUs"


def _quota(pid: int) -> str | None:
    """Its cgroup's CPU quota as a share of a CPU, read from cgroup v2's cpu.max or v1's
    cpu.cfs_quota_us; None when it has none or it cannot be read."""
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        try:
            found = _line_quota(line)
        except ValueError:  # a line or a file of another shape
            continue
        if found is not None:
            return found
    return None


def _line_quota(line: str) -> str | None:
    """The CPU quota of the cgroup on one line of /proc/PID/cgroup, if it sets one."""
    _, controllers, path = line.split(":", 2)
    if controllers == "":  # cgroup v2
        found = _read(f"/sys/fs/cgroup{path}/cpu.max")
        if found and found.split()[0] != "max":
            quota, period = (int(x) for x in found.split()[:2])
            return f"{quota / period:.0%} of a CPU in /sys/fs/cgroup{path}/cpu.max"
    elif "cpu" in controllers.split(","):
        where = f"{_CPU_CGROUP_V1}{path}"
        quota_text = _read(f"{where}/cpu.cfs_quota_us")
        period_text = _read(f"{where}/cpu.cfs_period_us")
        if quota_text and period_text and int(quota_text) > 0:
            share = int(quota_text) / int(period_text)
            return f"{share:.0%} of a CPU in {where}/cpu.cfs_quota_us"
    return None


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read().strip()
    except (OSError, ValueError):
        return None

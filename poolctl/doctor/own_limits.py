"""Part of check 8, limits: the limits the worker itself runs under, read from its process as it
answered the probe (/proc/PID/limits), where its command set one lower than poolctl's own
(`ulimit -t`, `ulimit -n`, `ulimit -v`, `prlimit --as`, a wrapper's rlimits). The open-files
line checks poolctl's own limit, which is not the worker's: a worker started under
`ulimit -n 16` passed it, and ran out of descriptors on its 14th request.
"""

from __future__ import annotations

import resource

from poolctl.model import CheckStatus, Evidence
from poolctl.process_end import Limit, Running
from poolctl.units import fmt_bytes

from .target import CheckList

MARGIN = 2.0  # what it used as it answered, against its limit
# the limits its command may lower, as /proc/PID/limits names them, with poolctl's own
WATCHED = {
    "Max cpu time": resource.RLIMIT_CPU,
    "Max open files": resource.RLIMIT_NOFILE,
    "Max address space": resource.RLIMIT_AS,
    "Max data size": resource.RLIMIT_DATA,
}


def ordinal(n: int) -> str:
    """`2nd`, `3rd`, `11th`."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _lowered(running: Running) -> list[tuple[Limit, str]]:
    """Its soft limits lower than poolctl's own, each with poolctl's in words."""
    lowered = []
    for name, which in WATCHED.items():
        limit = running.limits.get(name)
        ours = resource.getrlimit(which)[0]
        if limit is None or limit.soft is None:
            continue
        if ours == resource.RLIM_INFINITY or limit.soft < ours:
            lowered.append((limit, "unlimited" if ours == resource.RLIM_INFINITY else f"{ours:,}"))
    return lowered


Line = tuple[CheckStatus, str, str, list[Evidence]]  # status, summary, remedy, evidence


def _cpu(soft: int, ours: str) -> Line:
    summary = (
        f"CPU time: the worker runs under a limit of {soft} s (set by its command; poolctl's: "
        f"{ours}): counted over its whole life, not per request, and past it the kernel ends it "
        "(SIGXCPU at the soft limit, SIGKILL at the hard one), so a pool's long-lived worker "
        "reaches it in the end"
    )
    remedy = (
        "drop the CPU-time limit from the worker's command (`ulimit -t`, `prlimit --cpu`), or "
        "set it far above the CPU the worker uses over its life"
    )
    return "warn", summary, remedy, []


def _files(soft: int, ours: str, running: Running) -> Line:
    summary = f"open files: the worker may hold {soft:,} (set by its command; poolctl's: {ours})"
    remedy = (
        "raise the worker's open-files limit (`ulimit -n` in its command), and close what each "
        "request opens: past the limit each open fails with EMFILE"
    )
    after = running.fds_after_answers
    if not after:
        return "ok", summary, "", []
    where = f"/proc/{running.pid}/fd"
    evidence = [Evidence(f"{', '.join(map(str, after))} open after its answers", where)]
    if len(after) > 1 and after[-1] > after[0]:  # kept one (or more) for each request
        each = (after[-1] - after[0]) / (len(after) - 1)
        left = max(0, int((soft - after[-1]) / each))
        summary += (
            f"; it held {after[0]} after its first answer, {after[-1]} after its "
            f"{ordinal(len(after))}: if each request keeps {each:g} open, it runs out after "
            f"about {left} more"
        )
        return "warn", summary, remedy, evidence
    summary += f"; it held {after[-1]} as it answered"
    if after[-1] * MARGIN <= soft:
        return "ok", summary, "", evidence
    return "warn", f"{summary}: under {MARGIN:g}x", remedy, evidence


def _memory(limit: Limit, soft: int, ours: str, running: Running) -> Line:
    what = "address space" if limit.name.endswith("space") else "data size"
    used = running.vm_bytes
    summary = (
        f"memory: the worker's {what} is limited to {fmt_bytes(soft)} (set by its command; "
        f"poolctl's: {ours})" + (f"; {fmt_bytes(used)} as it answered" if used is not None else "")
    )
    evidence = []
    if used is not None:
        evidence.append(Evidence(f"VmSize {fmt_bytes(used)}", f"/proc/{running.pid}/status"))
    if what == "address space" and used is not None and used * MARGIN <= soft:
        return "ok", summary, "", evidence
    remedy = (
        f"raise the worker's {what} limit (`ulimit -v`, `prlimit --as` in its command): a "
        "runtime reserves far more address space than it uses"
    )
    return "warn", f"{summary}: an allocation past it fails (MemoryError, ENOMEM)", remedy, evidence


def own_limits(running: Running | None, out: CheckList) -> None:
    """One line for each limit the worker's command set lower than poolctl's own."""
    if running is None:
        return
    for limit, ours in _lowered(running):
        soft = limit.soft or 0
        if limit.name == "Max cpu time":
            status, summary, remedy, found = _cpu(soft, ours)
        elif limit.name == "Max open files":
            status, summary, remedy, found = _files(soft, ours, running)
        else:
            status, summary, remedy, found = _memory(limit, soft, ours, running)
        evidence = [
            Evidence(limit.line(), f"/proc/{running.pid}/limits", "the worker's, as it answered"),
            Evidence(f"{limit.name}: {ours} for poolctl", "getrlimit", "poolctl's own"),
            *found,
        ]
        out.add("worker-limits", status, summary, remedy, evidence)

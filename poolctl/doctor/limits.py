"""Check 8, limits: the open-files limit against what the pool needs (four files a worker, on
top of what is open already), and whether a hung worker's stack can be dumped: tested for real
by pointing py-spy at a Python process started for the purpose (ptrace may be refused by Yama's
`ptrace_scope`, a missing `CAP_SYS_PTRACE` in a container, or a seccomp profile).
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import signal
import subprocess
import sys
import time
from concurrent.futures import Future
from pathlib import Path

from poolctl.children import Children
from poolctl.diagnose import pystack
from poolctl.errors import PoolctlError
from poolctl.languages import PYTHON, Language, running_language
from poolctl.model import CheckStatus, Evidence

from .own_limits import own_limits
from .probe import Probe
from .target import CheckList

SECTION = "Limits"
# what poolctl holds open for each worker: its stdin and stdout pipes, the file its stdout is
# captured to, the pidfd its exit is seen through (measured: EMFILE at the 13th worker of 64)
FDS_PER_WORKER = 4
MARGIN = 2.0
YAMA = Path("/proc/sys/kernel/yama/ptrace_scope")
CAP_SYS_PTRACE = 19
SLEEPER = "import sys, time; print('ready', flush=True); time.sleep(20)"


def check_limits(
    workers: int,
    source: str,
    children: Children | None = None,
    language: Language | None = None,
    probe: Future[Probe] | None = None,
) -> CheckList:
    """`workers` is size + max_overflow; `source` says where that number comes from; the test
    processes are among the run's `children`; `language` is the worker's, when its command
    tells it; the worker's own limits are read from the `probe`'s process."""
    out = CheckList(SECTION)
    open_files(workers, source, out)
    ran, seen = "", ""
    if probe is not None and probe.exception() is None:  # (a probe that failed says so)
        own_limits(probe.result().running, out)
        ran = probe.result().running_program  # a start script's exec'd server
    if language is None and (live := running_language(ran)) is not None:
        language, seen = live, f" (its running process is {ran})"
    if language is not None and language is not PYTHON:  # py-spy reads no stack of it
        out.add(
            "ptrace",
            "ok",
            f"stack dumps: not checked for {_a(language.name)} worker{seen} (py-spy reads "
            "Python stacks only); where a hung one waits is read from /proc",
            evidence=ptrace_facts(),
        )
        return out
    stack_dumps(out, children if children is not None else Children())
    return out


def open_files(workers: int, source: str, out: CheckList) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    open_now = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    need = open_now + FDS_PER_WORKER * workers
    hard_text = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
    soft_text = "unlimited" if soft == resource.RLIM_INFINITY else str(soft)
    summary = (
        f"open files: limit {soft_text}; {workers} worker(s) ({source}) need about {need} "
        f"({open_now} open + {FDS_PER_WORKER} files a worker)"
    )
    evidence = [
        Evidence(f"RLIMIT_NOFILE soft {soft_text}, hard {hard_text}", "getrlimit"),
        Evidence(f"{open_now} descriptors open in this process", "/proc/self/fd"),
    ]
    if soft == resource.RLIM_INFINITY or need * MARGIN <= soft:
        out.add("open-files", "ok", summary, evidence=evidence)
        return
    target = max(need * 2, 1024)
    if hard != resource.RLIM_INFINITY and hard < target:
        remedy = (
            f"raise the hard limit (limits.conf `nofile`, or docker --ulimit nofile={target}), "
            f"then `ulimit -n {target}`"
        )
    else:
        remedy = f"`ulimit -n {target}` before starting the pool (the hard limit allows it)"
    status: CheckStatus = "fail" if need > soft else "warn"
    tail = ": spawning workers fails with EMFILE" if need > soft else f": under {MARGIN:g}x"
    out.add("open-files", status, summary + tail, remedy, evidence)


def ptrace_facts() -> list[Evidence]:
    """Yama's ptrace_scope and whether this process holds CAP_SYS_PTRACE."""
    facts = []
    try:
        scope = YAMA.read_text().strip()
        facts.append(Evidence(f"kernel.yama.ptrace_scope = {scope}", str(YAMA)))
    except OSError:
        facts.append(Evidence("no Yama ptrace_scope (classic same-user rules)", str(YAMA)))
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                has = bool(int(line.split()[1], 16) >> CAP_SYS_PTRACE & 1)
                facts.append(Evidence(f"CAP_SYS_PTRACE {'held' if has else 'not held'}", line))
    return facts


def stack_dumps(out: CheckList, children: Children) -> None:
    evidence = ptrace_facts()
    tool = pystack.py_spy_path()
    if tool is None:
        out.add(
            "ptrace",
            "warn",
            "stack dumps of hung workers: py-spy is not installed",
            "pip install py-spy (poolctl dumps a stuck worker's stack with it)",
            evidence,
        )
        return
    evidence.append(Evidence(tool, "py-spy"))
    try:
        proc = children.spawn(
            [sys.executable, "-c", SLEEPER],
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, PoolctlError) as exc:
        out.add("ptrace", "warn", f"could not start a test process: {exc}", "", evidence)
        return
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 10.0)
        if ready:
            proc.stdout.readline()
        started = time.monotonic()
        result = pystack.dump(proc.pid, timeout=10.0, children=children)
        took = time.monotonic() - started
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        children.forget(proc)
        if proc.stdout is not None:
            proc.stdout.close()
    if isinstance(result, pystack.NoStack):
        evidence.append(Evidence(result.reason, f"py-spy dump --pid {proc.pid}"))
        out.add(
            "ptrace",
            "warn",
            f"stack dumps of hung workers are not possible here: {result.reason}",
            "allow ptrace: `sysctl kernel.yama.ptrace_scope=0`, or give the container "
            "CAP_SYS_PTRACE (docker run --cap-add SYS_PTRACE)",
            evidence,
        )
        return
    evidence.append(
        Evidence(f"read the stack of a test process (pid {proc.pid}) in {took:.2f} s", "py-spy")
    )
    out.add(
        "ptrace", "ok", "stack dumps of hung workers work (py-spy, ptrace allowed)", "", evidence
    )


def _a(name: str) -> str:
    """`a JavaScript`, `an Elixir`, `an Erlang`."""
    return f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"

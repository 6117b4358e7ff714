"""A server that frees its port as it starts by killing whatever holds it (@browsermcp/mcp 0.1.3
runs `lsof -ti:9009 | xargs kill -9` before it listens on 9009): two copies of its command
cannot run at once, each one that starts kills the one before. Its stderr shows the command
where it found nothing to kill (`kill` given no pid prints its usage, and the server logs the
failed command). A worker that died of a signal while poolctl ran other processes of its
command (a pool's other workers, the experiments' fresh processes) was killed by one of
them, not by a supervisor or a user: the kernel's record of the signal does not name its
sender, and the evidence is the worker's own way of starting."""

from __future__ import annotations

import re
from pathlib import Path

from poolctl.memory_cgroup import MemoryCgroup
from poolctl.model import Evidence

from .killed import Sender, sigkill_sender

# `lsof -ti:9009 | xargs kill -9`, `lsof -t -i tcp:9009 | xargs kill`, `fuser -k 9009/tcp`,
# `npx kill-port 9009`
_KILLS_PORT = re.compile(
    r"lsof\s[^\n|]*?:(?P<lsof>\d+)[^\n|]*\|\s*xargs\s+kill\b(?:\s+-\w+)?"
    r"|fuser\s+(?:-\w+\s+)*?-k\s+(?:-\w+\s+)*?(?P<fuser>\d+)/tcp"
    r"|kill-port\s+(?P<kp>\d+)"
)


def kills_port(text: str) -> tuple[int, str] | None:
    """The port and the command, when `text` shows a command that kills what holds a port."""
    found = _KILLS_PORT.search(text)
    if found is None:
        return None
    port = found.group("lsof") or found.group("fuser") or found.group("kp")
    return int(port), found.group(0)


def copy_killed(stderr_path: Path, origin: str) -> Sender | None:
    """Who killed the worker whose stderr log is `stderr_path` (shown as `origin`), when its own
    stderr or another process's of its command in the same folder shows a command that kills
    whatever holds a port, and such other processes ran in the run: one of them. None when
    no log shows it, or no other process of its command ran."""
    own = stderr_path.name
    others = sorted(p for p in stderr_path.parent.glob("*.stderr.log") if p.name != own)
    if not others:
        return None
    for path in (stderr_path, *others):
        try:
            text = path.read_text("utf-8", "replace")
        except OSError:
            continue
        shown = kills_port(text)
        if shown is not None:
            break
    else:
        return None
    port, command = shown
    names = [p.name.removesuffix(".stderr.log") for p in others]
    listed = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    where = origin if path == stderr_path else str(Path(origin).parent / path.name)
    return Sender(
        f"a copy of its own command killed it: it starts by killing whatever holds port "
        f"{port} (`{command}`), and poolctl ran {len(names)} other process(es) of its "
        f"command in this run ({listed}): each one that starts kills the one holding the port",
        f"Run one process of this command at a time: each that starts kills the one holding "
        f"port {port}, so a pool of it keeps one worker (size 1) and nothing else may hold "
        f"that port; give each copy a port of its own where the server has an option for it. "
        f"The experiments of `ping` and `doctor` start fresh processes of it too "
        f"(`--no-experiments` leaves them out).",
        Evidence(command, where, f"how it frees port {port}: every process of it runs this"),
    )


def sender_of_sigkill(
    pid: int, since: float, stderr_path: Path, origin: str, memcg: MemoryCgroup | None = None
) -> Sender:
    """Who sent process `pid` (started at monotonic `since`) its SIGKILL: a copy of its command
    when the logs show it (`copy_killed`), else what the kernel log (or the count of OOM kills
    in its memory cgroup `memcg`) tells (`sigkill_sender`)."""
    return copy_killed(stderr_path, origin) or sigkill_sender(pid, since, memcg=memcg)

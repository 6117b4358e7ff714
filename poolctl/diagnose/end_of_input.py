"""A worker that reads its stdin to the end before it answers (`sys.stdin.read()`,
`json.load(sys.stdin)`, Node's `process.stdin.on("end")`): a one-shot script put behind a pool.
It reads the request, waits in read for more, and answers only once its stdin closes, which a
pool's worker never sees until it is stopped. A block-buffered stdout looks the same at the
close probe; many requests at once tell them apart: a buffer fills and flushes, a reader of the
whole input still waits for its end."""

from __future__ import annotations

import re

from poolctl.model import Evidence

from .observe import Observations
from .outcomes import BUFFER_EXPERIMENTS, buffer_answered, result
from .readings import live_origin, request_unread

# an answer released by end of input comes as the worker's stdin closes: one later is a slow
# handler's that the close happened to wait for
PROMPT = 0.5
# a stdio buffer's size in C, Python and Java (Go's bufio holds 4 KB): answers past it flush
STDIO_BUFFER = 8192
# a Python code line that reads the whole input: read() or readlines() without a size, a JSON
# document loaded from stdin, a file read from fd 0
_WHOLE_READ = re.compile(
    r"\bstdin(\.buffer)?\.(read|readlines)\(\s*\)|\bjson\.load\(\s*sys\.stdin\b"
    r"|\bfileinput\.input\(|\bopen\(\s*(0|['\"]/dev/stdin['\"])\b[^`]*\)\.read\(\s*\)"
)


def reads_to_end(obs: Observations) -> list[Evidence]:
    """The evidence that the worker answers only once its input ends (empty when it is not
    shown): it read the request and waits in read on stdin, its answer came out as its stdin
    closed (within `PROMPT`) and no buffering change got one from a fresh process; and either
    many requests at once, more answers than a stdio buffer holds, got none before a fresh
    process's stdin closed either, or its Python stack is in a read of the whole input."""
    live, probe = obs.live, obs.close_probe
    if live is None or probe is None or not probe.answered or request_unread(obs):
        return []
    if probe.seconds > PROMPT:
        return []
    wait = live.stdin_wait()
    if wait is None or any(buffer_answered(obs, e) for e in BUFFER_EXPERIMENTS):
        return []
    took = probe.at - obs.request_sent_at
    ev = [
        Evidence(wait.text, live_origin(obs), "it had read the request and waited for more"),
        Evidence(
            f"its answer came out only as its stdin closed, {took:.1f} s after the request, "
            f"and it {probe.exit.describe() if probe.exit else 'ran on'} within "
            f"{probe.seconds * 1000:.0f} ms of the close",
            obs.stdout_origin,
        ),
    ]
    many = result(obs, "many")
    held = many.experiment.requests * len(probe.flushed) if many is not None else 0
    if many is not None and many.late_at_eof and held > STDIO_BUFFER:
        ev.append(
            Evidence(
                f"with {many.experiment.requests} requests at once ({held:,} bytes of answers "
                f"at {len(probe.flushed)} bytes each, more than an {STDIO_BUFFER:,}-byte stdio "
                f"buffer holds): {many.detail}",
                f"experiment (fresh process {many.worker_id})",
                "a buffer would have filled and flushed; a reader of the whole input waits on",
            )
        )
    where = live.where()
    if where is not None and _WHOLE_READ.search(where.summary):
        ev.append(Evidence(f"its Python stack is {where.summary}", live_origin(obs)))
    return ev if len(ev) > 2 else []

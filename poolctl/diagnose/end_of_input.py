"""A worker that reads its stdin to the end before it answers (`sys.stdin.read()`,
`json.load(sys.stdin)`, Node's `process.stdin.on("end")`): a one-shot script put behind a pool.
It reads the request, waits in read for more, and answers only once its stdin closes, which a
pool's worker never sees until it is stopped. A block-buffered stdout looks the same at the
close probe; many requests at once tell them apart from a buffer smaller than their answers (it
fills and flushes), a Python stack in a read of the whole input from any buffer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.model import Evidence

from .observe import Observations
from .outcomes import BUFFER_EXPERIMENTS, buffer_answered, experiment_evidence, result
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
    # a list (set, dict) built of every line of stdin: `[json.loads(l) for l in sys.stdin]`
    r"|[\[{][^\]}]*\bfor\b[^\]}]*\bin\s+sys\.stdin\b|\blist\(\s*sys\.stdin\s*\)"
)


@dataclass(frozen=True)
class EndOfInput:
    """What shows that the worker's answer waits for the end of its input: the evidence, and
    the size of stdout buffer that would look the same (0 when its stack rules out any)."""

    evidence: list[Evidence]
    buffer_above: int = 0  # a buffer of its own larger than this holds what many requests got
    requests: int = 0  # how many requests at once the fresh process was sent


def reads_to_end(obs: Observations) -> EndOfInput | None:
    """What shows that the worker answers only once its input ends (None when it is not
    shown): it read the request and waits in read on stdin, its answer came out as its stdin
    closed (within `PROMPT`) and no buffering change got one from a fresh process; and either
    its Python stack is in a read of the whole input, or many requests at once, more answers
    than a stdio buffer holds, got none before a fresh process's stdin closed either: then a
    buffer of the worker's own larger than those answers stays as likely (`buffer_above`)."""
    live, probe = obs.live, obs.close_probe
    if live is None or probe is None or not probe.answered or request_unread(obs):
        return None
    if probe.seconds > PROMPT:
        return None
    wait = live.stdin_wait()
    if wait is None or any(buffer_answered(obs, e) for e in BUFFER_EXPERIMENTS):
        return None
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
                f"a buffer of up to {held:,} bytes would have filled and flushed; a reader of "
                "the whole input waits on",
            )
        )
    where = live.where()
    if where is not None and _WHOLE_READ.search(where.summary):
        ev.append(Evidence(f"its Python stack is {where.summary}", live_origin(obs)))
        return EndOfInput(ev)
    if len(ev) == 2 or many is None:
        return None
    # a buffer larger than the many answers holds them too: what the terminal's copy saw
    ev += experiment_evidence(obs, "pty")
    return EndOfInput(ev, held, many.experiment.requests)

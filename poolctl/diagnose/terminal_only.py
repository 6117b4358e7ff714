"""A worker that exits with an error saying nothing on its pipes: its stderr log empty, its
stdout too. It may have closed its stderr first, or write its error only to a terminal (a
check of `isatty(2)` before it writes, a logging handler set up for a terminal alone): the same
command with its stdout and stderr on a pseudo-terminal tells the second from the first. It
was told only that it wrote nothing there or closed its stderr."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from poolctl.framing import quote
from poolctl.model import Evidence
from poolctl.worker_types import StderrMode

from .experiments import Experiment
from .observe import Observations
from .outcomes import result

EXPERIMENT = "stderr-on-terminal"


def silent_log(obs: Observations) -> Path | None:
    """The worker's captured stderr log, when it is empty (None otherwise, or not captured)."""
    if obs.worker.spec.stderr is not StderrMode.CAPTURE:
        return None
    path = obs.worker.stderr_path
    try:
        return path if path.stat().st_size == 0 else None
    except OSError:
        return None


def silent_fix(argv: str) -> str:
    """What to do about a worker that exited with an error and said nothing: its empty stderr
    holds no reason to read, and one it closed first lost its error (a Python traceback too)."""
    return (
        "Its stderr says nothing of why it exits: it wrote nothing there, or it closed or "
        "redirected its stderr first, and its error was lost with it. See where its output "
        f"goes: run `strace -f -s 200 -e trace=close,dup2,dup3,write,exit_group {argv}` and "
        "look for a `close(2)` or a `write(2, …) = -1 EBADF`; a worker must keep its stderr "
        "open for its errors."
    )


def on_a_terminal(obs: Observations) -> tuple[Experiment, ...]:
    """The experiment for a worker that exited with an error code before any answer, silent
    on both pipes: the same command, its stdout and stderr on a pseudo-terminal."""
    status, worker = obs.exit_before, obs.worker
    if status is None or not status.code or worker.answered or worker.transcript.total:
        return ()
    if silent_log(obs) is None:
        return ()
    spec = dataclasses.replace(worker.spec, stderr=StderrMode.MERGE)
    return (Experiment(EXPERIMENT, "with stdout and stderr on a pseudo-terminal", spec, pty=True),)


def said_on_terminal(obs: Observations) -> tuple[str, str, Evidence] | None:
    """What the worker said of its exit on a terminal, where it said nothing on its pipes: the
    clause, the fix and the evidence (None when the fresh process said nothing there either)."""
    r = result(obs, EXPERIMENT)
    said = r.stdout_head.strip() if r is not None else b""
    if r is None or not said:
        return None
    first = said.splitlines()[0].strip()
    clause = (
        f"; on a terminal it says more: with its stdout and stderr on a pseudo-terminal a "
        f"fresh process wrote {quote(said, 80)}, where on its pipes it wrote nothing"
    )
    fix = (
        "Make the worker write its errors to stderr whatever stderr is: it writes only where "
        "it has a terminal (a check of `isatty(2)` before writing, a logging handler set up "
        "for a terminal alone), and a pool gives it pipes; then fix what it said there "
        f"({quote(first, 80)})."
    )
    origin = f"{obs.rel(obs.worker.capture_dir)}/{r.worker_id}.stdout.bin"
    return clause, fix, Evidence(r.sentence(), origin, "what it said on a terminal")

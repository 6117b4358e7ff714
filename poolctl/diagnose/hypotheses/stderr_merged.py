"""Stderr merged into stdout: the worker's stderr lines arrive on the framed stream (a port
opened with `:stderr_to_stdout`, `stderr=subprocess.STDOUT`, or the worker's own `2>&1`)."""

from __future__ import annotations

from poolctl.model import Evidence
from poolctl.worker_types import StderrMode

from ..judgement import Judgement, confirmed, hypothesis, ruled_out
from ..observe import Observations
from ..outcomes import (
    result,
)
from ..readings import (
    broke_on_merged_text,
    ended,
    first_line,
    header_words,
    merge_sources,
    stream_kind,
    text_evidence,
    text_in_stderr_when_apart,
)
from ..shell_banner import shell_merge

ID = "stderr-merged"


@hypothesis(ID)
def stderr_merged(obs: Observations) -> Judgement:
    if (why := ended(obs)) and not broke_on_merged_text(obs):
        return ruled_out(why)
    kind = stream_kind(obs)
    if kind != "text":
        words = {
            "none": "nothing arrived on stdout",
            "partial": "nothing but part of a frame arrived on stdout",
        }
        return ruled_out(words.get(kind, "the bytes on stdout are a frame of another framing"))
    sources = merge_sources(obs)
    apart = text_in_stderr_when_apart(obs)
    if not sources:
        return ruled_out(
            f"stderr is captured apart ({obs.stderr_origin}) and no process of the worker has "
            "its stderr on the stdout pipe"
            if obs.worker.spec.stderr is StderrMode.CAPTURE
            else "stderr is discarded, not merged"
        )
    r = result(obs, "stderr-apart")
    if apart is False and r is not None:
        return ruled_out(
            "with stderr kept apart the same text still came on stdout: the worker prints it",
            Evidence(r.sentence(), r.worker_id),
        )
    ev = [text_evidence(obs), *sources]
    if r is not None and apart:
        ev.append(
            Evidence(
                f"{r.sentence()}; the text went to its stderr",
                f"{obs.rel(obs.worker.capture_dir)}/{r.worker_id}.stderr.log",
            )
        )
    verdict = (
        f"The worker's stderr is merged into stdout: its stderr line {first_line(obs.pending)} "
        f"arrived on the framed stream{header_words(obs)}"
    )
    fix = (
        "Keep stderr apart from the framed stdout: drop `:stderr_to_stdout` from the port "
        "options (or `stderr=subprocess.STDOUT` / `2>&1`; with poolctl: `--stderr capture`) and "
        "read or log stderr separately; or have the worker log to a file."
    )
    spec = obs.worker.spec
    if not obs.merged and (shell := shell_merge(spec.argv, spec.cwd)) is not None:
        fix = shell.fix()  # the wrapper's own line merges it
    return confirmed(verdict, fix, *ev)

"""Answers on stderr: the worker wrote its answer to stderr, not stdout (`print(..., file=
sys.stderr)`, a logger's stream taken for the protocol's, fds 1 and 2 swapped), so the caller,
reading stdout, waits for it in vain. Read in the captured stderr log: a JSON object answering
the request, framed as the worker's framing would frame it or not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from poolctl.framing import quote
from poolctl.model import Evidence
from poolctl.worker_types import StderrMode

from ..judgement import Judgement, confirmed, hypothesis, ruled_out, untested
from ..observe import Observations

ID = "answers-on-stderr"
_READ_AT_MOST = 1 << 20  # a log larger than this is not searched from its start
_TRIES = 2000  # JSON starts tried at most: a log of many braces costs little


@dataclass(frozen=True)
class StderrAnswer:
    """An answer to the request found in the worker's stderr log."""

    at: int  # the offset of its first byte in the log
    data: bytes  # the frame (header and body) or the bare JSON
    framed: bool  # the worker's framing frames it so, byte for byte


def _answers(obj: Any, request_id: Any) -> bool:
    if not isinstance(obj, dict) or obj.get("id") != request_id or len(obj) < 2:
        return False
    # the request itself, quoted by the worker's log, carries its method (JSON-RPC) or its
    # command and args (DSPex): robotframework_ls logs `Invalid header line: ` and the line it
    # read, poolctl's whole request in packet-2 framing
    return "method" not in obj and not ("command" in obj and "args" in obj)


def stderr_answer(obs: Observations) -> StderrAnswer | None:
    """The first answer to the failed request in the worker's captured stderr (or None)."""
    if obs.worker.spec.stderr is not StderrMode.CAPTURE or obs.failed.request.id is None:
        return None
    try:
        with open(obs.worker.stderr_path, "rb") as f:
            data = f.read(_READ_AT_MOST)
    except OSError:
        return None
    decoder = json.JSONDecoder()
    text = data.decode("utf-8", "surrogateescape")
    start = text.find("{")
    for _ in range(_TRIES):
        if start < 0:
            break
        try:
            obj, end = decoder.raw_decode(text, start)
        except ValueError:
            obj, end = None, start + 1
        if _answers(obj, obs.failed.request.id):
            body = text[start:end].encode("utf-8", "surrogateescape")
            at = len(text[:start].encode("utf-8", "surrogateescape"))
            frame = obs.worker.framing.encode(body)
            header = len(frame) - len(body) if frame.endswith(body) else 0
            if header and data[at - header : at + len(body)] == frame:
                return StderrAnswer(at - header, frame, True)
            return StderrAnswer(at, body, False)
        start = text.find("{", max(end, start + 1))
    return None


@hypothesis(ID)
def answers_on_stderr(obs: Observations) -> Judgement:
    if obs.merged:
        return ruled_out("its stderr is merged into stdout: what it wrote there came on stdout")
    if obs.worker.spec.stderr is not StderrMode.CAPTURE:
        return untested("its stderr was not kept (`--stderr capture` keeps it)")
    found = stderr_answer(obs)
    rid = obs.failed.request.id
    if found is None:
        return ruled_out(f"its stderr log ({obs.stderr_origin}) holds no answer to request {rid}")
    framing = obs.worker.framing.name
    how = f"a {framing} frame" if found.framed else f"its JSON, not framed as {framing} frames it"
    verdict = (
        f"The worker wrote its answer to stderr, not stdout: {how} answering request {rid} is "
        f"at byte {found.at} of its stderr log, and nothing answered it on stdout"
    )
    fix = (
        "Write the answers to stdout (file descriptor 1) and keep stderr for logs: find where "
        "the answer is written (`print(..., file=sys.stderr)`, `sys.stderr.buffer.write`, a "
        "logging handler used for replies, `sys.stdout = sys.stderr`, fds 1 and 2 swapped by "
        "a `dup2` or a `2>&1 1>&-` in a wrapper); a pool reads answers on stdout only."
    )
    quoted = quote(found.data, 120, obs.worker.redactor)
    where = f"{obs.stderr_origin} byte {found.at}"
    return confirmed(verdict, fix, Evidence(quoted, where, "its answer, on stderr"))

"""An answer written whole in line framing with no newline after it (`sys.stdout.write(
json.dumps(answer))`, Node's `process.stdout.write(JSON.stringify(answer))`): a line reader
takes a message only at its newline, so the answer sits unread in the pipe. Told from JSON on
its way by the worker: it waits on stdin (done writing), or it exited at end of input and the
newline never came."""

from __future__ import annotations

from poolctl import json_text

from .observe import Observations


def unended_line(obs: Observations) -> bytes:
    """The whole JSON message that stdout ends with, no newline after it (b"" when that is not
    what it holds): the worker wrote it and then waited for input, or exited without the
    newline once its stdin closed; or it held that message back until it exited (`held_line`)."""
    if obs.framing != "line" or not obs.pending or b"\n" in obs.pending:
        return held_line(obs)
    message = _whole_json(obs.pending)
    if not message:
        return b""
    probe, live = obs.close_probe, obs.live
    exited_without = probe is not None and probe.exit is not None and b"\n" not in probe.flushed
    waits = live is not None and not live.blocked_writers and live.stdin_wait() is not None
    return message if exited_without or waits else b""


def held_line(obs: Observations) -> bytes:
    """Its answer, whole JSON with no newline after it, that came out only as it exited at end
    of input, nothing before (b"" when that is not what it wrote): a stdout that writes at each
    newline (Rust's always, Tcl's) keeps a line that never ends until the program does."""
    probe = obs.close_probe
    if obs.framing != "line" or obs.pending or probe is None or probe.exit is None:
        return b""
    if b"\n" in probe.flushed.rstrip(b"\r\n ") or probe.flushed.endswith(b"\n"):
        return b""
    message = _whole_json(probe.flushed)
    return message if message and probe.line_answer else b""


def _whole_json(data: bytes) -> bytes:
    """`data` stripped, when it is one whole JSON object or array (else b"")."""
    message = data.strip()
    if message[:1] not in (b"{", b"["):
        return b""
    try:
        json_text.loads(message)
    except ValueError:
        return b""
    return message

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
    newline once its stdin closed."""
    if obs.framing != "line" or not obs.pending or b"\n" in obs.pending:
        return b""
    message = obs.pending.strip()
    if message[:1] not in (b"{", b"["):
        return b""
    try:
        json_text.loads(message)
    except ValueError:
        return b""
    probe, live = obs.close_probe, obs.live
    exited_without = probe is not None and probe.exit is not None and b"\n" not in probe.flushed
    waits = live is not None and not live.blocked_writers and live.stdin_wait() is not None
    return message if exited_without or waits else b""

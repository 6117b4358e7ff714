"""Frames decoded from a worker's stdout and not yet taken by a reader, kept within bounds.

A request's reader takes frames as they come; only a watcher (a diagnosis reading on while a
worker floods stdout) leaves them, and a flood kept whole filled memory (`yes` as a worker: 850
MB in five seconds). Past the bounds frames are dropped; the transcript still counts every byte.
"""

from __future__ import annotations

from poolctl.framing import DEFAULT_MAX_FRAME

PENDING_FRAMES = 100_000
PENDING_BYTES = DEFAULT_MAX_FRAME


def keep_frames(kept: list[bytes], frames: list[bytes], pending_bytes: int) -> int:
    """Add `frames` to `kept` (those not yet taken) within `PENDING_FRAMES` and
    `PENDING_BYTES`; `pending_bytes` is an upper bound on the bytes in `kept`, and the new one
    is returned."""
    if not kept:
        pending_bytes = 0
    for frame in frames:
        if len(kept) >= PENDING_FRAMES:
            break
        if pending_bytes + len(frame) > PENDING_BYTES:  # readers took some since?
            pending_bytes = sum(map(len, kept))
            if pending_bytes + len(frame) > PENDING_BYTES:
                break
        kept.append(frame)
        pending_bytes += len(frame)
    return pending_bytes

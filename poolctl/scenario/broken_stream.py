"""A pooled worker whose stdout broke its framing: the bytes that broke it read in words, as
ping reads them (poolctl/framing_explain.py). A reply in another framing after answers in the
pool's own (its init among them) is a switch mid-run; the finding said only what the frame
header announced (`b'{"id' announces 2,065,852,772 bytes`) and the general advice."""

from __future__ import annotations

from dataclasses import dataclass

from poolctl.framing import quote
from poolctl.framing_explain import explain
from poolctl.model import Evidence
from poolctl.pool import Pool


@dataclass(frozen=True)
class Broken:
    """What broke the stream, in words, the fix, and the bytes quoted."""

    said: str
    fix: str
    evidence: Evidence


def broken_stream(pool: Pool, worker_id: str) -> Broken | None:
    """How worker `worker_id`'s stdout broke, when it had answered in the pool's framing and
    the bytes that broke it fit another (None otherwise: the frame error alone says it)."""
    worker = next((w for w in pool.all_workers if w.id == worker_id), None)
    if worker is None:
        return None
    process = worker.process
    pending = process.redactor.bytes(process.pending_stdout(), same_length=True)
    read = explain(pending, process.framing)
    other = read.other_framing
    if other is None or not pending or not process.answered:  # (its init answered: framed)
        return None
    at = process.transcript.total - len(pending)
    origin = f"workers/{worker_id}.stdout.bin bytes {at}-{at + len(pending) - 1}"
    evidence = Evidence(quote(pending, 80), origin, "the bytes that broke its stream")
    framing = process.framing.name
    said = (
        f"; it had answered {process.answered} request(s) in {framing} (its init among them), "
        f"then wrote {quote(pending, 24)}, {read.what or read.text}: it switched framing "
        "mid-run"
    )
    fix = (
        f"Keep the worker writing {framing} for every answer: its first ones were framed so, "
        f"so a path it takes only later (a request's handler, a library loaded after its "
        f"start, a `print` or a logger put on its stdout) writes {other}: find where that "
        "reply is written."
    )
    return Broken(said, fix, evidence)

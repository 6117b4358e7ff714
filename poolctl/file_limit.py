"""Worker logs cut by a file-size limit (`ulimit -f`), said in the report.

A worker writes its stderr log (and its own debug log) in the run folder straight from its
file descriptors, under the file-size limit poolctl runs under and passes on. Past it every
write fails with EFBIG (Python ignores SIGXFSZ), so the log ends at exactly the limit with
nothing said, and a worker that does not expect the error exits (the reference worker with
code 1 when its debug log reaches it). The evidence: the file's size equals the limit; the
worker's own line about it, when its stderr log has room for one.
"""

from __future__ import annotations

import resource
from pathlib import Path

from poolctl.units import fmt_bytes

TOLD = (b"File too large", b"[Errno 27]", b"EFBIG")
TAIL = 4096
WHAT = {
    "stderr.log": "{worker}'s stderr",
    "debug.log": "{worker}'s own debug log",
    "stdout.bin": "poolctl's transcript of {worker}'s stdout",
}


def file_size_limit() -> int | None:
    """The soft file-size limit in bytes, or None when there is none."""
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def _its_word(stderr_log: Path) -> str:
    """The last line of the worker's stderr log that names the error, if any."""
    try:
        with stderr_log.open("rb") as f:
            f.seek(max(0, f.seek(0, 2) - TAIL))
            tail = f.read()
    except OSError:
        return ""
    told = [line for line in tail.splitlines() if any(word in line for word in TOLD)]
    return told[-1].decode("utf-8", "replace").strip()[:300] if told else ""


def cut_logs(folder: Path, limit: int | None = None) -> list[str]:
    """One note for each file under `folder`/workers whose size reached the file-size limit."""
    limit = file_size_limit() if limit is None else limit
    workers = folder / "workers"
    if limit is None or not workers.is_dir():
        return []
    notes = []
    for path in sorted(workers.iterdir()):
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if size < limit or not path.is_file():
            continue
        worker, _, kind = path.name.partition(".")
        what = WHAT.get(kind, "{worker}'s file {name}").format(worker=worker, name=path.name)
        note = (
            f"workers/{path.name} ({what}) was cut at {fmt_bytes(limit)} ({limit:,} bytes), the "
            f"file-size limit (`ulimit -f`) poolctl and its workers ran under: every write past "
            f"it failed (EFBIG, File too large) and what came after is not in it; raise the "
            f"limit (`ulimit -f unlimited`) to keep it whole"
        )
        said = _its_word(workers / f"{worker}.stderr.log") if kind == "debug.log" else ""
        if said:
            note += f"; {worker} said on its stderr: '{said}'"
        notes.append(note)
    return notes


def store_at_limit(store: Path, limit: int | None = None) -> str:
    """Why a SQLite store failed ("disk I/O error", "database or disk is full"), where one of
    its files (the database, its -wal or its -shm) has reached the file-size limit: SQLite
    says no more than that. "" when none has, or there is no limit."""
    limit = file_size_limit() if limit is None else limit
    if limit is None:
        return ""
    for path in (store, *(store.with_name(store.name + end) for end in ("-wal", "-shm"))):
        try:
            size = path.stat().st_size
        except OSError:
            continue
        if size >= limit:
            return (
                f" ({path.name} is {fmt_bytes(size)}, at or past the file-size limit "
                f"(`ulimit -f`) of {fmt_bytes(limit)}: raise it (`ulimit -f unlimited`), or "
                "POOLCTL_HISTORY elsewhere)"
            )
    return ""

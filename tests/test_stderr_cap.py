"""A worker flooding its stderr fills no disk: past `POOLCTL_STDERR_CAP` the log's middle is
punched out, its head and latest tail kept, and the report and the trace say what was dropped.

The floods are real processes writing as fast as they can; the cap is set small (2 MiB) so that
a flood of 48 MiB shows it in well under a second."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from poolctl.context import RunContext
from poolctl.events import Trace
from poolctl.holes import data_ranges, read_head, read_tail
from poolctl.stderr_cap import CAP_ENV, IDLE_CHECK, StderrCap, StderrCaps, punch_hole
from poolctl.worker import WorkerSpec
from tests.conftest import Processes, RunCli

CAP = 2 * 1024 * 1024
BLOCK = b"f" * 65535 + b"\n"
BLOCKS = 768  # 48 MiB
SECRET = "s3cr3t-flood-value-0123456789"

# Writes a head line, 48 MiB as fast as it can, a tail line, then serves as the reference
# worker: each line names the secret, which the run folder's scrub must still find and replace.
FLOOD_THEN_SERVE = f"""\
import os, runpy, sys
secret = os.environ["FLOOD_TOKEN"]
sys.stderr.write(f"HEAD first line token={{secret}}\\n")
sys.stderr.flush()
for _ in range({BLOCKS}):
    sys.stderr.buffer.write({BLOCK!r})
sys.stderr.write(f"TAIL last line token={{secret}}\\n")
sys.stderr.flush()
sys.argv = ["reference"]
runpy.run_module("poolctl.workers.reference", run_name="__main__")
"""
WRITTEN = len(f"HEAD first line token={SECRET}\n") + BLOCKS * len(BLOCK)
WRITTEN += len(f"TAIL last line token={SECRET}\n")

NOTE = re.compile(
    r"(?P<log>workers/w\d\.stderr\.log): the worker wrote 48 MiB \((?P<written>[\d,]+) bytes\) "
    r"to stderr by [\d.]+ m?s after it started; bytes (?P<start>[\d,]+)-(?P<end>[\d,]+) "
    r"\([\d.]+ MiB\) were dropped to bound the disk \(POOLCTL_STDERR_CAP=2 MiB\); "
    r"the first 1 MiB and the last [\d.]+ (MiB|KiB) are kept"
)


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CAP_ENV, "2MiB")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _check_log(log: Path, note: re.Match[str]) -> None:
    """The log as the note says: bounded on disk, its size all the worker wrote, the dropped
    range a hole, the head and tail whole (the secret in them scrubbed, same length)."""
    st = log.stat()
    assert st.st_size == WRITTEN == _number(note["written"])
    assert st.st_blocks * 512 <= CAP + 64 * 1024, st.st_blocks * 512  # the cap, and its blocks
    start, end = _number(note["start"]), _number(note["end"])
    with open(log, "rb") as f:
        assert data_ranges(f.fileno(), st.st_size) == [(0, start), (end, st.st_size)]
        f.seek(0)
        head = f.read(start)
        f.seek(end)
        tail = f.read()
    assert start == CAP // 2 and st.st_size - end >= CAP // 2
    assert head.startswith(b"HEAD first line token=") and SECRET.encode() not in head
    assert head.endswith(b"f" * 1000)  # nothing but what the worker wrote, up to the hole
    first = head.index(b"\n") + 1
    assert head[first:].startswith(BLOCK)
    assert re.fullmatch(rb"f*\n(f{65535}\n)+TAIL last line token=[^\n]+\n", tail), tail[-200:]
    assert SECRET.encode() not in tail and len(tail) == st.st_size - end


def _capped_events(run_dir: Path) -> list[dict[str, Any]]:
    lines = (run_dir / "events.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["type"] == "stderr_capped"]


@pytest.mark.usefixtures("small_cap")
@pytest.mark.parametrize("woken_by", ["inotify", "clock"])
def test_ping_of_a_worker_flooding_stderr_keeps_its_log_to_the_cap(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, woken_by: str
) -> None:
    if woken_by == "clock":  # where inotify cannot tell of writes, the caps are polled
        monkeypatch.setattr("poolctl.stderr_cap._inotify", lambda: None)
    script = tmp_path / "flood.py"
    script.write_text(FLOOD_THEN_SERVE)
    run_dir = tmp_path / "run"
    code, out, err = run_cli(
        "ping", "--json", "--run-dir", str(run_dir), "--env", f"FLOOD_TOKEN={SECRET}",
        "--", sys.executable, str(script),
    )  # fmt: skip
    assert code == 0, out + err
    report = json.loads(out)
    [said] = [n for n in report["notes"] if "stderr.log" in n]
    note = NOTE.fullmatch(said)
    assert note is not None, said
    assert note["log"] == "workers/w1.stderr.log"
    _check_log(run_dir / "workers" / "w1.stderr.log", note)
    worker = report["extra"]["worker"]
    assert worker["stderr_bytes"] == WRITTEN
    assert worker["stderr_bytes_dropped"] == [_number(note["start"]), _number(note["end"])]
    [event] = _capped_events(run_dir)  # when the cap was reached, in the trace
    assert event["worker"] == "w1" and event["cap"] == CAP and event["written"] > CAP
    assert event["dropped"][0] == CAP // 2 and event["refused"] is None


@pytest.mark.usefixtures("small_cap")
def test_a_pool_of_workers_flooding_stderr_keeps_each_log_to_the_cap(
    run_cli: RunCli, tmp_path: Path
) -> None:
    script = tmp_path / "flood.py"
    script.write_text(FLOOD_THEN_SERVE)
    scenario = tmp_path / "flood.yaml"
    scenario.write_text(
        "name: stderr-flood\n"
        "worker:\n"
        f'  command: ["{{python}}", "{script}"]\n'
        f"  env: {{FLOOD_TOKEN: {SECRET}}}\n"
        "pool: {size: 2, lazy: false}\n"
        "steps:\n"
        "  - request: {command: ping, count: 4, concurrency: 2}\n"
        "expect: {outcome: ok}\n"
    )
    run_dir = tmp_path / "run"
    code, out, err = run_cli(
        "run-scenario", str(scenario), "--no-history", "--run-dir", str(run_dir)
    )
    assert code == 0, out + err
    report = json.loads((run_dir / "report.json").read_text())
    notes = [NOTE.fullmatch(n) for n in report["notes"] if "stderr.log" in n]
    assert sorted(n["log"] for n in notes if n) == [
        "workers/w1.stderr.log",
        "workers/w2.stderr.log",
    ], report["notes"]
    for note in notes:
        assert note is not None
        _check_log(run_dir / note["log"], note)
    events = _capped_events(run_dir)
    assert sorted(e["worker"] for e in events) == ["w1", "w2"]
    for wid in ("w1", "w2"):  # and as it happened, in the progress lines
        assert (
            f"{wid} stderr past the cap (2 MiB on disk): the middle of workers/{wid}.stderr.log "
            "is dropped from here on, its first and last halves kept"
        ) in err
    assert all(e["cap"] == CAP and e["written"] > CAP for e in events)


# Writes to stderr as fast as it can, forever.
# A flood the cap must stop: 256 MiB at most, then it waits to be killed. Endless, a run where
# the stop came late (a loaded machine) filled the 24 GB memory filesystem the tests write to.
ENDLESS = (
    "import sys, time\nb = b'x' * 65536\nfor _ in range(4096):\n    sys.stderr.buffer.write(b)\n"
    "sys.stderr.flush()\ntime.sleep(600)\n"
)


@pytest.mark.usefixtures("small_cap")
def test_where_no_hole_can_be_punched_the_flooding_worker_is_stopped(
    tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(fd: int, start: int, length: int) -> None:
        raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))

    monkeypatch.setattr("poolctl.stderr_cap.punch_hole", refuse)
    context = RunContext()
    spec = WorkerSpec(argv=(sys.executable, "-c", ENDLESS))
    worker = processes.worker(spec, tmp_path / "workers", context=context)
    end = time.monotonic() + 60
    while worker.poll() is None and time.monotonic() < end:
        time.sleep(0.05)
    status = worker.poll()
    assert status is not None and status.signal == signal.SIGKILL
    worker.stop()
    [said] = context.stderr_caps.notes(tmp_path)
    assert said.startswith("workers/w1.stderr.log: the worker wrote ")
    assert "past POOLCTL_STDERR_CAP=2 MiB the filesystem refused to punch a hole in it " in said
    assert "(Operation not supported), so poolctl stopped the worker (SIGKILL)" in said
    assert said.endswith("every byte it wrote is kept")
    size = (tmp_path / "workers" / "w1.stderr.log").stat().st_size
    assert size > CAP and f"({size:,} bytes)" in said
    assert worker.summary()["stderr_cap_refused"] == "Operation not supported"


@pytest.mark.parametrize(
    ("value", "command"),
    [("lots", "ping"), ("512K", "ping"), ("0", "ping"), ("2TiB", "doctor"), ("lots", "healthy")],
)
def test_a_cap_that_is_no_size_in_range_is_refused_in_one_line(
    value: str, command: str, cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before any worker starts: in a pool, each start failed on it (a spawn failure each).
    Run in this process, where starting any process fails the test: the refusal comes first."""
    monkeypatch.setenv(CAP_ENV, value)
    argv = [command, "--no-history"]
    if command == "healthy":  # the bundled scenario
        argv[0:1] = ["run-scenario", "healthy"]
    code, _, err = cli(*argv)
    assert code == 2, err
    assert err.strip() == (
        "poolctl: error: POOLCTL_STDERR_CAP: not a size from 1 MiB to 1 TiB (bytes, or with a "
        f"unit: 64MiB, 1G): {value!r}"
    )


def test_the_readers_of_a_log_stop_at_its_dropped_range(tmp_path: Path) -> None:
    log = tmp_path / "w1.stderr.log"
    log.write_bytes(b"head\n" + b"h" * (1 << 20) + b"m" * (4 << 20) + b"t" * (1 << 20) + b"tail\n")
    with open(log, "r+b") as f:
        punch_hole(f.fileno(), 1 << 20, 4 << 20)
    assert read_head(log, 16) == b"head\n" + b"h" * 11
    assert read_head(log, 8 << 20) == b"head\n" + b"h" * ((1 << 20) - 5)  # not the hole's NULs
    assert read_tail(log, 10) == b"ttttt" + b"tail\n"
    tail = b"m" * 5 + b"t" * (1 << 20) + b"tail\n"  # from the hole's end on
    assert read_tail(log, 8 << 20) == tail


def test_a_cap_reached_before_the_trace_was_given_is_still_an_event(tmp_path: Path) -> None:
    """A flood between the spawn and the trace's `spawned` (the cap's thread woken by the first
    write): the cap was punched with no trace to tell, and the event never came (a suite run
    waited 60 s for it)."""
    log = tmp_path / "workers" / "w1.stderr.log"
    log.parent.mkdir()
    log.write_bytes(b"x" * (3 * CAP))
    cap = StderrCap(log, CAP, time.monotonic())
    assert cap.check() is True and cap.dropped is not None  # punched, no trace yet
    trace = Trace(tmp_path / "events.jsonl")
    cap.traced(trace, "w1")
    cap.check()  # a later check says nothing again
    trace.close()
    [event] = _capped_events(tmp_path)
    assert event["worker"] == "w1" and event["dropped"] == [cap.dropped.start, cap.dropped.end]


def test_a_run_interrupted_while_a_worker_floods_says_what_its_log_dropped(
    tmp_path: Path, processes: Processes
) -> None:
    run_dir = tmp_path / "run"
    env = {**os.environ, CAP_ENV: "2MiB", "POOLCTL_REPORTS_DIR": str(tmp_path / "reports")}
    argv = [sys.executable, "-m", "poolctl", "ping", "--no-history", "--run-dir", str(run_dir)]
    proc = processes.popen(
        [*argv, "--timeout", "60", "--", sys.executable, "-c", ENDLESS],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    events = run_dir / "events.jsonl"
    end = time.monotonic() + 60
    while time.monotonic() < end and b"stderr_capped" not in _read(events):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    log = run_dir / "workers" / "w1.stderr.log"
    st = log.stat()
    assert st.st_blocks * 512 <= CAP + 64 * 1024 < 8 * CAP < st.st_size
    assert (run_dir / "report.json").exists(), err  # (once missing at a load of 20: why unknown)
    notes = json.loads((run_dir / "report.json").read_text())["notes"]
    assert notes[0].startswith("interrupted by SIGINT")
    note = re.fullmatch(
        r"workers/w1\.stderr\.log: the worker wrote [\d.]+ [MG]iB \(([\d,]+) bytes\) to stderr "
        r"by [\d.]+ m?s after it started; bytes 1,048,576-([\d,]+) .*; the first 1 MiB and the "
        r"last [\d.]+ [KM]iB are kept",
        notes[1],
    )
    assert note is not None, notes
    assert _number(note[1]) == st.st_size  # as the file is: it was complete when said
    with open(log, "rb") as f:
        assert data_ranges(f.fileno(), st.st_size)[1][0] == _number(note[2])


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def test_a_refusal_met_before_the_worker_pid_is_known_still_stops_the_worker(
    tmp_path: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap is checked from before the spawn: a flood fast enough to pass the cap before
    the pid was handed over was refused then, and the worker never stopped (a loaded run)."""

    def refuse(fd: int, start: int, length: int) -> None:
        raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))

    monkeypatch.setattr("poolctl.stderr_cap.punch_hole", refuse)
    log = tmp_path / "w1.stderr.log"
    log.write_bytes(b"x" * (3 * 1024 * 1024))
    cap = StderrCap(log, 2 * 1024 * 1024, time.monotonic())
    assert cap.check() and cap.dropped is not None and cap.dropped.refused  # no pid yet
    proc = processes.popen(["sleep", "60"], start_new_session=True)
    cap.pid = proc.pid
    cap.check()
    assert proc.wait(timeout=10) == -signal.SIGKILL


def test_the_caps_thread_sleeps_while_no_log_is_written_to(
    tmp_path: Path, real_sleep: Callable[[float], None]
) -> None:
    """Woken by the writes (inotify), not 50 times a second: a pool of quiet workers costs no
    wake-ups; a write is still checked at once."""
    caps = StderrCaps()
    log = tmp_path / "w1.stderr.log"
    cap = caps.open(log)
    checks: list[float] = []
    check = cap.check

    def counted() -> bool:
        checks.append(time.monotonic())
        return check()

    cap.check = counted  # type: ignore[method-assign]
    try:
        real_sleep(0.02 + 2 * IDLE_CHECK)  # quiet: the clock's checks only
        quiet = len(checks)
        with open(log, "ab") as f:
            f.write(b"a line\n")
        deadline = time.monotonic() + 10
        while cap.size == 0 and time.monotonic() < deadline:
            real_sleep(0.005)
        assert cap.size == len(b"a line\n")  # the write was seen
    finally:
        caps.close(cap)
    # every CHECK_EVERY (20 ms) this was 25 checks and more; the first, then every IDLE_CHECK
    assert quiet <= 4, checks
    watcher = caps._watcher
    if watcher is not None:
        watcher.join(timeout=10)
    assert watcher is None or not watcher.is_alive()  # it ended with its last log


# One line of 24 MiB, no newline: a `password=` and the named value deep in the head the cap
# keeps, a GitHub token in its tail; then the reference worker answers.
ONE_LINE_TOKEN = "ghp_" + "Z3" * 18
ONE_LINE_FLOOD = f"""\
import os, runpy, sys
secret = os.environ["FLOOD_TOKEN"]
x = b"x" * (1 << 20)
out = sys.stderr.buffer
out.write(x[: 900_000] + b" password=hunter2-one-line " + secret.encode() + x[: 50_000])
for _ in range(22):
    out.write(x)
out.write(x[: 500_000] + b" {ONE_LINE_TOKEN} " + x[: 400_000])
out.flush()
sys.argv = ["reference"]
runpy.run_module("poolctl.workers.reference", run_name="__main__")
"""


@pytest.mark.usefixtures("small_cap")
def test_secrets_deep_in_a_flood_with_no_newline_are_scrubbed_from_the_capped_log(
    run_cli: RunCli, tmp_path: Path
) -> None:
    script = tmp_path / "flood.py"
    script.write_text(ONE_LINE_FLOOD)
    run_dir = tmp_path / "run"
    code, out, err = run_cli(
        "ping", "--run-dir", str(run_dir), "--env", f"FLOOD_TOKEN={SECRET}",
        "--", sys.executable, str(script),
    )  # fmt: skip
    assert code == 0, out + err
    log = run_dir / "workers" / "w1.stderr.log"  # holes: redacted in place, same length
    with open(log, "rb") as f:
        [(_, start), (end, _)] = data_ranges(f.fileno(), log.stat().st_size)
        head = read_head(log, start)
        f.seek(end)
        tail = f.read()
    padding = b"*" * (len(SECRET) - len("[redacted:FLOOD_TOKEN]"))
    marks = rb" password=\[redacted\]\*{6} \[redacted:FLOOD_TOKEN\]" + re.escape(padding)
    assert len(head) == start and re.fullmatch(rb"x{900000}" + marks + rb"x+", head), head[-99:]
    assert re.fullmatch(rb"x+ \[redacted\]\*{30} x{400000}.*", tail, re.DOTALL), tail[:99]
    for secret in (b"hunter2", SECRET.encode(), ONE_LINE_TOKEN.encode()):
        assert secret not in head and secret not in tail

"""A large log's trigger search runs ahead of its parse in a forked process
(`poolctl.logs.search_ahead`): the log reads the same as when the parse searches itself, the
parse searches itself wherever the child's result is not the one its own search would give (a
CI marker, the traceback triggers left out, a file that changed, a child that died), inputs
that are not one plain file are never searched ahead, and the child never outlives the triage.

The forking runs in a process of its own (a test worker runs threads: `forked.can_fork`)."""

from __future__ import annotations

import bz2
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from bench.triage import generate
from poolctl.forked import can_fork
from poolctl.logs import search_ahead
from tests.conftest import Processes

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="poolctl forks on Linux only"
)
FIXTURES = Path(__file__).parent / "fixtures"

# argv[1], copied into the folder argv[4], read in chunks of argv[2] bytes as the parse
# searching itself and with the search ahead (argv[3]: "plain"; "stale", the child is never told
# that the traceback triggers are left out; "die", the child dies after two chunks; "append",
# the file grows once two chunks are read; "raise", the parse is interrupted at its third
# chunk); prints what differs, how many chunks the child's results served (reduced or not) and
# how many the parse cleaned for a CI marker its search found
COMPARE = """\
import json, os, shutil, sys
from poolctl.logs import lines, read_logs, scan, search_ahead as sa
path, mode, folder = sys.argv[1], sys.argv[3], sys.argv[4]
lines.CHUNK_SIZE = int(sys.argv[2])
served = {"full": 0, "reduced": 0}
cleaned = []  # chunks the parse cleaned once its search found a CI marker in them
clean = lines.ChunkReader.clean
def noted(self, chunk, marker=-1):
    if marker >= 0:
        cleaned.append(marker)
    return clean(self, chunk, marker)
lines.ChunkReader.clean = noted
found = sa.SearchAhead.found
def counted(self, chunk, reduced):
    result = found(self, chunk, reduced)
    if result is not None:
        served["reduced" if reduced else "full"] += 1
    return result
sa.SearchAhead.found = counted
if mode == "stale":  # the child is never told that the parse left the traceback triggers out
    sa.SearchAhead.reduce = lambda self: None
if mode == "die":
    calls = []
    searched = sa.searched
    def dying(*args):
        calls.append(1)
        if len(calls) > 2:
            os._exit(1)
        return searched(*args)
    sa.searched = dying
if mode == "raise":
    scans = []
    scan_chunk = scan.TextParser._scan
    def interrupted(self, chunk, found):
        scans.append(1)
        if len(scans) == 3:
            raise KeyboardInterrupt
        return scan_chunk(self, chunk, found)
    scan.TextParser._scan = interrupted
    ahead = sa.SearchAhead()
    ahead.start(path, "auto")
    child = ahead.forked.pid
    try:
        read_logs([path], ahead=ahead)
    except KeyboardInterrupt:
        pass
    try:
        os.waitpid(child, os.WNOHANG)
        left = True
    except ChildProcessError:
        left = False  # reaped
    print(json.dumps({"left": left, "pipe": ahead.pipe is not None}))
    raise SystemExit(0)

class Growing:
    def __init__(self, path):
        self.path, self.calls = path, 0
    def on_read(self, done, total):
        self.calls += 1
        if mode == "append" and self.calls == 2:
            with open(self.path, "ab") as out:
                out.write(b"  1) test grows (GrowTest)\\n" * 500)

def read(ahead):
    copy = os.path.join(folder, "ahead.log" if ahead else "alone.log")
    shutil.copyfile(path, copy)
    if ahead:
        ahead.start(copy, "auto")
    try:
        parsed = read_logs([copy], ahead=ahead, progress=Growing(copy))
    finally:
        if ahead:
            ahead.stop()
    return {
        "failures": [f.__dict__ | {"input_file": ""} for f in parsed.failures],
        "rest": repr((parsed.tracebacks, parsed.summaries, parsed.lines_read, parsed.test_ends,
                      list(parsed.blocks.values()), list(parsed.after.values()),
                      parsed.suspects, parsed.identifiers.lines, parsed.reruns,
                      parsed.job_failures)).replace(copy, "LOG"),
        "skipped": [s.replace(copy, "LOG") for s in parsed.skipped],
        "failure_count": len(parsed.failures),
    }

alone = read(None)
cleaned.clear()
ahead = sa.SearchAhead()
with_ahead = read(ahead)
try:
    os.waitpid(-1, os.WNOHANG)
    left = True
except ChildProcessError:
    left = False
differs = [key for key in alone if repr(alone[key]) != repr(with_ahead[key])]
print(json.dumps({"differs": differs, "served": served, "left": left,
                  "failures": alone["failure_count"], "cleaned": len(cleaned)}))
"""


def _compare(
    processes: Processes, log: Path, folder: Path, chunk: int = 4096, mode: str = "plain"
) -> dict[str, object]:
    done = processes.run(
        [sys.executable, "-c", COMPARE, str(log), str(chunk), mode, str(folder)],
        timeout=300,
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, object] = json.loads(done.stdout)
    return seen


@pytest.fixture(scope="module")
def tracebacks_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ExUnit log of 1 MB built from a real `mix test` capture (bench/triage.py's way):
    more than `MAX_TRACEBACKS` crash reports, so that the parse leaves the traceback triggers
    out of its search after its first chunks."""
    path = tmp_path_factory.mktemp("ahead") / "exunit_1mb.log"
    generate(path, "exunit", 1, 20.0)
    return path


@pytest.mark.parametrize(
    ("log", "failures"),
    [
        ("exunit/pool_suite.log", 31),
        ("pytest/pool_suite_verbose.txt", 22),
        ("exunit/two_runs.log", None),
        ("exunit/services_color.log", None),  # ANSI colours: cleaned chunks
        ("exunit/services_gitlab_timestamps.log", None),  # CI markers: cleaned by the parse
        ("pytest/services_github_actions.txt", None),  # a timestamp before every line
        ("pytest/services_xdist.txt", None),
    ],
)
def test_a_log_searched_ahead_reads_as_when_the_parse_searches_it(
    log: str, failures: int | None, tmp_path: Path, processes: Processes
) -> None:
    seen = _compare(processes, FIXTURES / log, tmp_path)
    assert seen["differs"] == [] and not seen["left"]
    served = seen["served"]
    assert isinstance(served, dict)
    if failures is not None:  # plain logs (one chunk): its search came from the child
        assert seen["failures"] == failures
        assert served == {"full": 1, "reduced": 0}


def test_a_chunk_holding_a_ci_marker_is_cleaned_and_searched_by_the_parse(
    tracebacks_log: Path, tmp_path: Path, processes: Processes
) -> None:
    """`docker compose`'s log (`app-1  | ` before each line) between plain ones: its chunks
    are plain to the reader's cheap test, the child finds their CI markers, the parse cleans
    and searches them itself, and takes the child's results again for the chunks after them."""
    log = tmp_path / "plain_compose_plain.log"
    plain = tracebacks_log.read_bytes()
    compose = (FIXTURES / "exunit/services_compose.log").read_bytes()
    log.write_bytes(plain + compose + plain[: len(plain) // 2])
    seen = _compare(processes, log, tmp_path, chunk=4096)
    assert seen["differs"] == [] and not seen["left"]
    served = seen["served"]
    assert isinstance(served, dict) and isinstance(seen["cleaned"], int)
    assert seen["cleaned"] >= 1  # by the parse
    # of about 390 chunks: the plain parts' (those after the marked ones too), by the child
    assert served["full"] + served["reduced"] >= 300


# argv[1] read with the search ahead in chunks of 4096 bytes: how many chunks the parse read,
# how many of them were cleaned, and how many its reader tested itself for what needs cleaning
# (`ChunkReader._plain`: three byte searches and an RE2 one, over the whole chunk)
TESTED = """\
import json, sys
from poolctl.logs import lines, read_logs, search_ahead as sa
lines.CHUNK_SIZE = 4096
tested, chunks = [], []
plain = lines.ChunkReader._plain
lines.ChunkReader._plain = staticmethod(lambda data: tested.append(1) or plain(data))
made = lines.ChunkReader._chunk
def counted(self, complete):
    chunk = made(self, complete)
    chunks.append(chunk.cleaned)
    return chunk
lines.ChunkReader._chunk = counted
ahead = sa.SearchAhead()
ahead.start(sys.argv[1], "auto")
try:
    read_logs([sys.argv[1]], ahead=ahead)
finally:
    ahead.stop()
print(json.dumps({"chunks": len(chunks), "cleaned": sum(chunks), "tested": len(tested)}))
"""


def test_the_parse_takes_the_childs_word_that_a_chunk_needs_no_cleaning(
    tracebacks_log: Path, tmp_path: Path, processes: Processes
) -> None:
    """The child tested each chunk's bytes for what needs cleaning (ANSI colours, `\\r`, NUL
    bytes, Jenkins' notes): the parse's reader does not test a chunk the child took as it is
    again; it tests those the child cleaned (and cleans them). The first chunk is cleaned
    untested (it decides the terminal width a log was wrapped at)."""
    log = tmp_path / "plain_colour_plain.log"
    plain = tracebacks_log.read_bytes()
    colour = (FIXTURES / "exunit/services_color.log").read_bytes()
    log.write_bytes(plain + colour + plain[: len(plain) // 2])
    seen = _compare(processes, log, tmp_path)
    assert seen["differs"] == [] and not seen["left"]
    for path in (tracebacks_log, log):
        done = processes.run([sys.executable, "-c", TESTED, str(path)], timeout=300,
                             cwd=Path(__file__).parent.parent)  # fmt: skip
        assert done.returncode == 0, done.stderr
        counts = json.loads(done.stdout)
        assert counts["chunks"] > 200
        if path == tracebacks_log:
            assert counts == {"chunks": counts["chunks"], "cleaned": 1, "tested": 0}
        else:  # the coloured chunks, cleaned by the child: tested and cleaned by the parse too
            assert counts["cleaned"] > 2 and counts["tested"] == counts["cleaned"] - 1


def test_once_the_traceback_triggers_are_left_out_the_child_leaves_them_out_too(
    tracebacks_log: Path, tmp_path: Path, processes: Processes
) -> None:
    seen = _compare(processes, tracebacks_log, tmp_path, chunk=16 * 1024)
    assert seen["differs"] == [] and not seen["left"]
    served = seen["served"]
    assert isinstance(served, dict)  # of 65 chunks: a few searched by the parse, at the switch
    assert served["full"] >= 10 and served["reduced"] >= 10


def test_a_chunk_searched_with_every_trigger_is_searched_again_once_they_are_left_out(
    tracebacks_log: Path, tmp_path: Path, processes: Processes
) -> None:
    seen = _compare(processes, tracebacks_log, tmp_path, chunk=64 * 1024, mode="stale")
    assert seen["differs"] == [] and not seen["left"]
    served = seen["served"]
    assert isinstance(served, dict)
    assert served["full"] >= 1 and served["reduced"] == 0


def test_a_child_that_dies_leaves_the_search_to_the_parse(
    tracebacks_log: Path, tmp_path: Path, processes: Processes
) -> None:
    seen = _compare(processes, tracebacks_log, tmp_path, chunk=64 * 1024, mode="die")
    assert seen["differs"] == [] and not seen["left"]
    assert seen["served"] == {"full": 2, "reduced": 0}


def test_a_file_that_grows_while_read_is_searched_by_the_parse_from_there(
    tracebacks_log: Path, tmp_path: Path, processes: Processes
) -> None:
    seen = _compare(processes, tracebacks_log, tmp_path, chunk=64 * 1024, mode="append")
    assert seen["differs"] == [] and not seen["left"]
    served = seen["served"]
    assert isinstance(served, dict)
    assert served["full"] + served["reduced"] <= 1  # the first chunk at most


def test_an_interrupted_parse_stops_the_child(
    tracebacks_log: Path, tmp_path: Path, processes: Processes
) -> None:
    seen = _compare(processes, tracebacks_log, tmp_path, chunk=64 * 1024, mode="raise")
    assert seen == {"left": False, "pipe": False}


@pytest.mark.parametrize("packing", ["gzip", "bzip2", "utf-16", "zip"])
def test_a_packed_or_utf16_log_is_searched_by_the_parse(
    packing: str, tmp_path: Path, processes: Processes
) -> None:
    text = (FIXTURES / "exunit/pool_suite.log").read_bytes()
    log = tmp_path / "pool_suite.log"
    if packing == "gzip":
        log.write_bytes(gzip.compress(text))
    elif packing == "bzip2":
        log.write_bytes(bz2.compress(text))
    elif packing == "utf-16":
        log.write_bytes(text.decode().encode("utf-16"))
    else:
        with zipfile.ZipFile(log, "w") as archive:
            archive.writestr("pool_suite.log", text)
    seen = _compare(processes, log, tmp_path)
    assert seen["differs"] == [] and not seen["left"]
    assert seen["failures"] == 31
    assert seen["served"] == {"full": 0, "reduced": 0}


def test_only_one_large_file_is_searched_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inputs' rule alone: whether this process can fork (a second CPU, no other thread:
    a thread an earlier test's command left ending made it fail) is `can_fork`'s, taken as
    yes."""
    small, large = tmp_path / "small.log", tmp_path / "large.log"
    small.write_bytes(b"x\n" * 10)
    large.write_bytes(b"x\n" * 100)
    monkeypatch.setattr(search_ahead, "MIN_BYTES", 150)
    monkeypatch.setattr(search_ahead, "can_fork", lambda: True)
    assert search_ahead.worth_it([str(large)])
    assert not search_ahead.worth_it([str(small)])  # the fork would cost more
    assert not search_ahead.worth_it(["-"])
    assert not search_ahead.worth_it([str(large), str(large)])
    assert not search_ahead.worth_it([str(tmp_path)])


# poolctl with the search ahead from `MIN_BYTES` = argv[1] bytes; with argv[2] "hang" the
# forked process never ends by itself; otherwise a file argv[2] says whether it was started
RUNNER = """\
import sys, time
from pathlib import Path
import poolctl.logs.search_ahead as ahead
ahead.MIN_BYTES = int(sys.argv[1])
if sys.argv[2] == "hang":
    ahead._search_file = lambda *args: time.sleep(600)
elif sys.argv[2] != "-":
    said, start = Path(sys.argv[2]), ahead.SearchAhead.start
    def noted(self, path, fmt):
        said.write_text("started")
        start(self, path, fmt)
    ahead.SearchAhead.start = noted
sys.argv = ["poolctl", *sys.argv[3:]]
from poolctl.cli import program
raise SystemExit(program())
"""


def test_a_triage_searched_ahead_reports_the_same(tmp_path: Path, processes: Processes) -> None:
    log = FIXTURES / "exunit" / "pool_suite.log"
    reports = []
    for min_bytes in (0, 1 << 40):
        run = tmp_path / str(min_bytes)
        argv = ["triage", str(log), "--run-dir", str(run), "--no-history", "--fail-on", "never",
                "-q"]  # fmt: skip
        done = processes.run([sys.executable, "-c", RUNNER, str(min_bytes), "-", *argv], 120)
        assert done.returncode == 0, done.stderr
        reports.append((run / "report.json").read_text().replace(str(run), "RUN"))
    assert reports[0] == reports[1]
    assert json.loads(reports[0])["summary"]["failures"] == 31


@pytest.mark.skipif(not can_fork(), reason="one CPU")
@pytest.mark.parametrize(("history", "started"), [(False, True), (True, False)])
def test_the_search_runs_ahead_unless_the_history_reads_the_inputs_beside_the_triage(
    history: bool, started: bool, tmp_path: Path, processes: Processes
) -> None:
    said = tmp_path / "said"
    store = ["--history", str(tmp_path / "h.sqlite")] if history else ["--no-history"]
    argv = ["triage", str(FIXTURES / "exunit" / "pool_suite.log"), "--run-dir",
            str(tmp_path / "run"), *store, "--fail-on", "never", "-q"]  # fmt: skip
    done = processes.run([sys.executable, "-c", RUNNER, "0", str(said), *argv], 120)
    assert done.returncode == 0, done.stderr
    assert said.exists() == started


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _ended(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@pytest.mark.skipif(not can_fork(), reason="one CPU")
@pytest.mark.parametrize("how", ["SIGINT to the group (Ctrl-C)", "SIGKILL to poolctl"])
def test_the_searching_process_never_outlives_the_triage(
    how: str, tmp_path: Path, processes: Processes
) -> None:
    argv = ["triage", str(FIXTURES / "exunit" / "pool_suite.log"), "--run-dir",
            str(tmp_path / "run"), "--no-history", "--fail-on", "never"]  # fmt: skip
    proc = processes.popen(
        [sys.executable, "-c", RUNNER, "0", "hang", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a group of its own, as a terminal's foreground job
    )
    deadline = time.monotonic() + 60
    while not (searching := _children(proc.pid)):  # the forked process (hanging for ever)
        assert proc.poll() is None and time.monotonic() < deadline, "no searching process"
        time.sleep(0.02)
    time.sleep(0.3)  # the parse waits for its first result
    if how.startswith("SIGINT"):
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == (130 if how.startswith("SIGINT") else -9), err
    end = time.monotonic() + 10
    while not all(_ended(pid) for pid in searching) and time.monotonic() < end:
        time.sleep(0.02)
    assert all(_ended(pid) for pid in searching), f"left behind: {searching}"

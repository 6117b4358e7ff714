"""Shared fixtures; the line between fast tests and tests that start processes or wait on a
real clock; the check that no test leaves a worker process behind.

A test that starts a process, itself or through the code it calls, uses a fixture that depends
on `processes` (`run_cli`, `spawn_worker`, `reference_worker`, `pexpect_spawn`, a module's own
fixture built on them, or `processes` itself; `module_processes` for what a module's tests share,
a browser or runs they all read; `session_processes` for what several modules share, the
PostgreSQL server); a test that sleeps does it through `real_sleep`.
The collection hook below marks such tests `process` or `waits`, and `make test-fast` deselects
both. Every other test runs with process creation and sleeping disabled, so a test that starts
a process by other means fails with a message naming the fixture to use: the fast set cannot
silently start processes again.
"""

from __future__ import annotations

import _posixsubprocess
import asyncio
import contextlib
import gc
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pexpect
import pytest
from hypothesis import settings

from poolctl.history.location import HISTORY_ENV, parse_location
from poolctl.rundir import BASE_ENV
from poolctl.worker import WorkerProcess, WorkerSpec
from tests.postgres import PgServer, PgUnavailable
from tests.rewrite_ahead import rewrite_ahead, starts_xdist_processes

# Every process a test starts inherits this marker, so leftovers can be found by environment.
# Each pytest process (each xdist worker too) draws its own, and checks only its own children.
LEAK_MARKER = "POOLCTL_TEST_SESSION"
os.environ[LEAK_MARKER] = uuid.uuid4().hex
# ...and what the session's own fixtures start to share between modules (the PostgreSQL server)
# carries this one too: it outlives the test that started it, so a test's own check for
# leftovers passes it by; the check at the session's end does not.
SHARED_MARKER = "POOLCTL_TEST_SHARED"
MEMORY_FS = Path("/dev/shm")
TEMP_ROOT_ENV = "PYTEST_DEBUG_TEMPROOT"  # where pytest makes its numbered temporary folders


def temp_root_in_memory() -> None:
    """pytest's temporary folders go to the memory filesystem where there is one that is
    writable, may run programs (tests write scripts there and run them) and has room: the
    suite makes and removes thousands of files and folders, each about ten times slower on
    a virtual machine's disk. Set by the controller, inherited by the xdist workers."""
    if TEMP_ROOT_ENV in os.environ:
        return
    try:
        fs = os.statvfs(MEMORY_FS)
    except OSError:
        return
    room = fs.f_bavail * fs.f_frsize
    unusable = fs.f_flag & (os.ST_NOEXEC | os.ST_RDONLY)
    if not unusable and room > 4 << 30 and os.access(MEMORY_FS, os.W_OK | os.X_OK):
        os.environ[TEMP_ROOT_ENV] = str(MEMORY_FS)


temp_root_in_memory()

# Hypothesis fails an example slower than 200 ms by default: a timed assertion, which a loaded
# machine breaks (tests/test_framing.py's 0.3 ms example took 316 ms under a load of 28).
# Speed is checked by bench/, never by tests.
settings.register_profile("poolctl", deadline=None)
settings.load_profile("poolctl")
REFERENCE = (sys.executable, "-m", "poolctl.workers.reference")
REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"

# The fixtures whose use marks a test, directly or through any fixture that depends on them.
MARKING_FIXTURES = {
    "processes": "process",
    "module_processes": "process",
    "session_processes": "process",
    "real_sleep": "waits",
}
MARKERS = (
    "process: starts processes (set by the fixtures that start them; test-fast leaves it out)",
    "waits: sleeps on the real clock (set by the real_sleep fixture; test-fast leaves it out)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files under tests/golden/ from what the code renders now",
    )


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    # A suite started in the background by a shell (`make test &`, a job runner's `( … ) &`)
    # inherits SIGINT ignored, and so would every process it starts: the tests that send
    # poolctl or a worker a Ctrl-C (16 of them) would find it ignored. A handler of our own is
    # reset to the default in each process started.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.hookimpl(tryfirst=True)  # before xdist starts its processes (its own hook is trylast)
def pytest_sessionstart(session: pytest.Session) -> None:
    if starts_xdist_processes(session.config):
        rewrite_ahead(session.config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, marker in MARKING_FIXTURES.items():
            if fixture in used:
                item.add_marker(marker)


def marked_processes(shared: bool = False) -> list[tuple[int, str]]:
    """Live processes (other than this one) carrying this session's marker; with `shared`,
    also those the session's fixtures share (see SHARED_MARKER)."""
    needle = f"{LEAK_MARKER}={os.environ[LEAK_MARKER]}".encode()
    shared_needle = f"{SHARED_MARKER}=1".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            if needle not in environ or (not shared and shared_needle in environ):
                continue
            with open(f"/proc/{entry}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue  # a zombie is already dead; its parent reaps it
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((int(entry), cmdline))
    return found


def live_with_env(name: str, value: str) -> list[str]:
    """The live processes (zombies are already dead) whose environment holds `name=value`,
    each as `pid: 'its command line'`, for a test's message of what was left."""
    from poolctl.proctree import processes_with_env

    found = []
    for pid in sorted(processes_with_env(name, value)):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ")[:120]
        except OSError:
            continue
        found.append(f"{pid}: {cmdline!r}")
    return found


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    yield
    deadline = time.monotonic() + 5
    left = marked_processes(shared=True)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = marked_processes(shared=True)
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left behind by the tests: {left}"


@pytest.fixture(scope="session")
def each_test_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of every test's run folders and history store (see `own_prefix`)."""
    return tmp_path_factory.mktemp("each-test")


_TEST_NUMBERS = itertools.count()


@pytest.fixture
def own_prefix(each_test_root: Path) -> Path:
    """A path prefix no other test uses; nothing is made yet. Cheaper than `tmp_path` (a
    numbered folder, and a listing of its siblings to number it) for the many tests that need
    only somewhere for their run folders and their history store."""
    return each_test_root / f"t{next(_TEST_NUMBERS)}"


@pytest.fixture(autouse=True)
def reports_in_tmp(own_prefix: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run folders go to the test's own temporary path, never into the repository."""
    base = Path(f"{own_prefix}-reports")
    monkeypatch.setenv(BASE_ENV, str(base))
    return base


@pytest.fixture(autouse=True)
def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite records its runs as on a developer's machine, wherever it runs: under a CI
    service's variables (a bare `CI=true` is one) two triages of one commit are CI runs of one
    commit, and a test that passed in one and failed in the other is flaky; and inside GitHub
    Actions poolctl prints for Actions. The tests of CI runs set the variables they mean."""
    from poolctl.history.runmeta import JOB_ENV, PROVIDERS  # no database code

    for provider in PROVIDERS:
        for name in (provider.marker, *provider.commit, *provider.branch, *provider.job):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(JOB_ENV, raising=False)


@pytest.fixture(scope="session", autouse=True)
def pattern_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compiled pattern files are cached in the session's own folder, not the user's cache:
    each test process starts cold once, and the suite leaves nothing in the home folder."""
    from poolctl.patterns.cache import CACHE_ENV  # the knowledge base: not for the controller

    folder = tmp_path_factory.mktemp("pattern-cache")
    os.environ[CACHE_ENV] = str(folder)
    return folder


@pytest.fixture(scope="session")
def history_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty history store with its schema, made once: each test starts from a copy."""
    path = tmp_path_factory.mktemp("history") / "template.sqlite"
    from poolctl.history.store import HistoryStore  # SQLAlchemy: not for the xdist controller

    with HistoryStore(parse_location(str(path))):
        pass
    return path


@pytest.fixture(autouse=True)
def history_in_tmp(
    own_prefix: Path, monkeypatch: pytest.MonkeyPatch, history_template: Path
) -> Path:
    """Each test's runs are recorded in its own history store (every finding new at first),
    never in the repository's `.poolctl/`. It starts as a copy of an empty store: creating
    the schema is tested once, in tests/test_history_store.py, not paid for by every test."""
    store = Path(f"{own_prefix}-history.sqlite")
    shutil.copyfile(history_template, store)
    monkeypatch.setenv(HISTORY_ENV, str(store))
    return store


# --- the guard ---------------------------------------------------------------------------------


class ForbiddenInFastTest(BaseException):
    """A fast test started a process or slept. A BaseException, so that code under test that
    turns every `Exception` into a finding (a worker that "could not start") cannot hide it."""


PROCESS_HINT = (
    "start processes through a fixture that depends on `processes` (run_cli, spawn_worker, "
    "reference_worker, pexpect_spawn, processes.run/popen): it marks the test `process`"
)
SLEEP_HINT = "sleep through the `real_sleep` fixture: it marks the test `waits`"

# What starts a process, whichever library asks: subprocess and asyncio (Popen), pexpect and
# pty (os.forkpty, os.fork), multiprocessing (_posixsubprocess.fork_exec), os.system/spawn*.
PROCESS_STARTERS: list[tuple[object, str, str]] = [
    (subprocess.Popen, "_execute_child", "subprocess.Popen"),
    (_posixsubprocess, "fork_exec", "_posixsubprocess.fork_exec"),
    (os, "fork", "os.fork"),
    (os, "forkpty", "os.forkpty"),
    (os, "posix_spawn", "os.posix_spawn"),
    (os, "posix_spawnp", "os.posix_spawnp"),
    (os, "system", "os.system"),
]


REFUSED = pytest.StashKey[list[str]]()


@pytest.fixture(autouse=True)
def fast_tests_start_no_process(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside `process` tests starting a process fails the test, outside `process` and
    `waits` tests sleeping does (`sleep(0)`, a mere yield, is let through)."""
    marks = {m.name for m in request.node.iter_markers()}
    refused = request.node.stash.setdefault(REFUSED, [])

    def refuse(
        what: str, hint: str, allowed: Callable[..., Any] | None = None
    ) -> Callable[..., Any]:
        def refused_call(*args: Any, **kwargs: Any) -> Any:
            if allowed is not None and args and args[0] == 0:
                return allowed(*args, **kwargs)
            refused.append(f"{request.node.nodeid} called {what}: {hint}")
            raise ForbiddenInFastTest(refused[-1])

        return refused_call

    if "process" not in marks:
        for owner, name, label in PROCESS_STARTERS:
            monkeypatch.setattr(owner, name, refuse(label, PROCESS_HINT))
    if not marks & {"process", "waits"}:
        monkeypatch.setattr(time, "sleep", refuse("time.sleep", SLEEP_HINT, time.sleep))
        monkeypatch.setattr(asyncio, "sleep", refuse("asyncio.sleep", SLEEP_HINT, asyncio.sleep))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A refusal fails the test with its hint, even when the code under test caught it (an
    experiment that "could not start") and the test went on to pass or to fail otherwise."""
    try:
        result = yield
    except ForbiddenInFastTest:
        raise
    except BaseException as exc:
        refused = item.stash.get(REFUSED, [])
        if refused:
            raise ForbiddenInFastTest(f"{refused[0]} (caught on the way)") from exc
        raise
    refused = item.stash.get(REFUSED, [])
    if refused:
        raise ForbiddenInFastTest(f"{refused[0]} (caught on the way)")
    return result


# --- fixtures that start processes --------------------------------------------------------------


TERMINAL_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


def terminal_signals_at_defaults() -> None:
    """The terminal's signals at their defaults and unblocked, as a shell starts a program
    (a `nohup` above the suite leaves SIGHUP ignored, and an ignored signal stays so)."""
    for sig in TERMINAL_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, TERMINAL_SIGNALS)


class Processes:
    """Starts the processes a test needs, and kills whatever is left of them when it ends."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[Any] | pexpect.spawn[str]] = []
        self.workers: list[WorkerProcess] = []

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        proc: subprocess.Popen[bytes] = subprocess.Popen(list(argv), **kwargs)
        self.started.append(proc)
        return proc

    def run(
        self, argv: Sequence[str], timeout: float, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        """Run `argv` to its end (at most `timeout` s) and return what it printed."""
        return subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, check=False, **kwargs
        )

    def pty(self, command: str, args: Sequence[str], **kwargs: Any) -> pexpect.spawn[str]:
        """A program on a terminal of its own, started as a shell starts one: the terminal's
        signals at their defaults and unblocked, whatever the test process has set."""
        kwargs.setdefault("preexec_fn", terminal_signals_at_defaults)
        child = pexpect.spawn(command, list(args), **kwargs)
        self.started.append(child)
        return child

    def worker(self, spec: WorkerSpec, capture_dir: Path, **kwargs: Any) -> WorkerProcess:
        """A started WorkerProcess; stopped at the end of the test if the test did not."""
        worker = WorkerProcess(spec, capture_dir, **kwargs).start()
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop(grace=0.5)
        for proc in self.started:
            if isinstance(proc, pexpect.spawn):
                proc.close(force=True)
            elif proc.poll() is None:
                proc.kill()
                proc.wait()


def _stopped_at_the_end() -> Iterator[Processes]:
    """The processes a fixture's user starts, every one stopped when the fixture ends."""
    started = Processes()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def processes() -> Iterator[Processes]:
    """The fixture every process-starting fixture depends on: using it marks a test `process`."""
    yield from _stopped_at_the_end()


@pytest.fixture(scope="module")
def module_processes() -> Iterator[Processes]:
    """`processes` for a module's shared fixtures (a browser, runs its tests all read), whatever
    costs too much to start for each test; stopped when the module's tests are done. Using it,
    through any fixture, marks a test `process`."""
    yield from _stopped_at_the_end()


@pytest.fixture(scope="session")
def session_processes() -> Iterator[Processes]:
    """`processes` for what several modules share (a PostgreSQL server), stopped when the
    session ends. Using it, through any fixture, marks a test `process`."""
    yield from _stopped_at_the_end()


@pytest.fixture(scope="session")
def pg_server(session_processes: Processes) -> Iterator[PgServer | PgUnavailable]:
    """One PostgreSQL server for the session (each test makes a database of its own on it), or
    why there is none. Session-wide: tests/test_history_store.py and test_history_upgrade.py
    each started one (an initdb, a start and a stop) in every process that ran them."""
    env = {**os.environ, SHARED_MARKER: "1"}

    def run(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
        return session_processes.run(argv, timeout, env=env)

    # its folder in memory, as the tests' own (an initdb writes ~40 MB, each database ~8 MB)
    server = PgServer(run, parent=os.environ.get(TEMP_ROOT_ENV))
    try:
        server.start()
    except PgUnavailable as why:
        server.stop()
        yield why
        return
    try:
        yield server
    finally:
        server.stop()


class RunCli(Protocol):
    def __call__(self, *argv: str) -> tuple[int, str, str]: ...


def _in_process(capsys: pytest.CaptureFixture[str]) -> RunCli:
    from poolctl.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """`poolctl ARGV...` in this process, for a command that starts nothing (bad usage, triage):
    (exit code, stdout, stderr). Should it start a worker, the test fails: use `run_cli`."""
    return _in_process(capsys)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], processes: Processes) -> RunCli:
    """`poolctl ARGV...` in this process, which may start workers: (exit code, stdout, stderr)."""
    return _in_process(capsys)


class SpawnWorker(Protocol):
    def __call__(
        self, spec: WorkerSpec, capture_dir: Path | None = None, **kwargs: Any
    ) -> WorkerProcess: ...


@pytest.fixture
def spawn_worker(tmp_path: Path, processes: Processes) -> SpawnWorker:
    """Start a WorkerProcess for `spec`, capturing into `capture_dir` (default tmp/workers)."""

    def spawn(spec: WorkerSpec, capture_dir: Path | None = None, **kwargs: Any) -> WorkerProcess:
        return processes.worker(spec, capture_dir or tmp_path / "workers", **kwargs)

    return spawn


class ReferenceWorker(Protocol):
    def __call__(self, *switches: str, **spec: Any) -> WorkerProcess: ...


@pytest.fixture
def reference_worker(spawn_worker: SpawnWorker) -> ReferenceWorker:
    """Start the reference worker with fault `switches`; `spec` goes to its WorkerSpec."""

    def start(*switches: str, **spec: Any) -> WorkerProcess:
        return spawn_worker(WorkerSpec(argv=(*REFERENCE, *switches), **spec))

    return start


@pytest.fixture
def pexpect_spawn(processes: Processes) -> Callable[..., pexpect.spawn[str]]:
    """`pexpect.spawn(command, args, ...)` on a pseudo-terminal, closed at the end of the test."""
    return processes.pty


@pytest.fixture
def real_sleep() -> Callable[[float], None]:
    """`time.sleep` for a test that must wait on the clock: using it marks the test `waits`."""
    return time.sleep


# --- golden files -------------------------------------------------------------------------------


class Golden(Protocol):
    def __call__(self, name: str, got: str) -> None: ...


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Assert that `got` equals tests/golden/NAME; `pytest --update-golden` rewrites the file."""
    update = bool(request.config.getoption("--update-golden"))

    def compare(name: str, got: str) -> None:
        path = GOLDEN / name
        if update:
            path.write_text(got, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"{path} is missing: write it with `pytest --update-golden` and review it")
        assert got == path.read_text(encoding="utf-8"), (
            f"{name} differs from {path} (after an intended change: pytest --update-golden)"
        )

    return compare


def pytest_collection_finish(session: pytest.Session) -> None:
    """The garbage collector leaves alone what collection imported and built (frozen: it will
    live as long as the session), and runs less often: the tests make many short-lived objects,
    and each full collection walked the whole heap again (2-4 s of a worker's CPU)."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)

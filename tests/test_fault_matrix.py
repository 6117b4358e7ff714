"""The fault matrix: however a command ends, no worker outlives it and no evidence or secret is
mishandled.

Every command (ping, doctor, run-scenario, triage, report, patterns) is ended each way (SIGKILL,
SIGHUP, SIGTERM, one Ctrl-C, two Ctrl-Cs) at start-up, mid-run and mid-shutdown, against a
worker that ignores signals and spins at end of input, with secrets planted in poolctl's
environment, the worker's environment, its command line and its stderr. Each cell asserts:
- the documented exit code (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP; -9 for SIGKILL), and
  "interrupted" said;
- no process of the cell left 2 s after poolctl ended (poolctl, its workers, their children,
  the reaper);
- the trace and the captures on disk, and a report marked interrupted in the run folder;
- no planted secret in any file of the run folder nor in what poolctl printed (after SIGKILL,
  once the next command has scrubbed the folder, which it says).

Each poolctl is a real process, forked from a server that imported poolctl once
(`tests/forkserver.py`): importing poolctl costs over a second of CPU, and there are 85 cells.
The cells of a command run side by side; no worker is shared between cells.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from poolctl.rundir import BASE_ENV, run_folders
from tests.conftest import REFERENCE, Processes, live_with_env
from tests.forkserver import Forkserver

ENV_SECRET = "mtx-Env-Secret-4f1c9b2e"  # in poolctl's own environment
WORKER_SECRET = "mtx-Wrk-Secret-7d0a3c55"  # in the worker's environment (--env, a scenario's)
ARGV_SECRET = "mtx-Argv-Secret-19be6f"  # on the worker's command line (--api-key)
PASSWORD = "mtx-Pw-8c4d2a"  # after `password=` in the worker's stderr
TOKEN = "ghp_" + "Mtx7Kq2Lp9Zr4Wn6Yb3V" * 2  # a GitHub token, glued to a word in stderr
SECRETS = (ENV_SECRET, WORKER_SECRET, ARGV_SECRET, PASSWORD, TOKEN)
NOISE = f"boot {ENV_SECRET} {WORKER_SECRET} password={PASSWORD} ID{TOKEN}"
# In a log, a worker's environment is unknown: only what has a secret's shape can be found.
LOG_NOISE = f"boot {ENV_SECRET} password={PASSWORD} ID{TOKEN} --api-key {ARGV_SECRET}"
LOG_SECRETS = (ENV_SECRET, ARGV_SECRET, PASSWORD, TOKEN)
STUBBORN: tuple[str, ...] = (*REFERENCE, "--ignore-signals", "--spin-on-eof")
STUBBORN += ("--stderr-noise", NOISE, "--api-key", ARGV_SECRET)
CELL_ENV = "POOLCTL_TEST_CELL"

ENDINGS: dict[str, tuple[signal.Signals, ...]] = {
    "sigkill": (signal.SIGKILL,),
    "sighup": (signal.SIGHUP,),
    "sigterm": (signal.SIGTERM,),
    "ctrl-c": (signal.SIGINT,),
    "ctrl-c-twice": (signal.SIGINT, signal.SIGINT),
}
EXIT_CODES = {"sigkill": -9, "sighup": 129, "sigterm": 143, "ctrl-c": 130, "ctrl-c-twice": 130}
PHASES = ("start-up", "mid-run", "mid-shutdown")
LOG = Path(__file__).parent / "fixtures" / "pytest" / "pool_suite.txt"
PLANTED_LOG_LINE = "E               poolkit.PoolShutdownError: pool 'pool_c' is shutting down"


@dataclass
class Cell:
    """One command, one phase, one ending, in a folder of its own."""

    command: str
    phase: str
    ending: str
    folder: Path
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def base(self) -> Path:
        return self.folder / "reports"

    def run_dir(self) -> Path | None:
        folders = run_folders(self.base)
        return folders[0] if folders else None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
        env.update({CELL_ENV: self.marker, BASE_ENV: str(self.base), "MATRIX_API_KEY": ENV_SECRET})
        env.pop("PYTHONUNBUFFERED", None)
        return env

    def __str__(self) -> str:
        return f"{self.command}/{self.phase}/{self.ending}"


def marked(marker: str) -> list[str]:
    """The live processes of a cell: every process carrying its marker."""
    return live_with_env(CELL_ENV, marker)


def wait_for(reached: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not reached():
        assert time.monotonic() < end, f"never reached: {what}"
        time.sleep(0.02)


def file_holds(path: Path | None, text: str) -> bool:
    try:
        return path is not None and text.encode() in path.read_bytes()
    except OSError:
        return False


def leaks(
    *folders: Path, texts: tuple[str, ...] = (), secrets: tuple[str, ...] = SECRETS
) -> list[str]:
    found = [f"{s} in output {i}" for i, t in enumerate(texts) for s in secrets if s in t]
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file() and not p.name.startswith(".poolctl-"):
                data = p.read_bytes()
                found += [f"{s} in {p}" for s in secrets if s.encode() in data]
    return found


# --- the commands, and how each phase is reached -------------------------------------------
class Plan:
    """A command's argv for a cell, what it needs first, and when the cell's phase is on."""

    def __init__(self, cell: Cell, prepared: Path) -> None:
        self.cell = cell
        self.prepared = prepared  # what every cell of a command shares: a saved run folder, a log
        self.stdin: Path | None = None
        self.writer: int | None = None  # the test's end of a FIFO the command reads

    def fifo(self, name: str) -> Path:
        path = self.cell.folder / name
        os.mkfifo(path)
        return path

    def argv(self) -> list[str]:
        raise NotImplementedError

    def reached(self, pid: int, started: float) -> bool:
        raise NotImplementedError

    def evidence(self, run: Path) -> None:
        """The trace and the captures the phase left on disk."""

    def close(self) -> None:
        if self.writer is not None:
            os.close(self.writer)
            self.writer = None


class PingPlan(Plan):
    def argv(self) -> list[str]:
        phase = self.cell.phase
        worker = list(STUBBORN)
        options = ["ping", "--env", f"WORKER_TOKEN={WORKER_SECRET}"]
        options += ["--env", f"POOLCTL_DEBUG_LOG={self.cell.folder / 'debug.log'}"]
        if phase == "start-up":
            worker += ["--init-delay", "60"]
        elif phase == "mid-run":  # no answer: the diagnosis runs (stack dumps, waiting longer)
            worker += ["--init-delay", "60"]
            options += ["--timeout", "0.5"]
        return [*options, "--", *worker]

    def reached(self, pid: int, started: float) -> bool:
        run = self.cell.run_dir()
        if run is None or not file_holds(run / "workers" / "w1.stderr.log", "boot"):
            return False
        if self.cell.phase == "mid-run":
            return (run / "stack-w1.txt").exists()
        if self.cell.phase == "mid-shutdown":  # the worker saw end of input and spins
            return file_holds(self.cell.folder / "debug.log", " eof ")
        return True

    def evidence(self, run: Path) -> None:
        assert file_holds(run / "workers" / "w1.stderr.log", "boot")
        assert (run / "workers" / "w1.stdout.bin").exists()
        if self.cell.phase == "mid-shutdown":  # the answer it wrote, on disk as it came
            assert file_holds(run / "workers" / "w1.stdout.bin", '"status":"ok"')


class DoctorPlan(Plan):
    def argv(self) -> list[str]:
        worker = list(STUBBORN)
        options = ["doctor", "--env", f"WORKER_TOKEN={WORKER_SECRET}"]
        options += ["--env", f"POOLCTL_DEBUG_LOG={self.cell.folder / 'debug.log'}"]
        if self.cell.phase != "mid-shutdown":
            worker += ["--init-delay", "60"]
        if self.cell.phase == "mid-run":
            options += ["--timeout", "0.5"]
        return [*options, "--", *worker]

    def reached(self, pid: int, started: float) -> bool:
        run = self.cell.run_dir()
        if run is None or not file_holds(run / "workers" / "probe.stderr.log", "boot"):
            return False
        if self.cell.phase == "mid-run":
            return (run / "stack-probe.txt").exists()
        if self.cell.phase == "mid-shutdown":
            return file_holds(self.cell.folder / "debug.log", " eof ")
        return True

    def evidence(self, run: Path) -> None:
        assert file_holds(run / "workers" / "probe.stderr.log", "boot")


SCENARIO = """\
name: matrix
worker:
  command: {command}
  env: {{WORKER_TOKEN: "{secret}"}}
  init_timeout: 60
pool: {{size: 2, stop_grace: 30, request_timeout: 60}}
steps:
{steps}
"""
SCENARIO_STEPS = {
    "start-up": "  - sleep: 1",
    "mid-run": "  - request: {command: sleep, args: {seconds: 60}, count: 2, concurrency: 2}",
    "mid-shutdown": (
        "  - request: {command: ping, count: 2}\n  - stop_pool: {mode: drain, grace: 30}"
    ),
}


class ScenarioPlan(Plan):
    def argv(self) -> list[str]:
        worker = list(STUBBORN)
        if self.cell.phase == "start-up":
            worker += ["--init-delay", "60"]
        command = json.dumps(["{python}", *worker[1:]])
        path = self.cell.folder / "matrix.yaml"
        steps = SCENARIO_STEPS[self.cell.phase]
        path.write_text(SCENARIO.format(command=command, secret=WORKER_SECRET, steps=steps))
        return ["run-scenario", str(path), "-q"]

    def reached(self, pid: int, started: float) -> bool:
        run = self.cell.run_dir()
        if run is None:
            return False
        events = _read(run / "events.jsonl")
        stderr = [run / "workers" / f"w{i}.stderr.log" for i in (1, 2)]
        if not all(file_holds(p, "boot") for p in stderr):
            return False
        if self.cell.phase == "start-up":
            return events.count('"type":"init_start"') == 2
        if self.cell.phase == "mid-run":
            return events.count('"type":"request"') == 2
        debug_logs = [run / "workers" / f"w{i}.debug.log" for i in (1, 2)]
        return '"type":"shutdown_begun"' in events and any(
            file_holds(p, " eof ") for p in debug_logs
        )

    def evidence(self, run: Path) -> None:
        events = _read(run / "events.jsonl")  # flushed as it went: on disk even after SIGKILL
        assert '"type":"spawn"' in events, events
        wanted = {"start-up": "init_start", "mid-run": "request", "mid-shutdown": "shutdown_begun"}
        assert f'"type":"{wanted[self.cell.phase]}"' in events, events
        assert file_holds(run / "workers" / "w1.stderr.log", "boot")


class TriagePlan(Plan):
    """Start-up: the signal arrives as it starts. Mid-run: it reads a log from a pipe that
    stays open. Mid-shutdown: its report is saved and it writes it to a pipe nobody reads."""

    def argv(self) -> list[str]:
        if self.cell.phase == "mid-run":
            self.stdin = self.fifo("log.fifo")
            return ["triage", "-"]
        argv = ["triage", str(self.prepared / "planted.log")]
        if self.cell.phase == "mid-shutdown":
            argv += ["--output", str(self.fifo("out.fifo"))]
        return argv

    def opened(self) -> None:
        if self.stdin is not None:  # the writer's end, opened once poolctl opened the other
            self.writer = os.open(self.stdin, os.O_WRONLY)
            os.write(self.writer, (self.prepared / "planted.log").read_bytes()[:20000])

    def reached(self, pid: int, started: float) -> bool:
        if self.cell.phase == "start-up":
            return True
        run = self.cell.run_dir()
        if self.cell.phase == "mid-run":
            return run is not None and time.monotonic() - started > 0.3
        return run is not None and (run / "report.json").exists()


class ReportPlan(Plan):
    """No run folder of its own. Mid-run: it reads a report.json that is a pipe nobody
    writes; mid-shutdown: it writes its output to a pipe nobody reads."""

    def argv(self) -> list[str]:
        if self.cell.phase == "mid-run":
            folder = self.cell.folder / "saved"
            folder.mkdir()
            os.mkfifo(folder / "report.json")
            return ["report", str(folder / "report.json")]
        argv = ["report", str(self.prepared / "saved")]
        if self.cell.phase == "mid-shutdown":
            argv += ["--output", str(self.fifo("out.fifo"))]
        return argv

    def reached(self, pid: int, started: float) -> bool:
        # nothing else to do before the pipe: by then it is blocked on it
        return self.cell.phase == "start-up" or time.monotonic() - started > 0.7


class PatternsPlan(Plan):
    """Mid-run: `patterns test` reads a log from a pipe that stays open; mid-shutdown:
    `patterns new` writes its starter pattern to a pipe nobody reads."""

    def argv(self) -> list[str]:
        if self.cell.phase == "mid-run":
            self.stdin = self.fifo("log.fifo")
            return ["patterns", "test", "port-no-response", "-"]
        if self.cell.phase == "mid-shutdown":
            cluster = (self.prepared / "cluster").read_text().strip()
            out = self.fifo("starter.yaml")
            log = str(self.prepared / "planted.log")
            return [
                "patterns",
                "new",
                "--from",
                log,
                "--cluster",
                cluster,
                "-o",
                str(out),
                "--force",
            ]
        return ["patterns", "list"]

    opened = TriagePlan.opened

    def reached(self, pid: int, started: float) -> bool:
        return self.cell.phase == "start-up" or time.monotonic() - started > 0.7


PLANS: dict[str, type[Plan]] = {
    "ping": PingPlan,
    "doctor": DoctorPlan,
    "run-scenario": ScenarioPlan,
    "triage": TriagePlan,
    "report": ReportPlan,
    "patterns": PatternsPlan,
}
WORKERS = ("ping", "doctor", "run-scenario")  # the commands that start workers


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


# --- running a cell ------------------------------------------------------------------------
def run_cell(server: Forkserver, cell: Cell, prepared: Path) -> None:
    cell.folder.mkdir(parents=True)
    plan = PLANS[cell.command](cell, prepared)
    out, err = cell.folder / "stdout.txt", cell.folder / "stderr.txt"
    argv = plan.argv()
    started = time.monotonic()
    # A command without workers starts in milliseconds: its start-up is held until the
    # signals are sent, which then arrive as it starts.
    held = cell.phase == "start-up" and cell.command not in WORKERS
    hold = cell.folder / "go" if held else None
    pid = server.start(
        argv, env=cell.env(), cwd=cell.folder, stdout=out, stderr=err, stdin=plan.stdin, hold=hold
    )
    try:
        opened = getattr(plan, "opened", None)
        if opened is not None:
            opened()
        wait_for(lambda: plan.reached(pid, started) or server.wait(pid, 0) is not None, str(cell))
        assert server.wait(pid, 0) is None, f"{cell}: ended before its phase: {_read(err)}"
        for i, sig in enumerate(ENDINGS[cell.ending]):
            if i:
                time.sleep(0.1)  # the second Ctrl-C comes while it stops (if it has not yet)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, sig) if sig is not signal.SIGKILL else os.kill(pid, sig)
        if hold is not None:
            hold.touch()
        code = server.wait(pid, 10)
        stuck = "" if code is not None else stacks_of(pid)  # before the writer closes
    finally:
        plan.close()
    assert code is not None, (
        f"{cell}: still running 10 s after the signal; stderr: {_read(err)}\n{stuck}"
    )
    check_cell(server, cell, plan, code, out, err)


def stacks_of(pid: int) -> str:
    """Where a command that outlived its signal is stuck: its threads' Python stacks, and its
    signal masks and process group as the kernel has them."""
    from poolctl.diagnose.pystack import PyStack, dump

    stack = dump(pid, timeout=10)
    shown = stack.text() if isinstance(stack, PyStack) else f"no stack: {stack.reason}"
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        shown += "\n" + "; ".join(ln for ln in status if ln.startswith(("Sig", "ShdPnd")))
        shown += f"; pgid {os.getpgid(pid)}"
    return shown


def check_cell(server: Forkserver, cell: Cell, plan: Plan, code: int, out: Path, err: Path) -> None:
    end = time.monotonic() + 2.0
    while marked(cell.marker) and time.monotonic() < end:
        time.sleep(0.05)
    left = marked(cell.marker)
    assert not left, f"{cell}: processes left 2 s after poolctl ended: {left}"
    assert code == EXIT_CODES[cell.ending], f"{cell}: exit {code}; stderr: {_read(err)}"
    run = cell.run_dir()
    has_folder = cell.command in (*WORKERS, "triage") and not (
        cell.command == "triage" and cell.phase == "start-up"
    )
    if has_folder:
        assert run is not None, f"{cell}: no run folder"
        plan.evidence(run)
    if cell.ending != "sigkill":
        said = _read(err)
        assert f"interrupted by {ENDINGS[cell.ending][0].name}" in said, f"{cell}: {said}"
        if run is not None:
            report = json.loads((run / "report.json").read_text())
            assert report["interrupted"] == ENDINGS[cell.ending][0].name, f"{cell}: {report}"
            if cell.command != "triage":  # a triage keeps report.json alone (`poolctl report`)
                assert run.joinpath("junit.xml").exists() and run.joinpath("report.md").exists()
    if run is not None and run.joinpath(".poolctl-unscrubbed").exists():
        # the next command scrubs what a killed (or hurried) one could not, and says so
        after = cell.folder / "after.txt"
        pid = server.start(
            ["patterns", "list"], env=cell.env(), cwd=cell.folder, stdout=out, stderr=after
        )
        assert server.wait(pid, 30) == 0
        assert "scrubbed secrets from 1 run folder(s)" in _read(after), _read(after)
        assert not run.joinpath(".poolctl-unscrubbed").exists()
    folders = (run,) if run is not None else ()
    secrets = SECRETS if cell.command in WORKERS else LOG_SECRETS
    problems = leaks(*folders, texts=(_read(out), _read(err)), secrets=secrets)
    assert not problems, f"{cell}: {problems}"


# --- the tests -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def forkserver(module_processes: Processes) -> Iterator[Forkserver]:
    """One server for the module's tests (its start imports every command, about half a second
    of CPU): each cell's poolctl is a child of its own, forked for it, in a folder of its own."""
    proc = module_processes.popen(Forkserver.argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    server = Forkserver(proc)
    yield server
    server.close()


def prepare(server: Forkserver, command: str, folder: Path) -> Path:
    """What the cells of `command` share, made once: a log with the secrets planted, and for
    `report` a saved run folder, for `patterns new` a cluster of that log."""
    folder.mkdir(parents=True)
    text = LOG.read_text()
    assert PLANTED_LOG_LINE in text
    planted = f"{PLANTED_LOG_LINE} [{LOG_NOISE}]"
    (folder / "planted.log").write_text(text.replace(PLANTED_LOG_LINE, planted))
    env = {**os.environ, BASE_ENV: str(folder / "reports"), "MATRIX_API_KEY": ENV_SECRET}
    if command in ("report", "patterns"):
        out = folder / "triage.json"
        argv = ["triage", str(folder / "planted.log"), "-f", "json", "-o", str(out)]
        argv += ["--run-dir", str(folder / "saved")]
        pid = server.start(argv, env=env, cwd=folder, stdout=folder / "o", stderr=folder / "e")
        assert server.wait(pid, 60) == 1, _read(folder / "e")
        clusters = json.loads(out.read_text())["clusters"]
        (folder / "cluster").write_text(clusters[0]["id"])
    return folder


@pytest.mark.parametrize("command", list(PLANS))
def test_every_ending_of_every_command(
    command: str, forkserver: Forkserver, tmp_path: Path
) -> None:
    prepared = prepare(forkserver, command, tmp_path / "prepared")
    cells = [
        Cell(command, phase, ending, tmp_path / f"{phase}-{ending}")
        for phase in PHASES
        for ending in ENDINGS
    ]
    with ThreadPoolExecutor(max_workers=len(cells)) as pool:
        futures = [pool.submit(run_cell, forkserver, cell, prepared) for cell in cells]
        errors = []
        for cell, future in zip(cells, futures, strict=True):
            try:
                future.result()
            except AssertionError as exc:
                errors.append(f"{cell}: {exc}")
    assert not errors, "\n".join(errors)

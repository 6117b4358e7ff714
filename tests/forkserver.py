"""A fork server for tests that run `poolctl` as a program many times: importing poolctl takes
over a second of CPU, so this process imports it once and forks a child per command.

Each child is a real, separate `poolctl` process: it runs `poolctl.lifecycle.main` (the
program's entry point: signal handlers, subreaper, reaper, exit code) with its own argv,
environment, working directory and standard streams, in a process group of its own (a
terminal's Ctrl-C reaches the foreground group: `os.killpg(pid, SIGINT)` is that Ctrl-C). Only
the interpreter's start and the imports are shared. Signals are blocked from the fork until
poolctl's handlers are in place, as if they had arrived during its start-up.

Protocol, one JSON object a line: the test writes `{"id", "argv", "env", "cwd", "stdin",
"stdout", "stderr", "hold"}` (paths; stdin may be null; with `hold`, the child starts the
command only once that file exists: signals sent before arrive as it starts), the server
answers `{"id", "pid"}` once the child runs, and `{"pid", "code"}` when it ends (its exit
code; -N for signal N).

Run as `python tests/forkserver.py`; the tests start it through `Forkserver` below.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
PID_WAIT = 120.0  # seconds a request waits for its child's pid, the server's start included
# What a command imports only once it runs (a report writer, a log parser, the pool, the ping's
# diagnosis, the YAML parser): imported here too, so that no child pays for it again.
RUN_TIME_IMPORTS = (
    "poolctl.doctor",
    "poolctl.logs.archive",
    "poolctl.logs.exunit",
    "poolctl.logs.junit",
    "poolctl.logs.passes",
    "poolctl.logs.pytest_log",
    "poolctl.ping",
    "poolctl.report.github",
    "poolctl.report.html",
    "poolctl.report.junit",
    "poolctl.report.markdown",
    "poolctl.report.pictures",
    "poolctl.report.terminal",
    "poolctl.scenario.report",
    "poolctl.yamlfile",
)


def _child(request: Mapping[str, Any]) -> None:
    """In the forked child: become the requested `poolctl` command, then exit with its code."""
    code = 99
    try:
        os.setpgid(0, 0)
        stdin = request.get("stdin") or os.devnull
        fds = [
            os.open(stdin, os.O_RDONLY),
            os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        ]
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        for sig in HANDLED:
            signal.signal(sig, signal.SIG_DFL)
        hold = request.get("hold")
        while hold and not os.path.exists(hold):  # signals sent meanwhile wait, blocked
            time.sleep(0.005)
        from poolctl.lifecycle import main

        code = main(list(request["argv"]))
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def serve() -> None:
    """Read requests on stdin, fork a child for each, report pids and exit codes."""
    import poolctl.app
    import poolctl.lifecycle
    from poolctl.commands.index import COMMANDS

    for entry in COMMANDS:  # the app imports a command when it runs: here, all of them, once
        poolctl.app.load_command(entry)
    for name in RUN_TIME_IMPORTS:
        importlib.import_module(name)

    gc.freeze()  # the children share these pages: no collection of the parent's writes to them

    out = sys.stdout
    live: set[int] = set()
    buffer = b""
    while True:
        ready, _, _ = select.select([0], [], [], 0.02)
        if ready:
            chunk = os.read(0, 65536)
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
                pid = os.fork()
                if pid == 0:
                    _child(request)
                with contextlib.suppress(OSError):  # both sides: the group exists once told
                    os.setpgid(pid, pid)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED)
                live.add(pid)
                out.write(json.dumps({"id": request["id"], "pid": pid}) + "\n")
                out.flush()
        for pid in list(live):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                live.discard(pid)
                out.write(json.dumps({"pid": pid, "code": os.waitstatus_to_exitcode(status)}))
                out.write("\n")
                out.flush()
    for pid in live:
        os.killpg(pid, signal.SIGKILL)


class Forkserver:
    """The test's side: start commands, learn their pids and exit codes."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self._next = 0
        self._pids: dict[int, int] = {}
        self._codes: dict[int, int] = {}
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @staticmethod
    def argv() -> list[str]:
        return [sys.executable, str(Path(__file__).resolve())]

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            message = json.loads(line)
            with self._changed:
                if "id" in message:
                    self._pids[message["id"]] = message["pid"]
                else:
                    self._codes[message["pid"]] = message["code"]
                self._changed.notify_all()

    def start(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        stdout: Path,
        stderr: Path,
        stdin: Path | None = None,
        hold: Path | None = None,
    ) -> int:
        """Start `poolctl ARGV...` (once `hold` exists, when given); its pid."""
        assert self.proc.stdin is not None
        with self._changed:
            self._next += 1
            ident = self._next
        request = {
            "id": ident,
            "argv": list(argv),
            "env": dict(env),
            "cwd": str(cwd),
            "stdin": str(stdin) if stdin is not None else None,
            "stdout": str(stdout),
            "stderr": str(stderr),
            "hold": str(hold) if hold is not None else None,
        }
        stream: IO[bytes] = self.proc.stdin
        stream.write((json.dumps(request) + "\n").encode())
        stream.flush()
        with self._changed:
            # The first requests wait for the server's start too (its imports of every command:
            # 1.2 s of CPU): at a load of 23-28 on 2 cores all 16 cells of the module's first
            # command waited past 30 s, the server running. A fork is answered at once after.
            if not self._changed.wait_for(lambda: ident in self._pids, timeout=PID_WAIT):
                alive = "running" if self.proc.poll() is None else f"gone ({self.proc.returncode})"
                raise AssertionError(
                    f"the forkserver ({alive}) gave no pid for {argv} in {PID_WAIT:g} s"
                )
            return self._pids[ident]

    def wait(self, pid: int, timeout: float) -> int | None:
        """Its exit code (-N for signal N), or None if it still runs after `timeout` s."""
        end = time.monotonic() + timeout
        with self._changed:
            while pid not in self._codes:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)
            return self._codes[pid]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(10)


if __name__ == "__main__":
    serve()

"""Progress for people, on standard error: a rich live view on a terminal, plain lines
otherwise (`poolctl.termenv.use_color`: not a terminal, `TERM=dumb`, `NO_COLOR`, `CI=true`).

A pool run's progress is an `Observer` of its trace (`PlainProgress`, `LiveProgress`); a
triage's (`read_progress`) hears how many bytes of the logs are read; every other wait is
announced by the core through `poolctl.activity` and shown by `wait_display` (`LiveWaits`,
`PlainWaits`) once it has lasted half a second. The core never prints.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from poolctl.console import stderr_console
from poolctl.events import Event
from poolctl.protocol.server_version import version_shown
from poolctl.termenv import plain_environment
from poolctl.termtext import escape, visible
from poolctl.units import fmt_bytes

SHOW_AFTER = 0.5  # seconds a wait lasts before it is shown
PLAIN_EVERY = 2.0  # seconds between two plain lines of one wait

# Events worth a line of their own; per-request events only move the counters.
NOTABLE = frozenset(
    {
        "spawn",
        "init_end",
        "init_raised",
        "checkout_timeout",
        "worker_exit",
        "diagnosed_exit",
        "kill",
        "replace",
        "diagnosis",
        "shutdown_begun",
        "shutdown_done",
        "step_start",
        "step_error",
        "service_start",
        "service_missing",
        "expectation_failed",
        "interrupted",
        "stderr_capped",
    }
)


def describe(event: Event) -> str:
    """One readable line for a notable event."""
    d = event.data
    who = f"{event.worker} " if event.worker else ""
    match event.type:
        case "spawn":
            return f"{who}spawned (pid {d.get('pid')}{', overflow' if d.get('overflow') else ''})"
        case "init_end" if d.get("ok"):
            said = reported(d.get("reported"))
            return f"{who}ready after {d.get('seconds', 0):.3f} s" + (f", {said}" if said else "")
        case "init_end":
            return f"{who}init failed after {d.get('seconds', 0):.3f} s: {d.get('error')}"
        case "init_raised":
            return f"{who}init failed in poolctl: {d.get('error')}"
        case "checkout_timeout":
            return (
                f"{event.caller} checkout timed out after {d.get('waited', 0):.3f} s "
                f"(busy {d.get('busy')}, idle {d.get('idle')}, starting {d.get('starting')}, "
                f"waiting {d.get('waiting')})"
            )
        case "worker_exit":
            return f"{who}{d.get('exit')}"
        case "diagnosed_exit":
            return f"{who}{d.get('exit')} while its failed init was diagnosed"
        case "step_start":
            return f"step {d.get('step')}: {d.get('kind')}"
        case "call_failed":
            return f"{event.caller} failed: {d.get('error')}"
        case "expectation_failed":
            what = d.get("field") or d.get("error") or d.get("check")
            return f"{event.caller} expectation failed: {what}"
        case "diagnosis":
            return f"{who}diagnosis: {d.get('verdict')}"
        case "stderr_capped" if d.get("refused"):
            return f"{who}stopped: its stderr passed the cap, and {d.get('log')} takes no hole"
        case "stderr_capped":
            return (
                f"{who}stderr past the cap ({fmt_bytes(d.get('cap', 0))} on disk): the middle of "
                f"{d.get('log')} is dropped from here on, its first and last halves kept"
            )
        case _:
            shown = ", ".join(f"{k}={v}" for k, v in d.items() if v not in (None, [], {}))
            return f"{who}{event.type} {shown}".rstrip()


REPORTED_CHARS = 160  # a line per event: an init answer is cut, the trace keeps all of it


def reported(answer: Any) -> str:
    """What a worker's init answer says of it, on one line: an MCP or LSP server by its name,
    version and protocol (its capabilities and instructions run to pages), else the answer."""
    if not answer:
        return ""
    info = answer.get("serverInfo") if isinstance(answer, dict) else None
    if isinstance(info, dict):
        said = f"server {info.get('name')!r}"
        version = version_shown(info.get("version"))
        said += f" {version}" if version else ""
        version = answer.get("protocolVersion")
        return said + (f", protocol {version}" if version else "")
    text = f"reports {answer}"
    return text if len(text) <= REPORTED_CHARS else text[: REPORTED_CHARS - 1] + "…"


class PlainProgress:
    """Plain lines, one per notable event, for logs and CI."""

    def __init__(self, console: Console, prefix: str = "") -> None:
        self.console = console
        self.prefix = prefix

    def on_event(self, event: Event) -> None:
        if event.type in NOTABLE:
            self.console.print(
                f"{self.prefix}[dim]{event.t:7.3f}s[/] {escape(describe(event))}", highlight=False
            )


class LiveProgress:
    """A live view: each worker's state, waiters, requests done, the current step."""

    def __init__(self, console: Console, title: str) -> None:
        self.title = title
        self.workers: dict[str, str] = {}
        self.pids: dict[str, Any] = {}
        self.counts: Counter[str] = Counter()
        self.waiting = 0
        self.step = ""
        self.last = ""
        self.live = Live(
            console=console, refresh_per_second=8, transient=True, get_renderable=self.render
        )

    def __enter__(self) -> LiveProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    def on_event(self, event: Event) -> None:
        kind, worker = event.type, event.worker
        if kind == "spawn" and worker:
            self.workers[worker] = "starting"
            self.pids[worker] = event.data.get("pid")
        elif kind == "init_end" and worker:
            self.workers[worker] = "ready" if event.data.get("ok") else "init failed"
        elif kind == "checkout_requested":
            self.waiting += 1
        elif kind in ("checkout_granted", "checkout_timeout"):
            self.waiting = max(0, self.waiting - 1)
            if worker:
                self.workers[worker] = "busy"
        elif kind == "checkin" and worker and self.workers.get(worker) == "busy":
            self.workers[worker] = "ready"
        elif kind == "worker_exit" and worker:
            self.workers[worker] = "exited"
        elif kind == "step_start":
            self.step = f"step {event.data.get('step')}: {event.data.get('kind')}"
        self.counts[kind] += 1
        if kind in NOTABLE:
            self.last = describe(event)

    def render(self) -> Group:
        table = Table(title=self.title, show_edge=False, pad_edge=False)
        table.add_column("worker")
        table.add_column("pid")
        table.add_column("state")
        for worker, state in list(self.workers.items()):
            table.add_row(worker, str(self.pids.get(worker, "")), state)
        status = Text(
            f"{self.step}   waiting {self.waiting}   answered {self.counts['response']}   "
            f"timeouts {self.counts['checkout_timeout']}"
        )
        return Group(table, status, Text(visible(self.last), style="dim"))  # a worker's words


@dataclass
class _Wait:
    what: str
    started: float
    seconds: float | None
    total: int | None
    done: int = 0

    def text(self, now: float) -> str:
        """`waiting for an answer 2.1/3 s`, `testing 8 hypotheses (3 done)`, `running x… 5.2 s`."""
        elapsed = now - self.started
        if self.total is not None:
            return f"{self.what} ({self.done} done)"
        if self.seconds is not None:
            return f"{self.what} {elapsed:.1f}/{self.seconds:g} s"
        return f"{self.what} {elapsed:.1f} s"


class Waits:
    """The waits under way (the core's `activity.Display`); the oldest one is shown."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waits: dict[int, _Wait] = {}
        self._tokens = itertools.count(1)

    def begin(self, what: str, *, seconds: float | None = None, total: int | None = None) -> int:
        with self._lock:
            token = next(self._tokens)
            self._waits[token] = _Wait(what, time.monotonic(), seconds, total)
            return token

    def advance(self, token: int, done: int) -> None:
        with self._lock:
            wait = self._waits.get(token)
            if wait is not None:
                wait.done = done

    def end(self, token: int) -> None:
        with self._lock:
            self._waits.pop(token, None)

    def shown(self) -> tuple[int, _Wait] | None:
        """The oldest wait, once it has lasted `SHOW_AFTER`."""
        with self._lock:
            if not self._waits:
                return None
            token = min(self._waits)
            wait = self._waits[token]
        if time.monotonic() - wait.started < SHOW_AFTER:
            return None
        return token, wait

    def paused(self) -> contextlib.AbstractContextManager[None]:
        """Around output on standard output (a live view is taken off the screen meanwhile)."""
        return contextlib.nullcontext()

    def close(self) -> None:
        return None


class LiveWaits(Waits):
    """A spinner and the wait's text, redrawn in place on standard error; gone when it ends."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console
        self.spinner = Spinner("dots")
        self.live = self._live()
        self.live.start()

    def _live(self) -> Live:
        return Live(
            console=self.console,
            refresh_per_second=8,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
            get_renderable=self._render,
        )

    def _render(self) -> Any:
        shown = self.shown()
        if shown is None:
            return Text("")
        self.spinner.text = Text(shown[1].text(time.monotonic()), style="dim")
        return self.spinner

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        self.live.stop()
        try:
            yield
        finally:
            self.live = self._live()
            self.live.start()

    def close(self) -> None:
        self.live.stop()


class PlainWaits(Waits):
    """A plain line on standard error when a wait has lasted half a second, when its count of
    steps done changes, and every `PLAIN_EVERY` seconds while it lasts."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console
        self._said: dict[int, tuple[float, int]] = {}  # token: (when, done) last printed
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="poolctl-progress", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(0.1):
            self.say()

    def say(self) -> None:
        """Print the shown wait's line if it is due."""
        shown = self.shown()
        if shown is None:
            return
        token, wait = shown
        now = time.monotonic()
        last = self._said.get(token)
        if last is None or wait.done != last[1] or now - last[0] >= PLAIN_EVERY:
            self._said[token] = (now, wait.done)
            self.console.print(escape(wait.text(now)), highlight=False)

    def close(self) -> None:
        self._stop.set()
        self._ticker.join()


@contextlib.contextmanager
def wait_display(quiet: bool = False) -> Iterator[Waits]:
    """The display of the core's waits for this command, on standard error (a `LiveWaits` on a
    terminal, `PlainWaits` elsewhere; nothing shown with `-q`), installed for its duration."""
    from poolctl import activity

    console = stderr_console()
    display: Waits
    if quiet:
        display = Waits()
    elif console.is_terminal:
        display = LiveWaits(console)
    else:
        display = PlainWaits(console)
    try:
        with activity.shown(None if quiet else display):
            yield display
    finally:
        display.close()


# --- reading logs (triage) -------------------------------------------------------------------
def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


class PlainReadProgress:
    """A line every `PLAIN_EVERY` seconds: how much of the logs is read (none for a quick read)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.start = time.monotonic()
        self.last = self.start

    def on_read(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < PLAIN_EVERY:
            return
        self.last = now
        text = f"{done * 100 // total}% of {_mb(total)}" if total else _mb(done)
        self.console.print(
            f"poolctl: reading the logs: {text} ({now - self.start:.0f} s)",
            markup=False,
            highlight=False,
        )


class LiveReadProgress:
    """A rich progress bar of the bytes read (of the total, when it is known)."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.bar = Progress(
            "reading the logs",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.task = self.bar.add_task("read", total=None)

    def on_read(self, done: int, total: int | None) -> None:
        self.bar.update(self.task, completed=done, total=total)


def plain_text_wanted(console: Console) -> bool:
    """Only plain text: not a terminal, a dumb one, or an environment that asks for it
    (`poolctl.termenv.plain_environment`)."""
    return not console.is_terminal or console.is_dumb_terminal or plain_environment()


@contextlib.contextmanager
def read_progress(
    console: Console, *, quiet: bool = False
) -> Iterator[PlainReadProgress | LiveReadProgress | None]:
    """How far the reading of the logs is, on `console` (standard error) while it runs;
    nothing with `-q`."""
    if quiet:
        yield None
        return
    if plain_text_wanted(console):
        yield PlainReadProgress(console)
        return
    live = LiveReadProgress(console)
    with live.bar:
        yield live

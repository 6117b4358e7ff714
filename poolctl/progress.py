"""Progress for people: a rich live view on a terminal, plain lines otherwise.

A pool run's are `Observer`s of the trace; a triage's (`read_progress`) hears how many bytes of
the logs are read. The core never prints.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from poolctl.events import Event

# Events worth a line of their own; per-request events only move the counters.
NOTABLE = frozenset(
    {
        "spawn",
        "init_end",
        "checkout_timeout",
        "worker_exit",
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
            return f"{who}ready after {d.get('seconds', 0):.3f} s, reports {d.get('reported')}"
        case "init_end":
            return f"{who}init failed after {d.get('seconds', 0):.3f} s: {d.get('error')}"
        case "checkout_timeout":
            return (
                f"{event.caller} checkout timed out after {d.get('waited', 0):.3f} s "
                f"(busy {d.get('busy')}, idle {d.get('idle')}, starting {d.get('starting')}, "
                f"waiting {d.get('waiting')})"
            )
        case "worker_exit":
            return f"{who}{d.get('exit')}"
        case "step_start":
            return f"step {d.get('step')}: {d.get('kind')}"
        case "call_failed":
            return f"{event.caller} failed: {d.get('error')}"
        case "expectation_failed":
            what = d.get("field") or d.get("error") or d.get("check")
            return f"{event.caller} expectation failed: {what}"
        case "diagnosis":
            return f"{who}diagnosis: {d.get('verdict')}"
        case _:
            shown = ", ".join(f"{k}={v}" for k, v in d.items() if v not in (None, [], {}))
            return f"{who}{event.type} {shown}".rstrip()


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
        return Group(table, status, Text(self.last, style="dim"))


# --- reading logs (triage) -------------------------------------------------------------------
PLAIN_EVERY = 2.0  # seconds between two plain progress lines (a quick read prints none)


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


class PlainReadProgress:
    """A line now and then: how much of the logs is read (nothing for a read under 2 s)."""

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
    """Only plain text: not a terminal, a dumb one, `NO_COLOR` set, or a CI job."""
    return (
        not console.is_terminal
        or console.is_dumb_terminal
        or "NO_COLOR" in os.environ
        or os.environ.get("CI", "").lower() == "true"
    )


@contextmanager
def read_progress(console: Console) -> Iterator[PlainReadProgress | LiveReadProgress]:
    """How far the reading of the logs is, on `console` (standard error) while it runs."""
    if plain_text_wanted(console):
        yield PlainReadProgress(console)
        return
    live = LiveReadProgress(console)
    with live.bar:
        yield live

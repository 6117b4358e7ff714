"""Progress of a pool run for people: a rich live view on a terminal, plain lines otherwise.

Both are `Observer`s of the trace; the core never prints.
"""

from __future__ import annotations

from collections import Counter
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

"""Long waits, announced: the core says what it waits for, a display shows it to people.

The core never prints. Code that may wait (an answer, a diagnosis, a doctor section) wraps the
wait in `waiting(...)` or `counting(...)`; the CLI installs a display with `shown(display)`
(`poolctl.progress` draws it with rich on a terminal, as plain lines elsewhere). Without a
display these calls cost a global lookup. Waits may overlap (doctor's sections and the probes
inside them run in threads): each has its own token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol


class Display(Protocol):
    """What the core's waits are shown on."""

    def begin(self, what: str, *, seconds: float | None = None, total: int | None = None) -> int:
        """A wait starts: `what` (`waiting for an answer`), bounded by `seconds`, or made of
        `total` steps (`testing 8 hypotheses`); returns its token."""
        ...

    def advance(self, token: int, done: int) -> None:
        """`done` of that wait's steps are done."""
        ...

    def end(self, token: int) -> None:
        """That wait is over."""
        ...


_display: Display | None = None


@contextlib.contextmanager
def shown(display: Display | None) -> Iterator[None]:
    """Show the waits of the code inside on `display` (None: on nothing)."""
    global _display
    before, _display = _display, display
    try:
        yield
    finally:
        _display = before


@contextlib.contextmanager
def waiting(what: str, seconds: float | None = None) -> Iterator[None]:
    """A wait of at most `seconds` (None: unbounded) for `what`."""
    display = _display
    if display is None:
        yield
        return
    token = display.begin(what, seconds=seconds)
    try:
        yield
    finally:
        display.end(token)


def active() -> bool:
    """Is a display installed (is it worth computing what a wait has done)?"""
    return _display is not None


def _nothing(done: int) -> None:
    return None


@contextlib.contextmanager
def counting(what: str, total: int) -> Iterator[Callable[[int], None]]:
    """A wait made of `total` steps; it yields `advance(done)`, which says how many are done."""
    display = _display
    if display is None:
        yield _nothing
        return
    token = display.begin(what, total=total)
    try:
        yield lambda done: display.advance(token, done)
    finally:
        display.end(token)


__all__ = ["Display", "active", "counting", "shown", "waiting"]

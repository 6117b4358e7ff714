"""The one interface every report writer implements: `render(report) -> str`, no I/O."""

from __future__ import annotations

from typing import Protocol

from poolctl.model import Report


class Writer(Protocol):
    """Turns a `Report` (of any kind) into text; the CLI decides where the text goes."""

    def render(self, report: Report) -> str:
        """The whole report as one string."""
        ...

"""The cyclic garbage collector, paused while poolctl starts.

Starting a command creates some hundred thousand objects that live as long as the process (the
modules, their classes and functions, typer's and pydantic's), and almost no garbage. The
collector would go over them again and again as they are made; a triage of a two-test log spent
about a tenth of its CPU time there. `pause` stops it when the program starts (`poolctl.cli`);
`resume`, as the command's own code begins (`poolctl.app`), moves every object made so far out of
the collector's sight (`gc.freeze`: they are not garbage) and lets it run again.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop the collector until `resume` (a collector someone else stopped stays stopped)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Let the collector run again, without the objects made while it was paused."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()

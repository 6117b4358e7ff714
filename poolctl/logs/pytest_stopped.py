"""pytest runs that stopped before their last test, as their own lines say: `-x` or `--maxfail`
(`!!!!! stopping after 1 failures !!!!!`), `--sw` (stepwise: `!!!!! Interrupted: Test failed,
continuing from this test next run. !!!!!`), and pytest-xdist's `--max-worker-restart` reached
(`==== xdist: worker gw1 crashed and worker restarting disabled ====`). The tests after the stop
did not run: the report says so in a note, since no failure stands for them."""

from __future__ import annotations

import re

_STOPPED_RE = re.compile(r"^!+ stopping after (\d+) failures? !+\s*$")
STEPWISE = "Interrupted: Test failed, continuing from this test next run."
_STEPWISE_RE = re.compile(rf"^!+ {re.escape(STEPWISE)} !+\s*$")
# pytest-xdist's summary line once `--max-worker-restart` was reached (its two texts, as its
# dsession.py words them)
_XDIST_STOPPED_RE = re.compile(
    r"^=+ xdist: (worker \S+ crashed and worker restarting disabled"
    r"|maximum crashed workers reached: \d+) =+\s*$"
)


def stopped_note(name: str, number: int, line: str) -> str | None:
    """The note for line `number` of `name` when it says the run stopped early, else None."""
    stopped = _STOPPED_RE.match(line)
    if stopped is not None:
        return (
            f"{name}:{number}: pytest stopped after {stopped[1]} failure(s) (-x or --maxfail): "
            "the tests after it did not run, and are not triaged"
        )
    if _STEPWISE_RE.match(line):
        return (
            f"{name}:{number}: pytest stopped at the first failure (--sw, stepwise): the tests "
            "after it did not run, and are not triaged"
        )
    crashed = _XDIST_STOPPED_RE.match(line) if "xdist: " in line else None
    if crashed is not None:
        return (
            f"{name}:{number}: pytest-xdist stopped the run ('{crashed[1]}', "
            "--max-worker-restart): the tests not yet run did not run, and are not triaged"
        )
    return None

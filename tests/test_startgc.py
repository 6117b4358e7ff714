"""The garbage collector while poolctl starts (`poolctl.startgc`): paused by the program until
the command's own code begins, then running again without the objects the start made; left as
it was by a collector someone else stopped, and by `poolctl.cli.main` in a test's process."""

from __future__ import annotations

import gc
import json
import sys

import pytest

from poolctl import cli
from tests.conftest import Processes

# Runs the program (as `poolctl completion bash` would) in a fresh interpreter, its command
# function wrapped to note the collector's state when it begins; prints what it saw.
PROGRAM = """
import functools, gc, json, sys
{before}
import poolctl.commands.completion as completion
real = completion.completion_command
seen = {{}}

@functools.wraps(real)
def noted(*args, **kwargs):
    seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count())
    return real(*args, **kwargs)

completion.completion_command = noted
from poolctl.cli import program
# collections counted from the program's start: imports before it, compiled from source where
# no bytecode is cached (PYTHONDONTWRITEBYTECODE, a fresh copy), may collect before it runs
started = []
gc.callbacks.append(lambda phase, info: phase == "start" and not seen and started.append(1))
sys.argv = ["poolctl", "completion", "bash"]
code = program()
seen.update(code=code, collections_before=len(started), enabled_after=gc.isenabled())
sys.stderr.write(json.dumps(seen))
"""


def _seen(processes: Processes, before: str = "") -> dict[str, object]:
    done = processes.run([sys.executable, "-c", PROGRAM.format(before=before)], 60)
    assert "complete" in done.stdout, done.stderr  # the command ran: its script was printed
    seen: dict[str, object] = json.loads(done.stderr.rsplit("\n", 1)[-1])
    return seen


def test_the_program_collects_no_garbage_until_its_command_begins(processes: Processes) -> None:
    seen = _seen(processes)
    assert seen["code"] == 0
    assert seen["collections_before"] == 0  # not one collection while the modules were loaded
    assert seen["enabled"] is True and seen["enabled_after"] is True
    # the start's objects (modules, classes, typer's and pydantic's) are out of its sight
    frozen = seen["frozen"]
    assert isinstance(frozen, int) and frozen > 10_000


def test_a_collector_stopped_before_the_program_stays_stopped(processes: Processes) -> None:
    seen = _seen(processes, before="gc.disable()")
    assert seen["code"] == 0
    assert seen["enabled"] is False and seen["enabled_after"] is False
    assert seen["frozen"] == 0


@pytest.mark.parametrize("disabled", [False, True], ids=["enabled", "disabled"])
def test_main_in_a_test_process_leaves_the_collector_as_it_was(
    capsys: pytest.CaptureFixture[str], disabled: bool
) -> None:
    frozen = gc.get_freeze_count()
    if disabled:
        gc.disable()
    try:
        assert cli.main(["completion", "bash"]) == 0
        assert gc.isenabled() is not disabled
        assert gc.get_freeze_count() <= frozen  # nothing frozen (frozen objects may go)
    finally:
        gc.enable()
    assert "complete" in capsys.readouterr().out

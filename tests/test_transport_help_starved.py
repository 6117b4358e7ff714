"""A server's `--help`, read for the value that selects stdio, slowed by a loaded machine: it is
waited for as long as it waited for a CPU beside its 5 s."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from poolctl.diagnose.transport_help import HELP_WAIT, read_help
from poolctl.worker_types import WorkerSpec
from tests.conftest import Processes
from tests.test_diagnose_workers import WORKERS
from tests.test_stop_at_work import starving_cgroup

__all__ = ["starving_cgroup"]  # the fixture, used by name

pytestmark = pytest.mark.slow


def test_a_help_slow_for_want_of_a_cpu_is_read(processes: Processes, starving_cgroup: Path) -> None:
    """Before: `--help` was given 5 s of wall; at a load of 20 graphql-lsp's took longer, and the
    diagnosis named no stdio value (`-m stream`). Here 0.12 s of CPU at 2% of a CPU: 6 s."""
    argv = (sys.executable, str(WORKERS / "help_starved.py"), "server", "-m", "socket")
    spec = WorkerSpec(argv, env={"STARVE_CGROUP": str(starving_cgroup)})
    help_text = read_help(spec)
    assert "Can be one of: stream, node, socket." in help_text, (HELP_WAIT, help_text)

"""A scenario file changed or deleted while its run goes on: the run did what the file held
when it was read, and `Reproduce` names the file as it is now. The report says so, rather than
offer a command that runs something else, or nothing. The worker itself edits the file as it
starts (no timing involved)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli

SCENARIO = """\
name: edited-while-it-runs
worker:
  command: ["sh", "-c", {edit}]
  init_timeout: 10
pool:
  size: 1
  max_overflow: 0
  lazy: false
steps:
  - request:
      command: ping
      count: 2
expect:
  outcome: ok
"""


def run(run_cli: RunCli, tmp_path: Path, edit: str) -> list[str]:
    path = tmp_path / "edited.yaml"
    reference = shlex.join([sys.executable, "-m", "poolctl.workers.reference"])
    command = f"{edit} {shlex.quote(str(path))}; exec {reference}"
    path.write_text(SCENARIO.format(edit=json.dumps(command)))
    code, out, err = run_cli("run-scenario", str(path), "--json")
    assert code == 0, err
    notes: list[str] = json.loads(out)["notes"]
    return notes


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ("echo '# edited' >>", "changed while the run went on: it ran the file as it was read"),
        ("rm -f", "was deleted while the run went on: it ran the file as it was read"),
    ],
)
def test_a_scenario_file_edited_while_it_runs_is_said_so(
    run_cli: RunCli, tmp_path: Path, edit: str, said: str
) -> None:
    """Before: no note, and 'Reproduce poolctl run-scenario …/edited.yaml' for a file that now
    holds something else, or is gone."""
    notes = run(run_cli, tmp_path, edit)
    assert any(said in n for n in notes), notes


def test_a_scenario_file_left_as_it_was_gets_no_note(run_cli: RunCli, tmp_path: Path) -> None:
    notes = run(run_cli, tmp_path, "true")
    assert not any("the scenario file" in n for n in notes), notes

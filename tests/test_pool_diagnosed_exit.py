"""A pool worker whose failed init is being diagnosed is watched by no exit handler (the
diagnosis has it): one killed meanwhile ended with no event and no note, its death said
nowhere in the report. It is found ended as the diagnosis ends, and said so."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import RunCli

WORKER = Path(__file__).parent / "workers" / "first_copy_killed_while_starting.py"

# the first copy to start never reads its init ping (stuck starting): its diagnosis waits on it
# seconds more, and it is killed 3.5 s after it started, 1.5 s after its init failed; the
# other answers
SCENARIO = """\
name: killed-while-diagnosed
worker:
  command: [{python}, {worker}, {marker}, "3.5"]
  init_timeout: 2
pool: {{size: 2, max_overflow: 0, lazy: false, checkout_timeout: 10, request_timeout: 5}}
steps:
  - request: {{command: ping, count: 1}}
"""


def test_a_worker_killed_while_its_init_is_diagnosed_is_noted(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "scenario.yaml"
    marker = tmp_path / "first-copy"
    quoted = [json.dumps(str(p)) for p in (sys.executable, WORKER, marker)]
    path.write_text(SCENARIO.format(python=quoted[0], worker=quoted[1], marker=quoted[2]))
    run_dir = tmp_path / "run"
    code, out, err = run_cli("run-scenario", str(path), "--json", "--run-dir", str(run_dir))
    assert code == 1, err
    report = json.loads(out)
    (finding,) = report["findings"]
    assert finding["failure"]["kind"] == "init-no-response", finding["failure"]
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    (failed,) = [e["worker"] for e in events if e["type"] == "init_end" and not e["ok"]]
    (ended,) = [e for e in events if e["type"] == "diagnosed_exit"]
    assert ended["worker"] == failed and ended["exit"] == "killed by SIGKILL (9)"
    (note,) = [n for n in report["notes"] if n.startswith(f"worker {failed} ")]
    assert note.startswith(
        f"worker {failed} killed by SIGKILL (9) while the diagnosis of its failed init ran: "
        "found ended"
    ), note


CRASHES = """\
name: crashes-at-start
worker:
  command: [{python}, "-c", "import sys; sys.exit(3)"]
  init_timeout: 5
pool: {{size: 1, max_overflow: 0, lazy: false}}
steps:
  - request: {{command: ping, count: 1}}
"""


def test_a_worker_that_ended_before_its_diagnosis_is_not_said_to_end_during_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Its init failed because it exited: that exit is the pool's (worker_exit), not one
    during the diagnosis."""
    path = tmp_path / "scenario.yaml"
    path.write_text(CRASHES.format(python=json.dumps(sys.executable)))
    run_dir = tmp_path / "run"
    code, out, err = run_cli("run-scenario", str(path), "--json", "--run-dir", str(run_dir))
    assert code == 1, err
    report = json.loads(out)
    assert not [n for n in report["notes"] if "while the diagnosis of its failed init" in n]
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    assert [e for e in events if e["type"] == "worker_exit"]
    assert not [e for e in events if e["type"] == "diagnosed_exit"]

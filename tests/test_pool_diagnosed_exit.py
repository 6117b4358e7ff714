"""A pool worker whose failed init is being diagnosed is watched by no exit handler (the
diagnosis has it): one killed meanwhile ended with no event and no note, its death said
nowhere in the report. It is found ended as the diagnosis ends, and said so."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import RunCli

WORKER = Path(__file__).parent / "workers" / "first_copy_killed_while_starting.py"

# w1 never reads its init ping (stuck starting): its diagnosis waits on it seconds more, and
# it is killed 2.5 s after it started, 1.5 s after its init failed; w2 answers
SCENARIO = """\
name: killed-while-diagnosed
worker:
  command: [{python}, {worker}, {marker}, "2.5"]
  init_timeout: 1
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
    (note,) = [n for n in report["notes"] if n.startswith("worker w1 ")]
    assert note.startswith(
        "worker w1 killed by SIGKILL (9) while the diagnosis of its failed init ran: found ended"
    ), note
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    (ended,) = [e for e in events if e["type"] == "diagnosed_exit"]
    assert ended["worker"] == "w1" and ended["exit"] == "killed by SIGKILL (9)"

"""A worker that answers each request twice: poolctl's pool matches answers by id and sets the
copy aside, but a pool reading the next message as the next caller's reply (an Erlang port)
hands it to the wrong caller, so a scenario run fails on it, the copy quoted."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes, RunCli

TWICE = Path(__file__).parent / "workers" / "answers_each_twice.py"
SCENARIO = """\
name: answers-twice
worker:
  command: ["{python}", "{worker}"]
  framing: packet-4
  init_timeout: 5
pool: {{size: 2, max_overflow: 0, lazy: false, checkout_timeout: 3, request_timeout: 3}}
steps:
  - request: {{command: ping, count: 4, concurrency: 2}}
"""


def test_a_scenario_whose_workers_answer_twice_fails_with_the_copy_quoted(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Before, the run passed ('got no pattern') with a note that ids 1 to 3 had answers
    nobody awaited."""
    path = tmp_path / "twice.yaml"
    path.write_text(SCENARIO.format(python=sys.executable, worker=TWICE))
    code, out, _ = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "run"))
    report = json.loads(out)
    assert code == 1, out
    (finding,) = report["findings"]
    assert finding["failure"]["kind"] == "duplicate-answer"
    assert finding["outcome"]["nearest"] is None
    assert "hands it to the wrong caller" in finding["outcome"]["why"]
    message = finding["failure"]["message"]
    assert "answer(s) came a second time for requests answered already" in message
    assert 'to id 1: b\'{"id": 1, "success": true, "result": {"status": "ok"}}\'' in message
    events = [json.loads(line) for line in (tmp_path / "run" / "events.jsonl").open()]
    copies = [e for e in events if e["type"] == "duplicate_answer"]
    assert copies and all(e["frame"].startswith('b\'{"id": ') for e in copies)


@pytest.mark.erlang
@pytest.mark.skipif(shutil.which("erl") is None, reason="erl is not installed")
def test_an_erlang_port_hands_the_copy_to_the_next_caller(processes: Processes) -> None:
    """What the finding says of a port, shown on one: the second request's reply is the first
    request's copy."""
    code = f"""
        Port = open_port({{spawn_executable, "{sys.executable}"}},
                         [{{args, ["{TWICE}"]}}, {{packet, 4}}, binary, exit_status]),
        Ask = fun(I) ->
            port_command(Port, iolist_to_binary(io_lib:format(
                "{{\\"id\\": ~p, \\"command\\": \\"ping\\", \\"args\\": {{}}}}", [I]))),
            receive {{Port, {{data, D}}}} -> io:format("~p ~s~n", [I, D])
            after 10000 -> io:format("~p TIMEOUT~n", [I])
            end
        end,
        Ask(1), Ask(2),
        port_close(Port),
        halt().
    """
    done = processes.run(["erl", "-noshell", "-eval", code], timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    asked, replies = zip(*(line.split(" ", 1) for line in lines), strict=True)
    assert asked == ("1", "2"), done.stdout
    assert [json.loads(r)["id"] for r in replies] == [1, 1], done.stdout


def test_doctor_fails_a_worker_that_answers_twice(run_cli: RunCli, tmp_path: Path) -> None:
    """Before, doctor found no issue: its second ping's answer came by id, the copy of the
    first was set aside unsaid."""
    run = tmp_path / "run"
    code, out, err = run_cli(
        "doctor", "--timeout", "2", "--run-dir", str(run), "--", sys.executable, str(TWICE)
    )
    assert code == 1, out + err
    said = next(ln for ln in out.splitlines() if "second answer(s) to requests" in ln)
    assert said.lstrip().startswith("✗ ")
    assert 'second answer to id 1, answered already: b\'{"id": 1, "success": true' in said


def test_ping_says_the_copy_of_its_one_answer(run_cli: RunCli, tmp_path: Path) -> None:
    """One ping read its answer and stopped the worker: the copy, drained from the pipe as the
    worker stopped, was never read as a message, and the ping said nothing of it. An answer
    came, so the exit code stays 0."""
    code, out, err = run_cli(
        "ping", "--json", "--run-dir", str(tmp_path / "run"), "--", sys.executable, str(TWICE)
    )
    assert code == 0, out + err
    notes = json.loads(out)["notes"]
    said = [n for n in notes if "answered no request" in n]
    assert said == [
        "1 frame(s) arrived that answered no request: second answer to id 1, answered already: "
        'b\'{"id": 1, "success": true, "result": {"status": "ok"}}\''
    ], notes

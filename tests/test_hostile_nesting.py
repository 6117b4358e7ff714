"""A worker's answer, or a log's JSON line, nested deeper than a recursive reader goes: the
standard library's json stops near the interpreter's recursion limit with a RecursionError, and
every walker and writer of a report recurses too. Before, each was an internal error (exit 3)
or, in a scenario's pool, a traceback on stderr for every frame with the requests left
unanswered. Now a message up to 1,024 levels is read, what lies past 100 levels kept as a note
(its bytes are in the stdout transcript), and one deeper is a frame poolctl does not read,
said so."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli

NESTED = Path(__file__).resolve().parent / "workers" / "answers_nested.py"
CUT = "(nested deeper than 100 levels: not kept here)"


def test_an_answer_nested_600_levels_is_an_answer_its_depths_kept_as_a_note(
    run_cli: RunCli, tmp_path: Path
) -> None:
    code, out, err = run_cli(
        "ping", "--json", "--timeout", "5", "--run-dir", str(tmp_path / "r"), "--",
        sys.executable, str(NESTED), "600",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)["extra"]["response"]["result"]
    arrays = 0
    while isinstance(result, list):
        (result,) = result
        arrays += 1
    assert (arrays, result) == (99, CUT)  # 100 levels kept (the message and 99 arrays), a note
    assert (tmp_path / "r" / "workers" / "w1.stdout.bin").read_bytes().count(b"[") == 600


def test_an_answer_nested_past_1024_levels_is_said_so_not_an_internal_error(
    run_cli: RunCli, tmp_path: Path
) -> None:
    code, out, err = run_cli(
        "ping", "--timeout", "2", "--no-experiments", "--run-dir", str(tmp_path / "r"), "--",
        sys.executable, str(NESTED), "5000",
    )  # fmt: skip
    assert code == 1, err
    assert "nests JSON deeper than 1,024 levels (at byte 1061), past what poolctl reads" in out
    assert not (tmp_path / "r" / "traceback.txt").exists()


def test_a_pool_reading_an_answer_nested_past_1024_levels_says_so_without_a_traceback(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # its answer comes at once, but a frame too deep to read is set aside as stray output and
    # the init is waited for to its timeout: 1 s, not the default 5 s
    scenario = tmp_path / "nested.yaml"
    scenario.write_text(
        "name: nested\ndescription: answers nested past any reader\n"
        f'worker: {{command: ["{sys.executable}", "{NESTED}", "5000"], init_timeout: 1}}\n'
        "pool: {size: 1, checkout_timeout: 2, request_timeout: 2}\n"
        "steps:\n  - request: {command: ping, count: 1}\n"
    )
    code, out, err = run_cli("run-scenario", str(scenario), "--run-dir", str(tmp_path / "r"))
    assert code == 1, err
    assert "Traceback" not in err
    assert "nests JSON deeper than 1,024 levels" in out


def test_a_log_of_json_records_with_one_nested_past_any_reader_is_triaged(
    cli: RunCli, tmp_path: Path
) -> None:
    record = {"log": "FAILED check_pool.py::test_checkout - AssertionError: no answer\n"}
    lines = [json.dumps(record)] * 20
    lines[3] = '{"log": ' + "[" * 3000 + "]" * 3000 + "}"
    log = tmp_path / "collector.log"
    log.write_text("\n".join(lines) + "\n")
    code, out, err = cli(
        "triage", str(log), "--no-history", "--format", "json", "--run-dir", str(tmp_path / "r")
    )
    assert code == 1, err
    assert json.loads(out)["summary"]["failures"] == 19  # the deep line is no record: text


def test_orjson_writes_the_levels_poolctl_counts_on() -> None:
    """poolctl/json_text.py tells a message nested past 100 levels by orjson's refusal to write
    it inside 154 more: 254 levels write, 255 do not."""
    import orjson

    from poolctl.json_text import ORJSON_WRITES

    value: object = 0
    for _ in range(ORJSON_WRITES):
        value = [value]
    orjson.dumps(value)
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps([value])

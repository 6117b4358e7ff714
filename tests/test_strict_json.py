"""An answer holding NaN or an infinity: Python's reader (poolctl's) takes it, a strict one
(Elixir's Jason, JavaScript's JSON.parse, Go's encoding/json) refuses the whole message. Ping
answers and says so in a note; doctor's Framing check warns. Before, both said only that it
answered."""

from __future__ import annotations

import json
import sys

from poolctl.strict_json import out_of_json_numbers
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS

WORKER = (sys.executable, str(WORKERS / "answers_nan.py"))
SAID = (
    "its answer holds result.scores[1]: NaN, result.best: -Infinity, which JSON does not "
    "allow (RFC 8259)"
)


def test_where_the_numbers_json_has_not_are() -> None:
    message = {"id": 1, "result": {"a": [1.0, float("inf")], "b": {"c": float("nan")}}}
    assert out_of_json_numbers(message) == ["result.a[1]: Infinity", "result.b.c: NaN"]
    assert out_of_json_numbers(float("nan")) == ["the message: NaN"]
    assert out_of_json_numbers({"x": [float("nan")] * 10}, limit=2) == ["x[0]: NaN", "x[1]: NaN"]
    assert out_of_json_numbers({"ok": 1.5, "n": None, "s": "NaN"}) == []
    deep: object = float("nan")
    for _ in range(5000):  # deeper than a recursive walk goes
        deep = [deep]
    [found] = out_of_json_numbers(deep)
    assert found.endswith("[0]: NaN")


def test_ping_notes_an_answer_a_strict_reader_refuses(run_cli: RunCli) -> None:
    code, out, _ = run_cli("ping", "--json", "--timeout", "5", "--", *WORKER)
    assert code == 0, out
    notes = json.loads(out)["notes"]
    [note] = [n for n in notes if "RFC 8259" in n]
    assert note.startswith(SAID), note
    assert "Elixir's Jason" in note and "allow_nan=False" in note


def test_doctor_warns_of_it_in_its_framing_check(run_cli: RunCli) -> None:
    code, out, _ = run_cli("doctor", "--json", "--timeout", "5", "--", *WORKER)
    assert code == 0, out  # a warning, not a failure
    checks = json.loads(out)["checks"]
    [ping] = [c for c in checks if c["section"] == "Framing" and c["name"] == "ping"]
    assert ping["status"] == "warn", ping
    assert SAID in ping["summary"], ping
    assert ping["remedy"].startswith("Write null or a string instead"), ping

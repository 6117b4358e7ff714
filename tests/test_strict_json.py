"""An answer a strict reader refuses and poolctl's takes: one holding NaN or an infinity
(Elixir's Jason, JavaScript's JSON.parse, Go's encoding/json refuse the whole message), or a
JSON-RPC reply of a shape JSON-RPC 2.0 forbids (an error that is a bare string, a result and an
error both). Ping answers and says so in a note; doctor's Framing check warns. Before, both
said only that it answered."""

from __future__ import annotations

import json
import sys

import pytest

from poolctl.strict_json import jsonrpc_reply_words, out_of_json_numbers
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


def test_what_a_json_rpc_reply_s_shape_may_not_be() -> None:
    good_error = {"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "no"}}
    assert jsonrpc_reply_words(good_error) is None
    assert jsonrpc_reply_words({"jsonrpc": "2.0", "id": 1, "result": None}) is None
    for error in ("boom", {"message": "no code"}, {"code": "1", "message": "x"}, None):
        said = jsonrpc_reply_words({"jsonrpc": "2.0", "id": 1, "error": error})
        assert said is not None and said[0].startswith("its error reply's error is "), error
    both = jsonrpc_reply_words({"jsonrpc": "2.0", "id": 1, "result": 1, "error": None})
    assert both is not None and "both result and error" in both[0]


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("string", 'its error reply\'s error is "boom: no such method", not an object with an '),
        ("both", "its reply holds both result and error, which JSON-RPC 2.0 forbids"),
    ],
)
def test_ping_notes_a_json_rpc_reply_of_a_forbidden_shape(
    run_cli: RunCli, mode: str, said: str
) -> None:
    worker = (sys.executable, str(WORKERS / "jsonrpc_bad_reply.py"), mode)
    _, out, _ = run_cli("ping", "--json", "--protocol", "jsonrpc", "--", *worker)
    notes = [n for n in json.loads(out)["notes"] if "JSON-RPC 2.0" in n]
    assert len(notes) == 1 and notes[0].startswith(said), notes

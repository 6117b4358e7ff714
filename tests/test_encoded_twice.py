"""An answer encoded twice: a JSON string holding the answer (`json.dumps` of what `json.dumps`
returned). Before, in line framing, the stream was taken as broken by stray output and the
worker was said to wait for more input, "the request was not a complete message for it"; in
packet-4 it was "response is JSON but not an object: str" and told to answer in the dspex
envelope."""

from __future__ import annotations

import sys

import pytest

from poolctl.protocol import EncodedTwice, NotJSON, parse_message
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

WORKER = (sys.executable, str(WORKERS / "answers_encoded_twice.py"))


def test_a_json_string_holding_an_object_is_told_encoded_twice() -> None:
    with pytest.raises(EncodedTwice, match="response is encoded twice"):
        parse_message(b'"{\\"id\\": 1, \\"success\\": true}"', 1)
    with pytest.raises(NotJSON) as plain:  # a string of other text is only no object
        parse_message(b'"hello"', 1)
    assert not isinstance(plain.value, EncodedTwice)
    assert "not an object: str" in str(plain.value)


@pytest.mark.parametrize(
    "argv",
    [("--framing", "line", "--", *WORKER), ("--", *WORKER, "--packet-4")],
    ids=["line", "packet-4"],
)
def test_ping_names_an_answer_encoded_twice(run_cli: RunCli, argv: tuple[str, ...]) -> None:
    d = diagnose(run_cli, "--timeout", "1", *argv)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert (
        "wrote a frame that is not its answer: response is encoded twice: a JSON string "
        in (d["cause"])
    )
    assert d["remediation"].startswith("Encode each answer once: write `json.dumps(answer)`")

"""An answer a client cannot read as it was sent: encoded twice, a JSON string holding the
answer (`json.dumps` of what `json.dumps` returned), or written in Latin-1. Before, an answer
encoded twice in line framing was taken for stray output breaking the stream, and the worker
said to wait for more input, "the request was not a complete message for it"; in packet-4 it
was "response is JSON but not an object: str", told to answer in the dspex envelope."""

from __future__ import annotations

import sys

import pytest

from poolctl.protocol import Misencoded, NotJSON, parse_message
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

WORKER = (sys.executable, str(WORKERS / "answers_encoded_twice.py"))


def test_a_json_string_holding_an_object_is_told_encoded_twice() -> None:
    with pytest.raises(Misencoded, match="response is encoded twice"):
        parse_message(b'"{\\"id\\": 1, \\"success\\": true}"', 1)
    with pytest.raises(NotJSON) as plain:  # a string of other text is only no object
        parse_message(b'"hello"', 1)
    assert not isinstance(plain.value, Misencoded)
    assert "not an object: str" in str(plain.value)
    with pytest.raises(Misencoded, match="response is not UTF-8 JSON"):
        parse_message('{"id": 1, "success": true, "result": "café"}'.encode("latin-1"), 1)
    for junk in ("Démarrage du serveur".encode("latin-1"), b"\xff\xfe{\x00"):
        with pytest.raises(NotJSON) as raised:  # text or junk, no JSON in any encoding
            parse_message(junk, 1)
        assert not isinstance(raised.value, Misencoded)


@pytest.mark.parametrize(
    "argv",
    [("--framing", "line", "--", *WORKER), ("--", *WORKER, "--packet-4")],
    ids=["line", "packet-4"],
)
def test_ping_names_an_answer_encoded_twice(run_cli: RunCli, argv: tuple[str, ...]) -> None:
    d = diagnose(run_cli, "--timeout", "1", *argv)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert (
        "answered in a frame no client can read: response is encoded twice: a JSON string "
        in (d["cause"])
    )
    assert d["remediation"].startswith("Encode each answer once: write `json.dumps(answer)`")


LATIN1_LINES = (
    "import json, sys\n"
    "for line in sys.stdin:\n"
    "    request = json.loads(line)\n"
    "    answer = {'id': request['id'], 'success': True, 'result': {'name': 'café'}}\n"
    "    print(json.dumps(answer, ensure_ascii=False), flush=True)\n"
)


def test_ping_names_a_line_answer_written_in_latin1(run_cli: RunCli) -> None:
    """Before: "The worker prints text to its framed stdout", the answer taken for a banner."""
    argv = ("--env", "PYTHONIOENCODING=latin-1", "--framing", "line")
    d = diagnose(run_cli, "--timeout", "1", *argv, "--", sys.executable, "-c", LATIN1_LINES)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert "answered in a frame no client can read: response is not UTF-8 JSON (" in d["cause"]
    assert d["remediation"].startswith("Write each answer as one JSON object encoded in UTF-8")

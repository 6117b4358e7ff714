"""A worker that answers each request inside a JSON array of one object (`[answer]`). Before, in
line framing the array was taken for stray text breaking the stream, and the worker said to
wait for more input, "the request was not a complete message for it"; in packet-4 it was
"response is JSON but not an object: list", told to answer in the dspex envelope, whose words
there are the request's fields."""

from __future__ import annotations

import shutil

import pytest

from poolctl.protocol import Misencoded, NotJSON, parse_message
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

WORKER = ("node", str(WORKERS / "node_answers_in_a_list.js"))


def test_a_list_of_one_object_is_its_answer_in_a_list() -> None:
    with pytest.raises(Misencoded, match="a list holding its answer"):
        parse_message(b'[{"id": 1, "success": true, "result": {}}]', 1)
    for other in (b"[]", b"[1]", b'[{"id": 1}, {"id": 2}]'):  # no one answer object in it
        with pytest.raises(NotJSON) as raised:
            parse_message(other, 1)
        assert not isinstance(raised.value, Misencoded)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(
    "argv",
    [("--framing", "line", "--", *WORKER), ("--", *WORKER, "--packet-4")],
    ids=["line", "packet-4"],
)
def test_ping_names_an_answer_inside_a_list(run_cli: RunCli, argv: tuple[str, ...]) -> None:
    d = diagnose(run_cli, "--timeout", "1", *argv)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert "answered inside a list, where a client reads one answer object" in d["cause"]
    assert d["remediation"].startswith("Write the answer object itself, one per frame")

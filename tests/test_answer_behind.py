""" "Its answer arrived right behind the text" (a worker printing text before its answer: a
tolerant client skips the text and reads the answer) is said when a whole message of the
protocol, carrying the request's id, begins where the text ends: on a following line in line
framing, at a following frame boundary in length or Content-Length framing; the message is
quoted, with its bytes in stdout. Before, the request's id anywhere on stdout after the text
was enough: it was said of a banner followed by an answer pretty-printed over lines, by an
answer written as a JSON line to a packet-4 reader, and by a Content-Length header ended by
bare newlines, none of which a client reads."""

from __future__ import annotations

import sys

import pytest

from poolctl.answer_behind import answer_behind
from poolctl.framing import get_framing
from tests.conftest import REFERENCE, RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose
from tests.test_doctor_checks import Doctor, doctor, only

__all__ = ["doctor"]  # the fixture, used by name

ASTRAY = str(WORKERS / "prints_then_answers_astray.py")
CLAIM = "its answer arrived right behind the text"


def _evidence(d: dict[str, object]) -> list[dict[str, str]]:
    evidence = d["evidence"]
    assert isinstance(evidence, list)
    return evidence


@pytest.mark.parametrize(
    ("framing", "where", "starts"),
    [
        ("line", "on the next line", '\'{"id":1,"success":true'),
        ("packet-4", "whose frame begins 11 bytes after the text did", "'\\x00\\x00\\x00"),
        ("packet-2", "whose frame begins 11 bytes after the text did", "'\\x00"),
        (
            "content-length",
            "whose Content-Length header begins 11 bytes after the text did",
            "'Content-Length: ",
        ),
    ],
)
def test_the_answer_behind_a_banner_is_quoted_where_it_is(
    run_cli: RunCli, framing: str, where: str, starts: str
) -> None:
    argv = [*REFERENCE, "--framing", framing, "--stdout-noise", "Warming up"]
    d = diagnose(run_cli, "--timeout", "1", "--framing", framing, "--", *argv)
    assert confirmed(d) == ["stdout-text"], d["cause"]
    [said] = [e for e in _evidence(d) if e["text"].startswith(CLAIM)]
    assert said["text"].startswith(f"{CLAIM}, a whole message {where}: {starts}"), said
    assert said["origin"].startswith("workers/w1.stdout.bin bytes 11-"), said


@pytest.mark.parametrize(
    ("argv", "framing"),
    [
        (["--framing", "line", "--", sys.executable, ASTRAY, "--pretty"], "line"),
        (["--", sys.executable, ASTRAY, "--lines"], "packet-4"),
        (
            ["--protocol", "lsp", "--", sys.executable, str(WORKERS / "lsp_bare_newlines.py")],
            "content-length",
        ),
    ],
    ids=["pretty-printed", "a-line-to-packet-4", "bare-newline-header"],
)
def test_an_id_behind_the_text_in_no_whole_message_is_no_answer_behind(
    run_cli: RunCli, argv: list[str], framing: str
) -> None:
    if "lsp_bare_newlines.py" in argv[-1]:
        argv = [*argv, "--banner"]
    d = diagnose(run_cli, "--timeout", "1", *argv)
    assert confirmed(d) == ["stdout-text"], d["cause"]
    assert CLAIM not in str(d)


def test_doctor_says_every_client_fails_when_no_whole_answer_follows(doctor: Doctor) -> None:
    argv = [sys.executable, ASTRAY, "--pretty"]
    report = doctor(argv, "Output hygiene", init_timeout=2.0, framing="line")
    check = only(report, "Output hygiene", "stdout")
    assert check.status == "fail"
    assert check.summary.endswith("every client fails on it"), check.summary


@pytest.mark.parametrize(
    ("framing", "data", "found"),
    [
        ("line", b'hi\n{"id": 1, "success": true}\n', True),
        ("line", b'hi {"id": 1, "success": true}\n', False),  # the id in the text's own line
        ("line", b'hi\nmore\n{"id": 1, "success": true}\n', True),
        ("line", b'hi\n{"id": 2, "success": true}\n', False),
        ("line", b'hi\n{"id": 1, "success": true}', False),  # no newline yet: no whole line
        ("packet-4", b'hi\n\x00\x00\x00\x1a{"id": 1, "success": true}', True),
        ("packet-4", b'hi\n\x00\x00\x00\x1b{"id": 1, "success": true}', False),  # cut short
        ("content-length", b'hi\nContent-Length: 26\r\n\r\n{"id": 1, "success": true}', True),
    ],
)
def test_a_whole_message_carrying_the_id_at_a_boundary(
    framing: str, data: bytes, found: bool
) -> None:
    behind = answer_behind(data, 0, get_framing(framing), 1, "dspex")
    assert (behind is not None) is found

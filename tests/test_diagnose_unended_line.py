"""A line worker that writes its answer whole and never the newline after it: the answer sits
in the pipe, unread by a line reader. Before, poolctl said the worker "waits for more input
without answering: the request was not a complete message for it" and told its user to check
its framing, quoting the answer only in passing."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose


@pytest.mark.parametrize(
    ("argv", "answer"),
    [
        (
            ("python3", str(WORKERS / "answers_without_newline.py")),
            '{"id": 1, "success": true, "result": {}}',
        ),
        pytest.param(
            (str(WORKERS / "node_answers_without_newline.js"),),
            '{"id":1,"success":true,"result":{}}',
            marks=pytest.mark.skipif(shutil.which("node") is None, reason="needs node"),
        ),
    ],
    ids=["python", "node"],
)
def test_an_answer_with_no_newline_after_it_is_named(
    run_cli: RunCli, argv: tuple[str, ...], answer: str
) -> None:
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", *argv)
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"] == (
        f"The worker never ends its line: its answer, '{answer}', came whole with no newline "
        "after it, and a line reader takes a message only at its newline"
    )
    texts = [e["text"] for e in d["evidence"]]
    assert f"'{answer}'" in texts
    closed = (
        "when its stdin closed it exited with code 0 and wrote nothing more: the newline never came"
    )
    assert closed in texts, texts
    assert d["remediation"].startswith("End each message with a newline: ")
    [waiting] = [h for h in d["hypotheses"] if h["id"] == "waiting-for-input"]
    assert waiting["status"] == "ruled-out"
    assert re.search(r"its line never ended \(see framing\)", waiting["reason"])


def test_json_cut_short_with_no_newline_is_not_said_whole(run_cli: RunCli) -> None:
    """Only a whole JSON message is an answer that lacks its newline: a worker that wrote half
    of one and waits (tests/workers/exits_mid_frame.py's kin) is not told so."""
    script = 'import sys\nsys.stdin.readline()\nsys.stdout.write(\'{"id": 1, "succ\')\n'
    script += "sys.stdout.flush()\nsys.stdin.readline()\n"
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", "python3", "-c", script)
    assert not d["cause"].startswith("The worker never ends its line"), d["cause"]

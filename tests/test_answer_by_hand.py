r"""A worker that writes its answer by hand and breaks it: a bash worker whose `read` lacks -r
(the request's backslashes eaten: `"C:\\tmp\\x"` comes back `"C:\tmp\x"`, an escape JSON
lacks), or that writes with `echo -e` (the request's `\n` a newline mid-answer). Before, its
answer line was taken for stray text written before its first message, with the claim that
"its answer arrived right behind the text" (no other line came) and the fix to send banners
and logs to stderr."""

from __future__ import annotations

import shutil

import pytest

from poolctl.protocol import Misencoded, NotJSON, parse_message
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

WORKER = str(WORKERS / "answers_by_hand.sh")


def test_broken_json_carrying_the_request_id_is_its_answer() -> None:
    with pytest.raises(Misencoded, match=r"carries the request's id \(Invalid \\escape at byte"):
        parse_message(b'{"id": 1, "success": true, "result": "C:\\x"}', 1)
    for other in (b'{"id": 2, "success": true, "result": "C:\\x"}', b'starting {"id": 1'):
        with pytest.raises(NotJSON) as raised:  # another id, or text: no answer to this one
            parse_message(other, 1)
        assert not isinstance(raised.value, Misencoded)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(
    ("args", "mode", "said"),
    [
        ('{"path": "C:\\\\tmp\\\\x"}', "--read", "Invalid \\escape at byte 55"),
        ('{"text": "a\\nb"}', "--echo-e", "Unterminated string starting at byte 48"),
    ],
    ids=["read-without-r", "echo-e"],
)
def test_ping_names_an_answer_written_by_hand_that_is_no_json(
    run_cli: RunCli, args: str, mode: str, said: str
) -> None:
    argv = ("--timeout", "1", "--framing", "line", "--args", args)
    d = diagnose(run_cli, *argv, "--", "bash", WORKER, mode)
    assert confirmed(d) == ["envelope"], d["cause"]
    assert f"response is not JSON, though it carries the request's id ({said}" in d["cause"]
    assert "arrived right behind the text" not in str(d)
    assert d["remediation"].startswith("Build each answer with a JSON encoder")

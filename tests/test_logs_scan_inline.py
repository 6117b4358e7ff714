"""A text log is searched for its trigger lines in the thread that parses it
(`poolctl.logs.scan`): RE2's `Match` holds the interpreter's lock while it searches, so the
search thread each chunk used to start ran beside nothing (it only added the threads'
switches). Each chunk is still searched before the chunk ahead of it is parsed, with the
trigger regex wanted then, and a chunk holding a CI marker is cleaned and searched again."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from poolctl.logs import read_logs

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("log", "failures"),
    [
        ("exunit/pool_suite.log", 31),
        ("pytest/pool_suite_verbose.txt", 22),
        ("exunit/services_gitlab_timestamps.log", None),  # CI markers: cleaned chunks
    ],
)
def test_a_log_is_searched_in_the_thread_that_parses_it(
    log: str, failures: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    start = threading.Thread.start

    def noted(self: threading.Thread, *args: Any, **kwargs: Any) -> None:
        started.append(self.name)
        start(self, *args, **kwargs)

    monkeypatch.setattr(threading.Thread, "start", noted)
    parsed = read_logs([str(FIXTURES / log)])
    assert started == []
    if failures is not None:
        assert len(parsed.failures) == failures
    else:
        assert parsed.failures

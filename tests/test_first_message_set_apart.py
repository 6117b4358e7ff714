"""A worker that takes its first message as its configuration and answers only those after it.
Before, ping said it "waits for more input without answering: the request was not a complete
message for it" (the request was a whole line, read whole), and the fix was to check its
framing; its 512 requests at once, answered but for the first, were dropped from the
diagnosis, and once kept were read as a block-buffered stdout."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def test_ping_names_a_worker_that_answers_all_but_its_first_message(run_cli: RunCli) -> None:
    worker = str(WORKERS / "node_takes_a_config_first.js")
    d = diagnose(run_cli, "--timeout", "1", "--framing", "line", "--", "node", worker)
    assert confirmed(d) == ["waiting-for-input"], d["cause"]
    assert "it takes its first message as something else" in d["cause"]
    assert "not a complete message" not in d["cause"]
    assert d["remediation"].startswith("Answer every request, the first too")
    said = [e["text"] for h in d["hypotheses"] for e in h.get("evidence", [])]
    assert any("answered 511: every one but the first, its first answer to id 2" in s for s in said)
    # the experiment's own line says which went unanswered: the first, no buffer's last ones
    [many] = [e for e in d["facts"]["experiments"] if e["id"] == "many"]
    assert many["detail"].startswith("511 of 512 answered, the first after "), many
    assert many["detail"].endswith("; 1 went unanswered (id 1), not the last ones"), many

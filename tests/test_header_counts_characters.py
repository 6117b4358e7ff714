"""A length-prefixed worker whose header counts its answer's characters, not its bytes (Node's
`body.length` of the string): with non-ASCII text the header is short. Before, the miscount
was named but not why, and the fix was Python's alone (`struct.pack('>I', len(body))`), for a
Node worker whose mistake is `body.length` in place of `Buffer.byteLength(body)`."""

from __future__ import annotations

import shutil

import pytest

from poolctl.framing import get_framing
from poolctl.framing_explain import header_cut_short
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose


def test_a_header_counting_characters_is_told_from_one_miscounting_bytes() -> None:
    packet4 = get_framing("packet-4")
    body = '{"id": 1, "text": "café ✓"}'.encode()
    chars = len(body.decode())
    said = header_cut_short(chars.to_bytes(4, "big") + body, body[:chars], packet4)
    assert said is not None and said.counts_characters
    assert f"it counts the message's {chars} characters, not its bytes" in said.text
    # short by another count (two bytes fewer than the characters): a miscount, no more said
    short = chars - 2
    other = header_cut_short(short.to_bytes(4, "big") + body, body[:short], packet4)
    assert other is not None and not other.counts_characters
    assert "characters" not in other.text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_ping_tells_a_node_worker_to_count_bytes(run_cli: RunCli) -> None:
    worker = str(WORKERS / "node_counts_characters.js")
    d = diagnose(run_cli, "--timeout", "1", "--", "node", worker)
    assert confirmed(d) == ["framing"], d["cause"]
    assert "it counts the message's 77 characters, not its bytes" in d["cause"]
    assert "in Node `Buffer.byteLength(body)`" in d["remediation"]
    assert "not `body.length`" in d["remediation"]

"""A pooled worker whose answer had begun and not ended when its request timed out: the
finding quotes the part that came, byte for byte, with what its header announces (as ping's
verdict does). Before, it said only 'no response within 1 s', the 25 bytes that had come left
to events.jsonl's `bytes_in=25`, and gave the pattern's general advice."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import RunCli

WORKER = Path(__file__).resolve().parent / "workers" / "pauses_mid_frame.py"


def test_a_frame_half_written_at_the_timeout_is_quoted(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "half.yaml"
    path.write_text(
        "name: half-frame\ndescription: a worker that pauses in the middle of a frame\n"
        f"worker: {{command: {json.dumps([sys.executable, str(WORKER)])}, framing: packet-4}}\n"
        "pool: {size: 1, max_overflow: 0, lazy: false, checkout_timeout: 3, request_timeout: 1}\n"
        "steps:\n  - request: {command: ping, count: 1}\n"
    )
    code, out, err = run_cli("run-scenario", str(path), "--json", "--run-dir", str(tmp_path / "r"))
    assert code == 1, err
    (finding,) = json.loads(out)["findings"]
    cause = finding["outcome"]["cause"]
    assert "gave caller s1c0 no answer: no response within 1 s; 25 byte(s) of its answer" in cause
    assert (
        "a truncated packet-4 frame: the header announces 54 bytes and 21 arrived "
        """('\\x00\\x00\\x006{"id": 2, "success": ')"""
    ) in cause, cause
    assert finding["outcome"]["remediation"].startswith("Find what the worker waits on between")
    events = [json.loads(line) for line in (tmp_path / "r" / "events.jsonl").open()]
    (timed_out,) = [e for e in events if e["type"] == "no_response"]
    assert timed_out["bytes_in"] == 25
    assert timed_out["partial"].startswith("a truncated packet-4 frame")
    transcript = (tmp_path / "r" / "workers" / "w1.stdout.bin").read_bytes()
    assert transcript.endswith(b'\x00\x00\x006{"id": 2, "success": ')

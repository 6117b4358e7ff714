"""A length-prefixed worker whose output is encoded again on its way out: each byte over 127 (of
the header and of the UTF-8 text) written as two UTF-8 bytes, as an Elixir script's
IO.binwrite does once standard_io is in unicode mode. Before, the header's first byte over 127
read as a length, a frame of junk was set aside, and the rest was "binary data printed before
its first message", with the false claim that "its answer arrived right behind the text" and
the fix to find what writes an image or an archive to stdout."""

from __future__ import annotations

import json
import shutil
import struct
from typing import Any

import pytest

from poolctl.framing import get_framing
from poolctl.framing_explain import reencoded
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose


def _frame(text: str) -> bytes:
    body = json.dumps({"id": 1, "success": True, "result": text}, ensure_ascii=False).encode()
    return struct.pack(">I", len(body)) + body


def test_frames_encoded_twice_over_are_found_whole_beneath() -> None:
    packet4 = get_framing("packet-4")
    sent = _frame("é" * 60)  # a length of 160 bytes: a header byte over 127
    said = reencoded(sent.decode("latin-1").encode("utf-8"), packet4)
    assert said is not None and said.kind == "re-encoded"
    assert "its header 00 00 00 a0 as 00 00 00 c2 a0" in said.text
    assert "1 whole packet-4 frame(s) of JSON" in said.text
    assert reencoded(sent, packet4) is None  # frames as they were sent: nothing to say
    assert reencoded(b"\xc3\xa9 starting up\n", packet4) is None  # text, no frame beneath


@pytest.mark.skipif(shutil.which("elixir") is None, reason="elixir is not installed")
def test_ping_names_an_elixir_worker_writing_binary_to_unicode_stdio(run_cli: RunCli) -> None:
    worker = str(WORKERS / "elixir_unicode_stdio.exs")
    d = diagnose(run_cli, "--timeout", "3", "--", "elixir", worker)
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith(
        "The worker's frames are encoded again on their way out: every byte over 127"
    )
    assert "encoding: :unicode" in d["remediation"]
    assert "arrived right behind the text" not in str(d)


@pytest.mark.skipif(shutil.which("elixir") is None, reason="elixir is not installed")
def test_an_elixir_worker_still_booting_gets_no_fresh_copy(run_cli: RunCli) -> None:
    """Its VM takes the request from the pipe as it boots, and its answer comes once its start
    is over, here 2.5 s of CPU later (a boot on a loaded machine): eight fresh copies begun as
    it booted only raced it on two cores, none answered, and none was in the verdict."""
    worker = str(WORKERS / "elixir_unicode_stdio.exs")
    d = diagnose(run_cli, "--timeout", "2", "--", "elixir", worker, "busy", "2500")
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith("The worker's frames are encoded again on their way out")
    assert fresh_copies(d) == []


def fresh_copies(d: dict[str, Any]) -> list[str]:
    """The experiments of diagnosis `d` that started a fresh process."""
    return [e["id"] for e in d["facts"]["experiments"] if "-exp-" in (e["worker_id"] or "")]


@pytest.mark.skipif(shutil.which("elixir") is None, reason="elixir is not installed")
def test_a_start_slower_than_the_timeout_still_names_the_encoding(run_cli: RunCli) -> None:
    """Its answer came only after the evidence was collected (here it sleeps 2 s before its
    first read; make test's load slowed its boot past the 3 s above): it was set aside as 'a
    frame no client can read', with the fix to build answers with a JSON encoder."""
    worker = str(WORKERS / "elixir_unicode_stdio.exs")
    d = diagnose(run_cli, "--timeout", "1", "--", "elixir", worker, "2000")
    assert confirmed(d) == ["framing"], d["cause"]
    assert d["cause"].startswith(
        "The worker's frames are encoded again on their way out: every byte over 127"
    )
    assert "encoding: :unicode" in d["remediation"]

"""A worker that exits with code 0 without answering and says nothing (its stderr and stdout
empty): the diagnosis says what the evidence shows, how much of the request it took from its
stdin pipe (the pipe keeps what no process took, read after it exited), and where to look.
Before, it was told to "read its stderr", an empty log."""

from __future__ import annotations

import json
import shlex
import sys

import pytest

from poolctl.diagnose.exited_plan import stdio_untested_fix
from tests.conftest import RunCli
from tests.test_diagnose_workers import WORKERS, confirmed, diagnose

pytestmark = pytest.mark.slow

SILENT = "saying nothing: its stderr log is empty and its stdout too; "
AFTER_THE_READ = "a code path after the read that returns or exits instead of answering"
IN_START_UP = "a code path in its start-up that returns or exits before reading a request"


@pytest.mark.parametrize(
    ("source", "took", "unread", "look_for"),
    [
        # Python's buffered read(4) takes all the pipe holds: the whole request
        (
            "import sys; sys.stdin.buffer.read(4); sys.exit(0)",
            "it took the whole 81-byte request from its stdin pipe, and did not answer",
            "0 of 81 bytes unread",
            AFTER_THE_READ,
        ),
        (
            "import os, sys; os.read(0, 4); sys.exit(0)",
            "it took 4 bytes of the 81-byte request from its stdin pipe, and did not answer",
            "77 of 81 bytes unread",
            AFTER_THE_READ,
        ),
        # it waits until the request is in the pipe, and exits without reading it
        (
            "import select, sys; select.select([0], [], []); sys.exit(0)",
            "it had not read the request: its 81 bytes were still in its stdin pipe",
            "81 of 81 bytes unread",
            IN_START_UP,
        ),
    ],
    ids=["buffered-read", "os-read", "unread"],
)
def test_a_worker_exiting_0_silently_is_told_what_it_took_of_the_request(
    run_cli: RunCli, source: str, took: str, unread: str, look_for: str
) -> None:
    d = diagnose(run_cli, "--timeout", "2", "--", sys.executable, "-c", source)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(f"exited with code 0, {SILENT}{took}"), d["cause"]
    assert "read its stderr" not in d["remediation"]
    assert d["remediation"].startswith(
        "It exited with code 0, as if on purpose, and wrote nothing to say why: look for "
        f"{look_for}"
    ), d["remediation"]
    quoted = {e["text"]: e["origin"] for e in d["evidence"]}
    assert quoted["0 bytes"] == "workers/w1.stderr.log"
    assert quoted[unread] == "FIONREAD on the stdin pipe"


def test_a_request_whose_rest_found_no_reader_is_not_said_taken(run_cli: RunCli) -> None:
    """A request larger than the pipe holds, sent to a worker that closes its stdin unread and
    exits: the pipe took its first 64 KiB, and the rest found no reader (EPIPE). That rest was
    counted as written, so the 70,087-byte request less the 65,536 bytes unread was said taken:
    "it took 4551 bytes of the 70087-byte request" from a worker that read nothing. (The same
    miscount, with a Go worker whose scanner read 64 KiB and exited before the rest was
    written, said it took the whole request.)"""
    # it closes its stdin once the request is in the pipe (the pipe full a moment after its
    # first bytes): closed at its start, a loaded machine's slow write found it closed already
    source = "import os, select, time; select.select([0], [], []); time.sleep(0.2); os.close(0)"
    source += "; time.sleep(0.5)"
    args = json.dumps({"text": "x" * 70_000})
    argv = ("--timeout", "2", "--args", args, "--framing", "line")
    d = diagnose(run_cli, *argv, "--", sys.executable, "-c", source)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "it had not read the request: all 65,536 bytes of the 70,087-byte request that reached "
        "its stdin pipe were still there (4,551 more found no reader)"
    ), d["cause"]
    assert d["remediation"].startswith(
        f"It exited with code 0, as if on purpose, and wrote nothing to say why: look for "
        f"{IN_START_UP}"
    ), d["remediation"]
    quoted = {e["text"]: e["origin"] for e in d["evidence"]}
    assert quoted["65536 of 65536 bytes unread"] == "FIONREAD on the stdin pipe"


NEEDS_STDIO = str(WORKERS / "lsp_needs_stdio.py")


def test_a_fresh_start_with_stdio_is_waited_for_as_long_as_the_exit_took(run_cli: RunCli) -> None:
    """A language server that exits silent without `--stdio` after 2 s (a start slowed by a
    loaded machine: svelteserver in CI) answers with it after 6.8 s: more than the diagnosis'
    budget leaves (it was said not to serve with `--stdio`), less than four times its exit."""
    argv = (sys.executable, NEEDS_STDIO, "2", "6.8")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "20", "--", *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "it was started without `--stdio`, and in a fresh process the same command with "
        "`--stdio` answered initialize"
    ), d["cause"]
    assert d["remediation"].startswith(f"Start it with `--stdio` (`{shlex.join(argv)} --stdio`)")


def test_a_server_lacking_stdio_whose_stderr_was_discarded_is_not_said_silent(
    run_cli: RunCli,
) -> None:
    """yaml-language-server 1.25.0 without `--stdio`, pinged with `--stderr discard`, exits with
    code 1 after `Error: Connection input stream is not set ...` on its stderr: the verdict said
    it exited "saying nothing: its stderr log is empty and its stdout too", with "0 bytes" as
    evidence of a stderr that poolctl had sent to /dev/null. What it said there is not known.
    Here a server that needs `--stdio` (it exits at once without it)."""
    argv = (sys.executable, NEEDS_STDIO, "0", "0")
    d = diagnose(run_cli, "--protocol", "lsp", "--stderr", "discard", "--timeout", "3", "--",
                 *argv)  # fmt: skip
    assert confirmed(d) == ["crashed"]
    assert "its stderr log is empty" not in d["cause"], d["cause"]
    assert (
        "exited with code 0, writing nothing to its stdout (its stderr was discarded: what it "
        "said there is not known); "
    ) in d["cause"], d["cause"]
    assert d["remediation"].startswith(f"Start it with `--stdio` (`{shlex.join(argv)} --stdio`)")
    said = [e for e in d["evidence"] if e["note"].startswith("its stderr log")]
    assert said == [], said


def test_a_fresh_start_with_stdio_silent_at_its_wait_is_not_said_to_lack_the_switch(
    run_cli: RunCli,
) -> None:
    """With `--stdio` it stays up, silent, past its wait: the switch changed what it does, and
    whether it serves is untested; it was told to find another switch in its `--help`."""
    argv = (sys.executable, NEEDS_STDIO, "0", "never")
    d = diagnose(run_cli, "--protocol", "lsp", "--timeout", "1", "--", *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "in a fresh process the same command with `--stdio` did not exit, but was still "
        "running, silent, when its wait was up (no answer within 1 s)"
    ), d["cause"]
    assert d["remediation"] == stdio_untested_fix(shlex.join(argv))
    [tried] = [e for e in d["evidence"] if e["text"].startswith("with `--stdio` added")]
    assert tried["origin"] == "workers/w1-exp-with-stdio.stdout.bin"

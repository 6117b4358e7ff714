"""Real servers whose stdout carries words, not frames: taplo (@taplo/cli, npm, installed by
`make peers`), whose command-line parser writes its refusal and its help there and exits with
code 1; pylsp (a dev dependency) started by a shell script that echoes a banner first. Each
verdict is checked by its cause, its quoted evidence and its remediation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, Processes
from tests.test_jsonrpc_peers import PYLSP, WAIT, confirmed, verdict

pytestmark = pytest.mark.slow

TAPLO = REPO / ".peers/node_modules/.bin/taplo"

needs_taplo = pytest.mark.skipif(
    not TAPLO.exists(), reason=f"{TAPLO.relative_to(REPO)} is missing: run `make peers` (needs npm)"
)


def said_on_stdout(d: dict[str, Any]) -> str:
    """The text the diagnosis `d` quotes from the worker's own stdout file."""
    [said] = [e for e in d["evidence"] if e["note"] == "what it wrote to stdout"]
    assert said["origin"].startswith("workers/w1.stdout.bin")
    text: str = said["text"]
    return text


@needs_taplo
def test_a_server_slower_than_its_wait_that_exits_on_its_stdouts_error_is_no_slow_start(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`taplo lsp --stdio` (its subcommand is `stdio`, no switch) starts slower than a short
    timeout (node loads its WebAssembly: 0.5 s of CPU), then writes clap's refusal to stdout and
    exits with code 1. Its error ended poolctl's wait for a slow start before its exit was seen:
    it was called stuck in initialization, 'still starting … no answer came', with nothing on
    stdout; where it had exited as the diagnosis began, its stdout still unread, it was said to
    exit 'leaving no word of why: its stderr log is empty and its stdout too'."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", "0.2", "--", str(TAPLO), "lsp", "--stdio")
    assert confirmed(d) == ["crashed"], d["cause"]
    assert d["cause"].startswith("The worker exited before answering: pid ")
    assert "exited with code 1" in d["cause"]
    assert "stdout too" not in d["cause"]
    assert said_on_stdout(d).startswith("\"error: Found argument '--stdio' which wasn't expected")
    # clap's refusal is read on stdout as on stderr: it was "Find why it exits: run … by hand"
    refusal = (
        "error: Found argument '--stdio' which wasn't expected, or isn't valid in this context"
    )
    assert d["cause"].endswith(
        f"exited with code 1, refusing its command line on stdout: `{refusal}`"
    )
    assert d["remediation"].startswith(
        f"Drop `--stdio` from its command line: its parser does not take it (`{refusal}`)"
    )


@needs_taplo
def test_a_language_server_printing_claps_help_on_stdout_is_told_its_usage_and_switch(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`taplo lsp` without its `stdio` subcommand prints clap's help on stdout (its name and
    summary, then `USAGE:`) and exits with code 1: only a `Usage:` at the very start was read as
    a usage, and the remediation was "Find why it exits: run `taplo lsp` by hand". Its help's
    `stdio` entry, which says it runs the language server over stdio, is the subcommand it is
    told to add."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(TAPLO), "lsp")
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "exited with code 1, after printing its usage to stdout: its command line lacks what it "
        "needs; it was started without its subcommand `stdio`, which its usage on stdout names "
        "as starting a language server (`stdio  Run the language server over the standard input "
        "and output`)"
    ), d["cause"]
    assert said_on_stdout(d).startswith("'taplo-lsp \\nLanguage server operations\\n\\nUSAGE:")
    assert d["remediation"].startswith(
        f"Start it with `stdio` (`{TAPLO} lsp stdio`), as its usage on stdout says"
    ), d["remediation"]


def test_a_banner_echoed_by_a_wrapper_script_is_found_in_the_script(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """A script that echoes `Starting pylsp …` and then execs the server: its banner breaks the
    stream before pylsp's answer. The remediation was Python's, Node's and Erlang's ways to
    write to stderr, none of them the script's: its own `echo` line is named, and `>&2`."""
    script = tmp_path / "start-pylsp.sh"
    script.write_text(f'#!/bin/sh\nNAME=pylsp\necho "Starting $NAME for the pool"\nexec {PYLSP}\n')
    script.chmod(0o755)
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(script))
    assert confirmed(d) == ["stdout-text"]
    line = 'echo "Starting $NAME for the pool"'
    assert d["cause"].startswith(
        "The worker prints text to its framed stdout: 'Starting pylsp for the pool' arrived "
        "before its first message"
    )
    assert d["cause"].endswith(f"; its script start-pylsp.sh writes it: `{line}`")
    [said] = [
        e for e in d["evidence"] if e["note"] == "the shell line that writes the text to stdout"
    ]
    assert (said["text"], said["origin"]) == (line, str(script))
    assert d["remediation"].startswith(
        f"Send the text to stderr in its script start-pylsp.sh: `{line} >&2`."
    )

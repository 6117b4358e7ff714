"""Real servers from the registries that need a switch, an argument or a credential to serve on
their pipes, started without it: each is told what it lacks, from its own behaviour."""

from __future__ import annotations

import re
import sys

import pytest

from poolctl.diagnose.hypotheses.crashed import NO_STDIO_SWITCH_FIX
from tests.conftest import REPO, Processes
from tests.test_jsonrpc_peers import WAIT, confirmed, verdict

pytestmark = pytest.mark.slow

SVELTE = REPO / ".peers/node_modules/.bin/svelteserver"


@pytest.mark.skipif(
    not SVELTE.exists(),
    reason=f"{SVELTE.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_language_server_exiting_silent_without_stdio_is_told_to_add_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """svelte-language-server started without `--stdio` takes Node IPC, and with no IPC
    channel it exits at once with code 0, writing nothing and reading nothing. It was told to
    look for a code path in its start-up that returns early; the same command with `--stdio`,
    in a fresh process, answers initialize."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(SVELTE))
    assert confirmed(d) == ["crashed"]
    assert re.search(
        r"exited with code 0, saying nothing: its stderr log is empty and its stdout too; it "
        r"had not read the request: its \d+ bytes were still in its stdin pipe; it was started "
        r"without `--stdio`, and in a fresh process the same command with `--stdio` answered "
        r"initialize$",
        d["cause"],
    ), d["cause"]
    assert d["remediation"].startswith(f"Start it with `--stdio` (`{SVELTE} --stdio`)")
    [tried] = [e for e in d["evidence"] if e["text"].startswith("with `--stdio` added")]
    assert ": answered in " in tried["text"]
    assert tried["origin"] == "workers/w1-exp-with-stdio.stdout.bin"
    said = {e["note"]: e["text"] for e in d["evidence"]}
    assert said["its stderr log: nothing came there"] == "0 bytes"
    assert said["its stdout: nothing came there"] == "0 bytes"


def test_a_language_server_exiting_silent_with_stdio_too_is_told_to_find_its_switch(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """A server spoken lsp that exits at once with code 0, silent, with `--stdio` added too
    (as `graphql-lsp server`, whose stdio switch is `-m stream`): the experiment is shown, and
    the switch is to be found in its `--help`, not in its start-up's code paths."""
    exits = "import sys; sys.exit(0)"
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", sys.executable, "-c", exits)
    assert confirmed(d) == ["crashed"]
    assert d["remediation"] == NO_STDIO_SWITCH_FIX
    [tried] = [e for e in d["evidence"] if e["text"].startswith("with `--stdio` added")]
    assert tried["text"].startswith("with `--stdio` added to its command: exited with code 0")

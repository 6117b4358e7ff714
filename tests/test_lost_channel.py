"""A language server started on an editor's socket that nothing listens on: pyright 1.1.414
(npm, `make peers`) given `--socket=1` writes `Sending log message failed` four times and exits
with code 0. Silent, such an exit was told its channel option (dockerfile-language-server's
`--node-ipc`); with those lines it was 'Find why it exits: run it by hand'. They are read as the
channel's absence: the option is named, and stdio."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

PYRIGHT = REPO / ".peers/node_modules/.bin/pyright-langserver"
PING = ["ping", "--no-history", "--format", "json", "--protocol", "lsp", "--timeout", "30"]


@pytest.mark.skipif(not PYRIGHT.exists(), reason="pyright is missing: run `make peers`")
def test_a_socket_nothing_listens_on_is_named_behind_its_failed_log_messages(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code = main([*PING, "--", str(PYRIGHT), "--socket=1"])  # port 1: nothing listens there
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "exited with code 0, saying only `Sending log message failed`, vscode-languageserver's "
        "words for a message its client could not be sent: it was started with `--socket=1`, to "
        "talk over another channel than its stdin and stdout, which a pool does not open"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Start it in stdio mode: drop `--socket=1` and give the option that selects stdio"
    ), outcome["remediation"]

"""A language server that answers its handshake after showing its user an error:
@elm-tooling/elm-language-server 2.8.0 (npm, installed alone by `make peers`) started in a folder
with no elm.json sends window/showMessageRequest of type Error (`No elm.json found. Please run
'elm init' in your main directory.`), then answers initialize. ping said ✓ and listed the request
as answered minimally, its words unsaid; an editor pops them up."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import Processes

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
ELM_LS = (
    REPO / ".peers/alone/@elm-tooling/elm-language-server/node_modules/.bin" / "elm-language-server"
)
WAIT = "20"  # seconds a server may take to start on a loaded machine


@pytest.mark.skipif(
    not ELM_LS.exists() or shutil.which("node") is None,
    reason=f"{ELM_LS.relative_to(REPO)} is missing: run `make peers` (needs npm and node)",
)
def test_an_error_a_language_server_shows_its_user_is_a_note_of_the_ping(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    argv = ["ping", "--json", "--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path)]
    code = main([*argv, "--", str(ELM_LS), "--stdio"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report  # the handshake went through: the note does not fail the ping
    assert (
        'the server showed an error, as an editor shows it to its user: "No elm.json found. '
        "Please run 'elm init' in your main directory.\" (window/showMessageRequest); it "
        "answered the handshake all the same, but what it reports is still to mend"
    ) in report["notes"], report["notes"]


@pytest.mark.skipif(
    not ELM_LS.exists() or shutil.which("node") is None,
    reason=f"{ELM_LS.relative_to(REPO)} is missing: run `make peers` (needs npm and node)",
)
def test_doctors_framing_warns_of_an_error_a_language_server_shows_its_user(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """doctor found no issue in the same server: its Framing check was ✓."""
    argv = ["doctor", "--json", "--protocol", "lsp", "--cwd", str(tmp_path)]
    main([*argv, "--", str(ELM_LS), "--stdio"])
    report = json.loads(capsys.readouterr()[0])
    framing = [c for c in report["checks"] if c["section"] == "Framing"]
    assert [c["status"] for c in framing] == ["warn"], framing
    said = "\"No elm.json found. Please run 'elm init' in your main directory.\""
    assert framing[0]["summary"].endswith(
        f"; but it showed its user an error: {said} (window/showMessageRequest)"
    ), framing[0]
    assert framing[0]["remedy"].startswith(f"Mend what it reports ({said})"), framing[0]

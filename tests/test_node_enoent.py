"""A Node server that exits on a file call failing with ENOENT, logged as it gives up:
@gongrzhe/server-gmail-autoauth-mcp 1.1.11 (npm, .peers/alone, `make peers`) finding
gcp-oauth.keys.json in the folder it works in copies it to ~/.gmail-mcp, a folder it does not
create, and logs `Error loading credentials: Error: ENOENT: no such file or directory, copyfile
'…/gcp-oauth.keys.json' -> '~/.gmail-mcp/gcp-oauth.keys.json'`, then exits with code 1. It was
told to run it by hand; the folder missing is named, and, made, the copy goes through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

GMAIL = REPO / ".peers/alone/@gongrzhe/server-gmail-autoauth-mcp/node_modules/.bin/gmail-mcp"
PING = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
# the shape of Google's OAuth client file, with nothing of a real client in it
KEYS = {
    "installed": {"client_id": "x", "client_secret": "y", "redirect_uris": ["http://localhost"]}
}


@pytest.mark.skipif(not GMAIL.exists(), reason="the Gmail MCP server is missing: run `make peers`")
def test_the_folder_a_copy_went_to_that_is_not_there_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    (tmp_path / "gcp-oauth.keys.json").write_text(json.dumps(KEYS))
    argv = [*PING, "--cwd", str(tmp_path), "--env", f"HOME={tmp_path}", "--", str(GMAIL)]
    code = main(argv)
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    folder = tmp_path / ".gmail-mcp"
    assert outcome["cause"].endswith(
        f"exited with code 1, after its `copyfile` failed with ENOENT: the folder of "
        f"{folder}/gcp-oauth.keys.json, {folder}, does not exist"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        f"Create {folder} (`mkdir -p {folder}`) before it starts"
    ), outcome["remediation"]
    folder.mkdir()  # as the fix says: the copy goes through
    main(argv)
    capsys.readouterr()
    assert json.loads((folder / "gcp-oauth.keys.json").read_text()) == KEYS

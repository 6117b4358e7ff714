"""A Node server that exits on a file call failing with ENOENT, logged as it gives up:
@gongrzhe/server-gmail-autoauth-mcp 1.1.11 (npm, .peers/alone, `make peers`) finding
gcp-oauth.keys.json in the folder it works in copies it to ~/.gmail-mcp, a folder it does not
create, and logs `Error loading credentials: Error: ENOENT: no such file or directory, copyfile
'…/gcp-oauth.keys.json' -> '~/.gmail-mcp/gcp-oauth.keys.json'`, then exits with code 1. It was
told to run it by hand; the folder missing is named, and, made, the copy goes through. With no
such file anywhere it throws `Error: OAuth keys file not found. Please place gcp-oauth.keys.json in
current directory or <HOME>/.gmail-mcp`, which was 'Fix the error it reports': the file and the
folders are named. With both done, it writes `OAuth keys found in current directory, copied to
global config.` to stdout with console.log: the line of its installed code is named."""

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
def test_the_file_it_asks_for_and_the_folder_a_copy_went_to_are_named(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    argv = [*PING, "--cwd", str(tmp_path), "--env", f"HOME={tmp_path}", "--", str(GMAIL)]
    code = main(argv)
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    folder = tmp_path / ".gmail-mcp"
    assert outcome["cause"].endswith(
        f"; it asks for gcp-oauth.keys.json in {tmp_path} or {folder}, and none of them holds it"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        f"Place gcp-oauth.keys.json in {tmp_path} or in {folder}, as it asks"
    ), outcome["remediation"]
    (tmp_path / "gcp-oauth.keys.json").write_text(json.dumps(KEYS))  # as it asks
    code = main(argv)
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        f"exited with code 1, after its `copyfile` failed with ENOENT: the folder of "
        f"{folder}/gcp-oauth.keys.json, {folder}, does not exist"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        f"Create {folder} (`mkdir -p {folder}`) before it starts"
    ), outcome["remediation"]
    folder.mkdir()  # as the fix says: the copy goes through
    code = main(argv)
    report = json.loads(capsys.readouterr()[0])
    assert json.loads((folder / "gcp-oauth.keys.json").read_text()) == KEYS
    # and it says so with console.log, on its stdout: the line of its code is named
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    said = "console.log('OAuth keys found in current directory, copied to global config.');"
    assert outcome["cause"].endswith(f"/dist/index.js:69: `{said}`"), outcome["cause"]
    assert outcome["remediation"].startswith("Its own code prints it ("), outcome["remediation"]
    assert "make it `console.error` in that line" in outcome["remediation"], outcome

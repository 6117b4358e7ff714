"""A language server that answers `result: null` after showing its user an error: the Ansible
language server (@ansible/ansible-language-server 1.2.3, .peers/alone, `make peers`) on a
machine without Ansible shows `Command failed: ansible-config dump\\n/bin/sh: 1:
ansible-config: not found` (window/showMessageRequest, type Error) and answers a hover on an
opened playbook with null. A step expecting result.contents was read as pattern 4, a key its
setup gives under another name; the error and the missing program went unsaid."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

SERVER = (
    REPO / ".peers/alone/@ansible/ansible-language-server/node_modules/.bin/ansible-language-server"
)
PLAYBOOK = "- hosts: all\n  tasks:\n    - name: ping\n      ansible.builtin.ping:\n"


@pytest.mark.skipif(
    not SERVER.exists(), reason=f"{SERVER.relative_to(REPO)} is missing: run `make peers`"
)
@pytest.mark.skipif(
    shutil.which("ansible-config") is not None, reason="Ansible is installed: no error to show"
)
def test_a_null_answer_after_a_shown_error_names_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    uri = "file://{scenario_dir}/play.yml"
    path = tmp_path / "hover.yaml"
    path.write_text(
        f"worker: {{command: [{SERVER}, --stdio], protocol: lsp, init_timeout: 30, "
        "cwd: '{scenario_dir}'}\n"
        "pool: {size: 1, checkout_timeout: 30, request_timeout: 30}\n"
        "steps:\n"
        f"  - notify: {{method: textDocument/didOpen, params: {{textDocument: {{uri: '{uri}', "
        f"languageId: ansible, version: 1, text: {json.dumps(PLAYBOOK)}}}}}}}\n"
        f"  - request: {{command: textDocument/hover, args: {{textDocument: {{uri: '{uri}'}}, "
        "position: {line: 3, character: 10}}, expect: {fields: [result.contents]}}\n"
    )
    code = main(["run-scenario", "--no-history", "--format", "json", str(path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [finding] = report["findings"]
    assert finding["outcome"]["type"] == "unclassified", finding
    why = finding["outcome"]["why"]
    assert why.startswith(
        "the server answered textDocument/hover with no result (null), and showed its user the "
        "error 'Command failed: ansible-config dump\\n/bin/sh: 1: ansible-config: not found' "
        "(window/showMessageRequest) as the run went on; that this is why it had no result is "
        "untested. Install `ansible-config`, which the server runs"
    ), why

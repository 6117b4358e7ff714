"""A language server that answers `result: null` after showing its user an error: the Ansible
language server (@ansible/ansible-language-server 1.2.3, .peers/alone, `make peers`) on a
machine without Ansible shows `Command failed: ansible-config dump\\n/bin/sh: 1:
ansible-config: not found` (window/showMessageRequest, type Error) and answers a hover on an
opened playbook with null. A step expecting result.contents was read as pattern 4, a key its
setup gives under another name; the error and the missing program went unsaid."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, Processes
from tests.lsp_scenarios import open_and_hover

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
    document = ("play.yml", "ansible", PLAYBOOK)
    expect = "{fields: [result.contents]}"
    code, report = open_and_hover(
        capsys, tmp_path, f"{SERVER}, --stdio", document, (3, 10), expect=expect
    )
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

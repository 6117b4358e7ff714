"""README.md read as a first-time user reads it, from the top: its install commands install
what this repository holds. It said `pipx install poolctl  # or: pip install poolctl`, and no
package of that name is on PyPI (`pip index versions poolctl`: 'No matching distribution
found'); `pip install .` in a clone installs it (tried in a fresh virtualenv)."""

from __future__ import annotations

import re
import shlex

from tests.conftest import REPO


def _section(title: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def test_the_install_commands_install_this_repository() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", _section("Install"), re.S)
    commands = [
        part.strip()
        for block in blocks
        for line in block.splitlines()
        for part in re.split(r"#\s*(?:or:)?", line)
        if part.strip().startswith(("pip ", "pipx "))
    ]
    assert commands, blocks
    for command in commands:
        words = shlex.split(command)
        assert words[1] == "install" and words[2:] == ["."], command  # the clone, not a name

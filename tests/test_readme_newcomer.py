"""README.md read as a first-time user reads it, from the top: its install commands install
what this repository holds. It said `pipx install poolctl  # or: pip install poolctl`, and no
package of that name is on PyPI (`pip index versions poolctl`: 'No matching distribution
found'); `pip install .` in a clone installs it (tried in a fresh virtualenv)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from poolctl.history.location import HISTORY_ENV
from poolctl.rundir import BASE_ENV
from tests.conftest import REPO, RunCli


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


def _console_block(after: str) -> list[str]:
    """The lines a ```console block of README.md shows under the command `after`."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(f"```console\n$ {after}\n") + len(f"```console\n$ {after}\n")
    return text[start : text.index("```", start)].rstrip("\n").splitlines()


def _shown(lines: list[str]) -> list[str]:
    """Lines as README shows them: a run folder's time as `<time>`, a duration as `N s`."""
    lines = [re.sub(r"\b\d{8}T\d{6}Z\b", "<time>", ln) for ln in lines]
    return [re.sub(r"\bin \d+(?:\.\d+)? s\b", "in N s", ln) for ln in lines]


def test_the_quick_start_s_scenario_prints_what_readme_shows(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run, in a fresh folder with no history yet. README's lines were an older
    release's: no ' · 1 new, 0 known, 0 flaky', 'the fix resolving most failures first', no
    '(1 new)' nor '[new]'."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(BASE_ENV)  # run folders under reports/ here, as for a user
    monkeypatch.setenv(HISTORY_ENV, str(tmp_path / "history.sqlite"))
    code, out, _ = run_cli("run-scenario", "p3-checkout-timeout")
    assert code == 0, out
    assert _shown(out.rstrip("\n").splitlines()) == _shown(
        _console_block("poolctl run-scenario p3-checkout-timeout")
    )


def _shape(lines: list[str]) -> list[str]:
    """Lines with what differs from run to run and machine to machine said alike: the worker's
    interpreter, numbers with their units, a run folder's time."""
    lines = [re.sub(r"\S*/python3?\b", "PYTHON", ln) for ln in lines]
    lines = [re.sub(r"\b\d{8}T\d{6}Z\b", "<time>", ln) for ln in lines]
    lines = [re.sub(r"\d[\d,.]*(?: ?(?:µs|ms|s|x)\b)?", "N", ln) for ln in lines]
    return lines


@pytest.mark.parametrize(
    "command",
    ["poolctl ping --count 200", "poolctl doctor"],
)
def test_the_reference_worker_s_samples_print_what_readme_shows(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Right after install, with no worker command. Both samples lacked the run folder line
    each command prints last (`run folder: reports/<time>-ping`)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(BASE_ENV)
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # (a note of this machine's)
    code, out, _ = run_cli(*command.split()[1:])
    assert code == 0, out
    shown = _console_block(command)
    if command == "poolctl doctor":  # its Limits and Start-up lines name this machine's numbers
        keep = ("Doctor summary", "[", "•", "run folder", "note")
        out = "\n".join(ln for ln in out.splitlines() if ln.startswith(keep))
        shown = [ln for ln in shown if ln.startswith(keep)]
    assert _shape(out.rstrip("\n").splitlines()) == _shape(shown)

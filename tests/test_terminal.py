"""poolctl on a real pseudo-terminal: rich output and live progress where the terminal can
show them, and not one escape code where the environment asks for plain text (`TERM=dumb`,
`NO_COLOR`, `CI=true`): plain progress lines instead, on standard error as on standard output.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from tests.conftest import REFERENCE

POOLCTL = str(Path(sys.executable).parent / "poolctl")
PLAIN = {"TERM=dumb": {"TERM": "dumb"}, "NO_COLOR": {"NO_COLOR": "1"}, "CI=true": {"CI": "true"}}
ESC = "\x1b"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

Spawn = Callable[..., "pexpect.spawn[str]"]


def on_tty(spawn: Spawn, tmp_path: Path, extra: dict[str, str], *argv: str) -> tuple[int, str]:
    """`poolctl ARGV` on a pseudo-terminal (stdout and stderr both on it): exit status, text."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CI", "TERM")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "120", **extra})
    env["POOLCTL_REPORTS_DIR"] = str(tmp_path / "reports")
    child = spawn(
        POOLCTL, list(argv), env=env, cwd=str(tmp_path), encoding="utf-8", dimensions=(50, 120)
    )
    child.expect(pexpect.EOF, timeout=90)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -1, child.before or ""


@pytest.mark.parametrize("name", list(PLAIN))
def test_a_plain_environment_gets_no_escape_code(
    name: str, pexpect_spawn: Spawn, tmp_path: Path
) -> None:
    extra = PLAIN[name]
    for argv in (["--help"], ["ping", "--help"], ["run-scenario", "--list"]):
        code, text = on_tty(pexpect_spawn, tmp_path, extra, *argv)
        assert code == 0 and ESC not in text, (argv, text[:400])
    # a wait longer than half a second: plain progress lines, then the report, no escape code
    code, text = on_tty(
        pexpect_spawn, tmp_path, extra, "ping", "--timeout", "4", "--", *REFERENCE,
        "--init-delay", "1.5",
    )  # fmt: skip
    assert code == 0, text
    assert ESC not in text, text[:600]
    assert "waiting for an answer 0." in text and "/4 s" in text
    assert "answered 'ping' in" in text


def test_a_terminal_gets_colours_and_live_progress(pexpect_spawn: Spawn, tmp_path: Path) -> None:
    code, text = on_tty(
        pexpect_spawn, tmp_path, {}, "ping", "--timeout", "4", "--", *REFERENCE,
        "--init-delay", "1.5",
    )  # fmt: skip
    assert code == 0, text
    assert f"{ESC}[32m✓" in text  # the answer in green
    assert "waiting for an answer" in text and f"{ESC}[2K" in text  # redrawn in place
    last = text.rsplit("waiting for an answer", 1)[1]
    assert "answered 'ping' in" in last  # the live line is gone before the report


@pytest.mark.parametrize("extra", [{}, {"TERM": "dumb"}], ids=["xterm", "dumb"])
def test_doctor_prints_each_section_as_it_finishes(
    extra: dict[str, str], pexpect_spawn: Spawn, tmp_path: Path
) -> None:
    code, text = on_tty(
        pexpect_spawn, tmp_path, extra, "doctor", "--timeout", "6", "--", *REFERENCE,
        "--init-delay", "2",
    )  # fmt: skip
    assert code == 0, text
    sections = ["Interpreter", "Worker command", "Start-up", "Output hygiene", "Framing"]
    shown = ANSI.sub("", text)
    at = [shown.find(f"] {s} (") for s in sections]
    assert all(i >= 0 for i in at) and at == sorted(at), text
    # the worker takes 2 s to start: meanwhile the oldest wait under way is shown. The
    # sections run side by side: it is a check's (the interpreter's, on a loaded machine), or
    # the probe's own wait for the worker's answer once the quick checks are done (plain
    # output prints it at 0.6 s, then every 2 s: the worker answers at about 2.2 s).
    waiting = [f"checking {s.lower()}…" for s in sections] + ["waiting for an answer 0."]
    assert any(w in shown for w in waiting), text
    assert (ESC in text) is not bool(extra)


@pytest.mark.parametrize("extra", [{}, {"CI": "true"}], ids=["xterm", "ci"])
def test_the_tour_says_which_scenario_runs(
    extra: dict[str, str], pexpect_spawn: Spawn, tmp_path: Path
) -> None:
    code, text = on_tty(pexpect_spawn, tmp_path, extra, "run-scenario", "healthy", "p1-slow-import")
    assert code == 0, text
    shown = ANSI.sub("", text)
    assert "running p1-slow-import…" in shown
    assert "✓ scenario p1-slow-import passed" in shown
    assert (ESC in text) is not bool(extra)

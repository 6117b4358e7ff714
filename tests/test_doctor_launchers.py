"""A worker started through a launcher (`npx -y PKG`, `uv run x.py`, `bundle exec rackup`): its
language was 'cannot be told' when the launcher is a binary (uv) or is missing here (bunx,
poetry, bundle), and doctor and ping gave the general rule. The launcher tells it, or the
command it is given when that names one (`poetry run node x.js`). `uv run` is run for real
(uv is a dev dependency: its binary beside the venv's python, else on PATH)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from poolctl.languages import command_language
from tests.test_diagnose_workers import WORKERS
from tests.test_doctor_checks import Doctor, doctor, only

__all__ = ["doctor"]  # the fixture, used by name


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (("bunx", "some-server"), "JavaScript"),
        (("npx", "-y", "some-server"), "JavaScript"),
        (("pnpm", "dlx", "some-server"), "JavaScript"),
        (("uvx", "mcp-server-time"), "Python"),
        (("uvx", "--from", "mcp-server-git", "mcp-server-git"), "Python"),
        (("uv", "run", "server.py"), "Python"),
        (("uv", "tool", "run", "some-server"), "Python"),
        (("pipx", "run", "some-server"), "Python"),
        (("poetry", "run", "python", "x.py"), "Python"),
        (("poetry", "run", "node", "x.js"), "JavaScript"),  # the command it is given says
        (("bundle", "exec", "ruby", "x.rb"), "Ruby"),
        (("bundle", "exec", "rackup"), "Ruby"),
        (("mix", "run", "x.exs"), "Elixir"),
        (("go", "run", "."), "Go"),
        (("java", "-jar", "x.jar"), "Java"),
    ],
)
def test_a_launcher_tells_the_language_of_what_it_runs(argv: tuple[str, ...], name: str) -> None:
    found = command_language(argv, "/nonexistent")
    assert found is not None and found.name == name, argv


def test_a_launcher_s_other_subcommands_tell_nothing() -> None:
    assert command_language(("uv", "pip", "install", "x"), "/nonexistent") is None


def _uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.exists() else shutil.which("uv")


@pytest.mark.skipif(_uv() is None, reason="uv is not installed (pip install uv)")
def test_uv_run_s_banner_gets_python_s_way_to_stderr(doctor: Doctor, tmp_path: Path) -> None:
    """`uv run x.py` (uv 0.13, a binary) whose script prints 'server ready': Output hygiene and
    Framing said 'the worker's language cannot be told from its command or the text'."""
    argv = (str(_uv()), "run", "--no-project", str(WORKERS / "prints_a_banner.py"))
    env = {"UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_OFFLINE": "1"}
    report = doctor(argv, "Interpreter", "Output hygiene", "Framing", framing="line", env=env)
    # it said 'not a Python worker (…/uv)'
    interpreter = only(report, "Interpreter")
    assert interpreter.summary.startswith(
        "a Python worker started through `uv run`, which picks its interpreter"
    ), interpreter.summary
    hygiene = only(report, "Output hygiene", "stdout")
    assert hygiene.status == "fail" and "'server ready'" in hygiene.summary, hygiene.summary
    for fix in (hygiene.remedy, only(report, "Framing").remedy):
        assert "in Python, `print(…, file=sys.stderr)`" in fix, fix
        assert "cannot be told" not in fix, fix

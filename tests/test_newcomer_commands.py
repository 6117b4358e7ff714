"""The worker commands a first-time user types: a script without its interpreter's `#!` line,
a folder, a lone script or folder given to doctor without `--`, and a worker installed in a
virtualenv that is not activated. Each got a verdict that did not say what was wrong: the
script ran under /bin/sh ('import: not found', 'Fix the error it reports'), doctor read a lone
script as a scenario ('invalid YAML') and a folder too ('cannot read: Is a directory'), and
the virtualenv's worker was 'command not found on PATH' or 'No module named' with no word of
the virtualenv beside it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import Processes, RunCli
from tests.test_doctor_checks import Doctor, doctor, only

__all__ = ["doctor"]  # the fixture, used by name

WORKER_SOURCE = Path(__file__).parent / "workers/installable_worker"
LINE_WORKER = """\
import json, sys
for line in sys.stdin:
    print(json.dumps({"id": json.loads(line)["id"], "success": True, "result": {}}), flush=True)
"""


def test_a_python_script_without_its_shebang_is_told_to_name_its_interpreter(
    run_cli: RunCli, tmp_path: Path, doctor: Doctor
) -> None:
    script = tmp_path / "worker.py"
    script.write_text(LINE_WORKER)
    script.chmod(0o755)
    code, out, err = run_cli("ping", "--framing", "line", "--", str(script))
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert (
        f"{script} cannot run as a program: it has no #! line, so the kernel refuses it and a "
        "launcher runs it with /bin/sh, which does not read Python (.py); add "
        "`#!/usr/bin/env python3` as its first line, or start it through its interpreter "
        f"(`python3 {script}`)"
    ) in err, err
    check = only(doctor([str(script)], "Worker command", framing="line"), "Worker command")
    assert check.status == "fail" and "it has no #! line" in check.summary, check.summary
    assert check.remedy.startswith("give the script its #! line"), check.remedy
    # as told: through its interpreter, the same script answers
    code, out, err = run_cli("ping", "--framing", "line", "--", sys.executable, str(script))
    assert code == 0, err


def test_a_shell_script_without_a_shebang_is_still_run(run_cli: RunCli, tmp_path: Path) -> None:
    """/bin/sh reads a start script with no `#!` line as its own: it is not refused."""
    script = tmp_path / "start"
    worker = tmp_path / "w.py"
    worker.write_text(LINE_WORKER)
    script.write_text(f"exec {sys.executable} {worker}\n")
    script.chmod(0o755)
    code, _, err = run_cli("ping", "--framing", "line", "--", str(script))
    assert code == 0, err


def test_doctor_given_a_lone_script_or_folder_checks_it_as_a_worker(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "worker.py").write_text(LINE_WORKER)
    (tmp_path / "server").mkdir()
    code, out, err = run_cli("doctor", "worker.py")
    assert code == 1 and "invalid YAML" not in err, err
    assert (
        "command not found on the worker's PATH: worker.py (a file of that name is in this "
        "folder: a command that is no path is looked up on PATH only; give ./worker.py)"
    ) in out, out
    code, out, err = run_cli("doctor", "server")
    assert code == 1 and "Is a directory" not in err, err
    assert "command not found on the worker's PATH: server (server here is a directory" in out
    code, out, err = run_cli("ping", "--", "server")
    assert code == 2 and "server here is a directory, not a program" in err, err


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, module_processes: Processes) -> Path:
    """A project whose worker package is installed in its own `.venv`, as `pip install .`
    installs it there (the wheel built by this venv's pip, which has setuptools)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(WORKER_SOURCE, root / "src-tree")
    venv = root / ".venv"
    dist = root / "dist"
    run = [sys.executable, "-m", "venv", "--without-pip", str(venv)]
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
             "--no-build-isolation", "-w", str(dist), str(root / "src-tree")]  # fmt: skip
    for step in (run, build, None):
        if step is None:  # the wheel is there once built
            step = [sys.executable, "-m", "pip", "--python", str(venv / "bin/python"), "install",
                    "-q", "--no-index", "--no-deps", *map(str, dist.glob("*.whl"))]  # fmt: skip
        done = module_processes.run(step, timeout=120)
        if done.returncode != 0:
            pytest.skip(f"could not install the worker into a virtualenv: {done.stderr[-300:]}")
    assert (venv / "bin/venv-line-worker").exists()
    return root


@pytest.mark.slow
def test_a_console_script_of_a_virtualenv_not_activated_is_named(
    run_cli: RunCli, project: Path, doctor: Doctor
) -> None:
    code, _, err = run_cli("ping", "--framing", "line", "--cwd", str(project), "--",
                             "venv-line-worker")  # fmt: skip
    assert code == 2 and err.count("\n") == 1, err
    assert (
        "command not found on PATH: venv-line-worker (./.venv/bin/venv-line-worker is there, in "
        f"the virtualenv {project / '.venv'}, which is not activated: give that path"
    ) in err, err
    argv = ["venv-line-worker"]
    check = only(doctor(argv, "Worker command", cwd=str(project)), "Worker command")
    assert check.status == "fail" and "./.venv/bin/venv-line-worker is there" in check.summary
    assert check.remedy.startswith("give the virtualenv's program by its path"), check.remedy
    code, _, err = run_cli("ping", "--framing", "line", "--cwd", str(project), "--",
                           "./.venv/bin/venv-line-worker")  # fmt: skip
    assert code == 0, err  # as told


@pytest.mark.slow
def test_a_module_of_a_virtualenv_not_activated_is_told_its_python(
    run_cli: RunCli, project: Path, doctor: Doctor
) -> None:
    fix = (
        "Start it with the Python of the virtualenv that has venv_line_worker installed, which "
        "is not activated: `./.venv/bin/python -m venv_line_worker`"
    )
    code, out, err = run_cli("ping", "--framing", "line", "--cwd", str(project), "--",
                             sys.executable, "-m", "venv_line_worker")  # fmt: skip
    assert code == 1 and fix in out, out
    argv = [sys.executable, "-m", "venv_line_worker"]
    check = only(doctor(argv, "Worker command", cwd=str(project)), "Worker command")
    assert check.status == "fail" and check.remedy.startswith(fix), check.remedy
    code, _, err = run_cli("ping", "--framing", "line", "--cwd", str(project), "--",
                           "./.venv/bin/python", "-m", "venv_line_worker")  # fmt: skip
    assert code == 0, err  # as told

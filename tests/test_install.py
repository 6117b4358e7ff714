"""poolctl as a user gets it: the wheel built from this tree, installed into a fresh virtual
environment, run from another directory. The bundled scenarios, patterns and schema must be
inside the wheel; the tour runs by name; the metadata is complete.

Offline: the wheel is built with the setuptools of the test environment
(`--no-build-isolation`), and the fresh environment takes its dependencies (and only them:
poolctl comes from the wheel) from the test environment's site-packages, through a `.pth`
line, which adds that folder to `sys.path` without running its own `.pth` files (the editable
install of this checkout among them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO, Processes

PACKAGED = ("pyproject.toml", "README.md", "LICENSE", "poolctl")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel of this tree installed; its `bin/`."""
    # module-scoped (a build takes seconds): its processes are run to their end here
    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    src.mkdir()
    for name in PACKAGED:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, src / name)

    def run(*argv: str | Path) -> None:
        done = subprocess.run(
            [str(a) for a in argv], capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, f"{argv}:\n{done.stdout}\n{done.stderr}"

    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input")
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", base / "dist", src)
    (wheel,) = (base / "dist").glob("poolctl-*.whl")
    venv = base / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
    )
    (site / "_poolctl_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)
    return venv / "bin"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/bin:/bin"
    return env


def test_the_installed_poolctl_is_the_wheel(
    installed: Path, processes: Processes, tmp_path: Path
) -> None:
    code = "import poolctl, importlib.metadata as m, json; d = m.distribution('poolctl'); " + (
        "print(json.dumps({'file': poolctl.__file__, 'meta': dict(d.metadata.items()), "
        "'urls': d.metadata.get_all('Project-URL'), "
        "'classifiers': d.metadata.get_all('Classifier'), "
        "'requires': d.metadata.get_all('Requires-Dist'), "
        "'files': [str(f) for f in d.files or ()]}))"
    )
    done = processes.run([str(installed / "python"), "-c", code], 60, cwd=tmp_path, env=_env())
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["file"].startswith(str(installed.parent)), "poolctl must come from the wheel"
    meta = found["meta"]
    assert meta["License-Expression"] == "MIT"
    assert {"Homepage", "Source", "Issues"} <= {u.split(",")[0] for u in found["urls"]}
    assert any(c.startswith("Programming Language :: Python :: 3.11") for c in found["classifiers"])
    assert not any(r.startswith("pexpect") for r in found["requires"] if "extra" not in r)
    files = set(found["files"])
    assert "poolctl/scenarios/healthy.yaml" in files
    assert "poolctl/patterns/builtin/p1-port-no-response.yaml" in files
    assert "poolctl/schemas/report.schema.json" in files
    assert "poolctl/schemas/patterns.schema.json" in files


def test_the_installed_poolctl_runs_the_tour_by_name_from_elsewhere(
    installed: Path, processes: Processes, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**_env(), "POOLCTL_REPORTS_DIR": str(tmp_path / "reports")}
    poolctl = str(installed / "poolctl")

    listed = processes.run([poolctl, "run-scenario", "--list"], 60, cwd=elsewhere, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "p1-merged-stderr" in listed.stdout and "healthy" in listed.stdout

    checked = processes.run(
        [poolctl, "run-scenario", "--check", "healthy", "p1-merged-stderr"],
        60,
        cwd=elsewhere,
        env=env,
    )
    assert checked.returncode == 0, checked.stderr
    assert "valid" in checked.stdout and str(installed.parent) in checked.stdout

    ran = processes.run([poolctl, "run-scenario", "healthy"], 120, cwd=elsewhere, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "scenario healthy" in ran.stdout and "passed" in ran.stdout

    # a reproduce line a user copies from a report works from the install too
    reproduced = processes.run(
        [poolctl, "run-scenario", "p5-required-field"], 120, cwd=elsewhere, env=env
    )
    assert reproduced.returncode == 0, reproduced.stdout + reproduced.stderr
    assert "poolctl run-scenario p5-required-field" in reproduced.stdout
    assert not (elsewhere / "scenarios").exists()

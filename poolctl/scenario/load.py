"""Load a scenario: one YAML file that says which worker to start, how the pool behaves, what
callers do, which faults to inject, and what outcome to expect.

The file is parsed once and validated against `schema`; every error names the file, the line and
the key path, and an unknown key gets the nearest known one as a suggestion. The patterns a
scenario expects are checked against the knowledge base it will be classified with (the builtin
patterns, and the user's from `--patterns`).
"""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path
from typing import Any

from poolctl.errors import InputError
from poolctl.executable import too_large, why_not_startable
from poolctl.patterns import PatternSet, builtin_patterns
from poolctl.protocol import get_protocol
from poolctl.scenario.schema import (
    STEP_TYPES,
    ExpectSection,
    NotifyStep,
    PoolSection,
    RequestStep,
    ScenarioFile,
    ServiceStep,
    Step,
    WorkerSection,
)
from poolctl.worker_types import WorkerSpec
from poolctl.yamlfile import YamlDocument, did_you_mean, load_yaml, validate


class Scenario:
    """A validated scenario, ready to run."""

    def __init__(self, path: Path, body: ScenarioFile, steps: list[tuple[str, Step]]) -> None:
        self.path = path
        self.body = body
        self.steps = steps
        self.name = body.name or path.stem
        self.base = path.parent.resolve()
        self.digest = ""  # SHA-256 of the file as it was read, to tell it changed since

    @property
    def worker(self) -> WorkerSection:
        return self.body.worker

    @property
    def pool(self) -> PoolSection:
        return self.body.pool

    @property
    def expect(self) -> ExpectSection:
        return self.body.expect

    def worker_spec(self) -> WorkerSpec:
        w = self.worker
        return WorkerSpec(
            argv=w.argv(self.base),
            framing=w.framing or get_protocol(w.protocol).framing,
            protocol=w.protocol,
            stderr=w.stderr,
            env=w.environment(self.base),
            unset_env=tuple(w.unset_env),
            cwd=w.directory(self.base),
            init_options=w.init_options,
        )

    def peak_concurrency(self) -> int:
        """The most callers any request step runs at once (for `doctor`)."""
        return max(
            (s.concurrency for kind, s in self.steps if isinstance(s, RequestStep)), default=1
        )


def _parse_step(doc: YamlDocument, index: int, raw: Any) -> tuple[str, Step]:
    loc: tuple[str | int, ...] = ("steps", index)
    if not isinstance(raw, dict) or len(raw) != 1:
        said = f"a step is a mapping with one key, one of: {', '.join(STEP_TYPES)}"
        if isinstance(raw, dict):  # `- request:` with its keys beside it, not under it
            said += f"; this one has {len(raw)} ({', '.join(map(str, raw))}): indent the keys of "
            said += "the step under its kind"
        raise doc.error(loc, said)
    kind, value = next(iter(raw.items()))
    model = STEP_TYPES.get(kind)
    if model is None:
        raise doc.error((*loc, kind), f"unknown step{did_you_mean(kind, STEP_TYPES)}")
    if kind == "sleep" and isinstance(value, int | float):
        value = {"seconds": value}
    elif kind in ("start_service", "require_service") and isinstance(value, str):
        value = {"name": value}
    elif value is None:
        value = {}
    return kind, validate(doc, model, value=value, at=(*loc, kind))  # type: ignore[return-value]


def load_scenario(
    path: str | Path, patterns: PatternSet | None = None, check_commands: bool = True
) -> Scenario:
    """Load and validate a scenario; any problem is an `InputError` naming file:line and key.

    `patterns` is the knowledge base its `expect.patterns` must name (default: the builtin one).
    """
    return read_scenario(load_yaml(Path(path)), patterns, check_commands)


def read_scenario(
    doc: YamlDocument,
    patterns: PatternSet | None = None,
    check_commands: bool = True,
    data: Any = None,
) -> Scenario:
    """The scenario in an already parsed file; `data` replaces the file's data when given (with
    the same key paths, so that errors still name the file's lines)."""
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        raise doc.error((), "a scenario is a mapping with at least a 'worker' key")
    body = validate(doc, ScenarioFile, value=data)
    steps = [_parse_step(doc, i, raw) for i, raw in enumerate(body.steps)]
    for i, (kind, step) in enumerate(steps):
        if isinstance(step, ServiceStep) and step.name not in body.services:
            known = f" (declared: {', '.join(body.services)})" if body.services else ""
            hint = did_you_mean(step.name, body.services)
            raise doc.error(("steps", i, kind), f"no service named {step.name!r}{hint or known}")
        protocol = get_protocol(body.worker.protocol)
        if isinstance(step, NotifyStep) and protocol.envelope != "jsonrpc":
            raise doc.error(
                ("steps", i, kind),
                f"a notification is JSON-RPC's; the worker's protocol, {body.worker.protocol}, "
                "has none (protocol: jsonrpc, mcp or lsp)",
            )
    _check_patterns(doc, body.expect, patterns or builtin_patterns())
    scenario = Scenario(doc.path, body, steps)
    scenario.digest = doc.digest
    spec = scenario.worker_spec()
    if problem := too_large(spec.argv, spec.environment()):
        where = ("worker", "env") if scenario.worker.env else ("worker", "command")
        raise doc.error(where, problem)
    if spec.cwd is not None and not Path(spec.cwd).is_dir():
        what = "not a directory" if Path(spec.cwd).exists() else "no such directory"
        raise doc.error(("worker", "cwd"), f"{what}: {spec.cwd}{_beside(spec.cwd, doc)}")
    if check_commands:
        _check_command(doc, ("worker", "command"), spec.argv, spec.cwd)
        for name, service in body.services.items():
            _check_command(doc, ("services", name, "command"), service.argv(scenario.base), None)
    return scenario


def _beside(cwd: str, doc: YamlDocument) -> str:
    """For a relative `cwd`: where it was looked for, and, when the scenario's folder holds
    it, how to say so (a relative path is taken from where poolctl runs, not the file)."""
    if Path(cwd).is_absolute():
        return ""
    said = f" (from the current directory {Path.cwd()}"
    if (doc.path.parent / cwd).is_dir():
        return f"{said}; the scenario's folder holds it: write {{scenario_dir}}/{cwd})"
    return f"{said})"


def _check_patterns(doc: YamlDocument, expect: ExpectSection, patterns: PatternSet) -> None:
    """Every expected pattern id is one the knowledge base defines."""
    known = [p.id for p in patterns]
    for i, pattern_id in enumerate(expect.patterns):
        if pattern_id not in known:
            hint = did_you_mean(pattern_id, known)
            raise doc.error(
                ("expect", "patterns", i),
                f"unknown pattern id {pattern_id!r}{hint}; known: {', '.join(known)}",
            )


def _check_command(
    doc: YamlDocument, loc: tuple[str, ...], argv: tuple[str, ...], cwd: str | None
) -> None:
    problem = why_not_startable(argv[0], cwd)
    if problem:
        raise doc.error(loc, problem)


BUNDLED_DIR = Path(__file__).resolve().parent.parent / "scenarios"  # package data


def bundled_scenarios() -> list[Path]:
    """The scenarios shipped inside the package (`poolctl/scenarios/`), in tour order."""
    if not BUNDLED_DIR.is_dir():
        raise InputError(f"the bundled scenarios are not found in {BUNDLED_DIR}")
    return sorted(BUNDLED_DIR.glob("*.yaml"))


def is_bundled(path: Path) -> bool:
    """Is `path` one of the bundled scenarios (so that `run-scenario NAME` runs it again)?"""
    return path.resolve().parent == BUNDLED_DIR


def find_scenario(arg: str) -> Path:
    """A scenario file, or the bundled scenario named `arg` (`p1-merged-stderr`): a name is
    an argument with no `/` and no `.yaml` that is not a file here."""
    path = Path(arg)
    if "/" in arg or path.suffix in (".yaml", ".yml") or path.exists():
        return path
    names = [p.stem for p in bundled_scenarios()]
    if arg not in names:
        raise InputError(
            f"no bundled scenario {arg!r}{did_you_mean(arg, names)} (and no such file); "
            "`poolctl run-scenario --list` names them"
        )
    return BUNDLED_DIR / f"{arg}.yaml"


def changed_since_read(scenario: Scenario) -> str | None:
    """A note when the scenario's file was changed or deleted after it was read: the run did
    what it held then, and `Reproduce` runs what it holds now. None when it is the same."""
    if not scenario.digest or is_bundled(scenario.path):
        return None
    try:
        now = hashlib.sha256(scenario.path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return (
            f"the scenario file {scenario.path} was deleted while the run went on: it ran "
            "the file as it was read at its start, and Reproduce needs that file back"
        )
    except OSError as exc:
        return f"the scenario file {scenario.path} cannot be read again: {exc.strerror}"
    if now == scenario.digest:
        return None
    return (
        f"the scenario file {scenario.path} changed while the run went on: it ran the file as "
        "it was read at its start, and Reproduce runs it as it is now"
    )


def reproduce_command(path: Path) -> str:
    """The command that runs the scenario at `path` again, from any directory."""
    return f"poolctl run-scenario {path.stem if is_bundled(path) else shlex.quote(str(path))}"

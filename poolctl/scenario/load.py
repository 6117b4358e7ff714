"""Scenarios: one YAML file that says which worker to start, how the pool behaves, what callers
do, which faults to inject, and what outcome to expect.

Validation is declarative (pydantic models with `extra="forbid"`); every error names the file,
the line and the key path, and an unknown key gets the nearest known one as a suggestion.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from poolctl.errors import InputError
from poolctl.framing import FRAMINGS
from poolctl.worker import StderrMode, WorkerSpec
from poolctl.yamlfile import YamlDocument, did_you_mean, load_yaml

PATTERN_IDS = (
    "port-no-response",
    "pool-shutdown-during-checkout",
    "checkout-timeout-waiters",
    "fixture-key-mismatch",
    "required-field-missing",
    "adapter-misconfigured",
    "dependency-not-started",
)

Seconds = Annotated[float, Field(ge=0)]
PositiveSeconds = Annotated[float, Field(gt=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkerSection(_Strict):
    """How to start each worker."""

    command: list[str] | str
    framing: str = "packet-4"
    stderr: StderrMode = StderrMode.CAPTURE
    env: dict[str, str] = {}
    unset_env: list[str] = []
    cwd: str | None = None
    init_timeout: PositiveSeconds = 5.0
    expect_mode: str | None = None  # the mode/adapter the caller expects the worker to report
    debug_logs: list[str] = []  # files the worker writes its own debug log to ({worker_id})

    @field_validator("framing")
    @classmethod
    def _known_framing(cls, value: str) -> str:
        if value not in FRAMINGS:
            raise ValueError(f"unknown framing {value!r} (choose one of: {', '.join(FRAMINGS)})")
        return value

    @field_validator("command")
    @classmethod
    def _not_empty(cls, value: list[str] | str) -> list[str] | str:
        if not value:
            raise ValueError("the worker command is empty")
        return value

    def argv(self, base: Path) -> tuple[str, ...]:
        """The command with `{python}` (this interpreter) and `{scenario_dir}` filled in."""
        parts = shlex.split(self.command) if isinstance(self.command, str) else self.command
        return tuple(
            p.replace("{python}", sys.executable).replace("{scenario_dir}", str(base))
            for p in parts
        )


class PoolSection(_Strict):
    """How the pool behaves."""

    size: Annotated[int, Field(ge=1)] = 2
    max_overflow: Annotated[int, Field(ge=0)] = 0
    lazy: bool = False
    checkout_timeout: PositiveSeconds = 5.0
    request_timeout: PositiveSeconds = 5.0
    stop_grace: Seconds = 2.0


class ServiceSection(_Strict):
    """A named helper process that steps may start and require."""

    command: list[str] | str
    env: dict[str, str] = {}

    def argv(self, base: Path) -> tuple[str, ...]:
        return WorkerSection(command=self.command).argv(base)


class ResponseExpect(_Strict):
    """What each response must hold: `success`, fields present, fields equal to values."""

    success: bool | None = True
    fields: list[str] = []  # dotted paths that must be present, e.g. result.pool_pid
    equals: dict[str, Any] = {}


class RequestStep(_Strict):
    command: str
    args: dict[str, Any] = {}  # strings may use {i}, the request's index
    count: Annotated[int, Field(ge=1)] = 1
    concurrency: Annotated[int, Field(ge=1)] = 1
    session: str | None = None  # a template: "user_{i}"
    timeout: PositiveSeconds | None = None
    expect: ResponseExpect = ResponseExpect()


class SleepStep(_Strict):
    seconds: Seconds


class StopPoolStep(_Strict):
    after: Seconds = 0.0  # > 0: schedule it and go on with the next step
    mode: Literal["drain", "abort"] = "drain"
    grace: Seconds | None = None


class KillWorkerStep(_Strict):
    which: str = "any"  # a worker id (w1, w2…) or any (a busy one first)
    signal: str = "SIGKILL"
    after: Seconds = 0.0

    @field_validator("signal")
    @classmethod
    def _known_signal(cls, value: str) -> str:
        import signal as signals

        name = value if value.startswith("SIG") else f"SIG{value}"
        if not hasattr(signals.Signals, name):
            raise ValueError(f"unknown signal {value!r}")
        return name


class ServiceStep(_Strict):
    name: str


STEP_TYPES: dict[str, type[_Strict]] = {
    "request": RequestStep,
    "sleep": SleepStep,
    "stop_pool": StopPoolStep,
    "kill_worker": KillWorkerStep,
    "start_service": ServiceStep,
    "require_service": ServiceStep,
}

Step = RequestStep | SleepStep | StopPoolStep | KillWorkerStep | ServiceStep


class ExpectSection(_Strict):
    """`outcome: ok`, or the pattern ids the scenario must reproduce."""

    outcome: Literal["ok"] | None = None
    patterns: list[str] = []

    @field_validator("patterns")
    @classmethod
    def _known_patterns(cls, value: list[str]) -> list[str]:
        for pattern_id in value:
            if pattern_id not in PATTERN_IDS:
                hint = did_you_mean(pattern_id, PATTERN_IDS)
                raise ValueError(f"unknown pattern id {pattern_id!r}{hint}")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> ExpectSection:
        if self.outcome is not None and self.patterns:
            raise ValueError("give either `outcome: ok` or `patterns`, not both")
        return self

    def expected(self) -> frozenset[str]:
        return frozenset(self.patterns)


class ScenarioFile(_Strict):
    """The top level of a scenario file."""

    name: str | None = None
    description: str = ""
    worker: WorkerSection
    pool: PoolSection = PoolSection()
    services: dict[str, ServiceSection] = {}
    steps: list[dict[str, Any]] = []
    expect: ExpectSection = ExpectSection(outcome="ok")


class Scenario:
    """A validated scenario, ready to run."""

    def __init__(self, path: Path, body: ScenarioFile, steps: list[tuple[str, Step]]) -> None:
        self.path = path
        self.body = body
        self.steps = steps
        self.name = body.name or path.stem
        self.base = path.parent.resolve()

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
            framing=w.framing,
            stderr=w.stderr,
            env=dict(w.env),
            unset_env=tuple(w.unset_env),
            cwd=w.cwd,
        )

    def peak_concurrency(self) -> int:
        """The most callers any request step runs at once (for `doctor`)."""
        return max(
            (s.concurrency for kind, s in self.steps if isinstance(s, RequestStep)), default=1
        )


def _field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model whose keys are valid at `loc` (for the nearest-key suggestion)."""
    models: dict[str, type[BaseModel]] = {
        "worker": WorkerSection,
        "pool": PoolSection,
        "expect": ExpectSection,
    }
    if not loc:
        return ScenarioFile
    if len(loc) == 1:
        return models.get(str(loc[0]))
    if loc[0] == "services" and len(loc) == 2:
        return ServiceSection
    if loc[0] == "steps" and len(loc) == 3:
        return STEP_TYPES.get(str(loc[2]))
    if loc[0] == "steps" and len(loc) == 4 and loc[3] == "expect":
        return ResponseExpect
    return None


def _raise_validation(
    doc: YamlDocument, exc: ValidationError, prefix: tuple[str | int, ...]
) -> None:
    """The first validation error as one `InputError` line with file:line and key path."""
    err = exc.errors()[0]
    loc = prefix + tuple(
        p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))
    )
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        model = _model_at(loc[:-1])
        hint = did_you_mean(str(loc[-1]), _field_names(model)) if model else ""
        message = f"unknown key{hint}"
    elif err["type"] == "missing":
        message = "required key is missing"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    raise doc.error(loc, message)


def _parse_step(doc: YamlDocument, index: int, raw: Any) -> tuple[str, Step]:
    loc: tuple[str | int, ...] = ("steps", index)
    if not isinstance(raw, dict) or len(raw) != 1:
        raise doc.error(loc, f"a step is a mapping with one key, one of: {', '.join(STEP_TYPES)}")
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
    try:
        return kind, model.model_validate(value)  # type: ignore[return-value]
    except ValidationError as exc:
        _raise_validation(doc, exc, (*loc, kind))
        raise  # unreachable: _raise_validation always raises


def load_scenario(path: str | Path, check_commands: bool = True) -> Scenario:
    """Load and validate a scenario; any problem is an `InputError` naming file:line and key."""
    doc = load_yaml(Path(path))
    if not isinstance(doc.data, dict):
        raise doc.error((), "a scenario is a mapping with at least a 'worker' key")
    try:
        body = ScenarioFile.model_validate(doc.data)
    except ValidationError as exc:
        _raise_validation(doc, exc, ())
        raise
    steps = [_parse_step(doc, i, raw) for i, raw in enumerate(body.steps)]
    for i, (kind, step) in enumerate(steps):
        if isinstance(step, ServiceStep) and step.name not in body.services:
            known = f" (declared: {', '.join(body.services)})" if body.services else ""
            hint = did_you_mean(step.name, body.services)
            raise doc.error(("steps", i, kind), f"no service named {step.name!r}{hint or known}")
    scenario = Scenario(Path(path), body, steps)
    if check_commands:
        _check_command(doc, ("worker", "command"), scenario.worker_spec().argv, scenario.worker.cwd)
        for name, service in body.services.items():
            _check_command(doc, ("services", name, "command"), service.argv(scenario.base), None)
    return scenario


def _check_command(
    doc: YamlDocument, loc: tuple[str, ...], argv: tuple[str, ...], cwd: str | None
) -> None:
    program = argv[0]
    if "/" in program:
        path = Path(program) if Path(program).is_absolute() else Path(cwd or ".") / program
        if not path.exists():
            raise doc.error(loc, f"command not found: {program}")
    elif shutil.which(program) is None:
        raise doc.error(loc, f"command not found on PATH: {program}")


def bundled_scenarios() -> list[Path]:
    """The scenarios shipped with poolctl (`scenarios/` beside the package), in tour order."""
    folder = Path(__file__).resolve().parents[2] / "scenarios"
    if not folder.is_dir():
        raise InputError(f"the bundled scenarios are not found in {folder}")
    return sorted(folder.glob("*.yaml"))

"""The declarative schema of a scenario file: one pydantic model per section and per step kind.

Every model forbids unknown keys; `poolctl.yamlfile.validate` turns a model's error into
`file:line: key.path: message`.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from poolctl.framing import FRAMINGS
from poolctl.protocol import PROTOCOLS
from poolctl.units import MAX_REQUESTS, MAX_SECONDS
from poolctl.worker_types import DEFAULT_INIT_TIMEOUT, StderrMode

# Bounds a scenario cannot mean to pass: a day of waiting, ten million requests, ten thousand
# callers (each a coroutine) or workers (each a process). Past them the run would never end, or
# end the machine; a typo in a number (`1e400`, an extra zero) is an error at its line instead.
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS)]
PositiveSeconds = Annotated[float, Field(gt=0, le=MAX_SECONDS)]
MAX_CALLERS = 10_000
MAX_WORKERS = 1_000


def _words(command: list[str] | str) -> list[str]:
    """A command as its words: a string is split as a shell would (no shell runs it)."""
    return shlex.split(command) if isinstance(command, str) else command


def _runnable(command: list[str] | str) -> list[str] | str:
    """A command that names a program: not empty, and a string a shell could split."""
    try:
        words = _words(command)
    except ValueError as exc:  # shlex: "No closing quotation", "No escaped character"
        message = f"the command cannot be split into words ({exc}): write it as a list"
        raise ValueError(message) from None
    if not words or not words[0].strip():
        raise ValueError("the command is empty: it names no program")
    if any("\0" in word for word in words):
        raise ValueError("the command holds a NUL byte, which no program's argument can")
    return command


def _settable(env: dict[str, str]) -> dict[str, str]:
    """An environment a program can be given: names that are names (not empty, no `=`: the
    system splits `NAME=VALUE` at the first one), no NUL byte in a name or a value."""
    for name, value in env.items():
        if "\0" in name or "\0" in value:
            raise ValueError(f"the variable {name!r} holds a NUL byte, which no variable can")
        if not name or "=" in name:
            raise ValueError(
                f"{name!r} is no variable's name: a name is not empty and holds no '=' "
                "(the environment is NAME=VALUE, split at the first '=')"
            )
    return env


def _unsettable(names: list[str]) -> list[str]:
    """Names `unset_env` can remove: a `NAME=VALUE` or a NUL removes nothing, without a word."""
    for name in names:
        if not name or "=" in name or "\0" in name:
            raise ValueError(
                f"{name!r} is no variable's name: a name is not empty and holds no '=' or NUL"
                + (" (to set a variable: env)" if "=" in name else "")
            )
    return names


def _path(path: str | None) -> str | None:
    """A folder the system can be given: its NUL was printed raw in "no such directory"."""
    if path is not None and "\0" in path:
        raise ValueError("the path holds a NUL byte, which no path can")
    return path


def _json_value(value: Any) -> Any:
    """A value JSON can carry: YAML also has dates, non-string keys, `.nan` and `.inf`."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a JSON value: {exc}") from None
    if _has_key_not_text(value):
        raise ValueError("not a JSON value: an object's keys are strings in JSON")
    return value


def _has_key_not_text(value: Any) -> bool:
    if isinstance(value, dict):
        return any(not isinstance(k, str) or _has_key_not_text(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_key_not_text(v) for v in value)


Environment = Annotated[dict[str, str], AfterValidator(_settable)]


Command = Annotated[list[str] | str, AfterValidator(_runnable)]


class _Strict(BaseModel):
    # `.inf` and `.nan` are YAML floats: no timeout, count or delay means them
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class WorkerSection(_Strict):
    """How to start each worker."""

    command: Command
    protocol: str = "dspex"  # dspex, jsonrpc, mcp or lsp: what messages mean
    framing: str | None = None  # default: the protocol's (packet-4 for dspex)
    stderr: StderrMode = StderrMode.CAPTURE
    env: Environment = {}
    unset_env: Annotated[list[str], AfterValidator(_unsettable)] = []
    cwd: Annotated[str | None, AfterValidator(_path)] = None
    # LSP's initializationOptions, sent in its initialize (some servers need them to start)
    init_options: Annotated[Any, AfterValidator(_json_value)] = None
    init_timeout: PositiveSeconds = DEFAULT_INIT_TIMEOUT
    expect_mode: str | None = None  # the mode/adapter the caller expects the worker to report
    debug_logs: list[str] = []  # files the worker writes its own debug log to ({worker_id})

    @field_validator("protocol")
    @classmethod
    def _known_protocol(cls, value: str) -> str:
        if value not in PROTOCOLS:
            raise ValueError(f"unknown protocol {value!r} (choose one of: {', '.join(PROTOCOLS)})")
        return value

    @model_validator(mode="after")
    def _options_for_lsp(self) -> WorkerSection:
        if self.init_options is not None and self.protocol != "lsp":
            raise ValueError(
                f"init_options: LSP's initializationOptions, sent in its initialize; "
                f"{self.protocol} has none (protocol: lsp)"
            )
        return self

    @field_validator("framing")
    @classmethod
    def _known_framing(cls, value: str | None) -> str | None:
        if value is not None and value not in FRAMINGS:
            raise ValueError(f"unknown framing {value!r} (choose one of: {', '.join(FRAMINGS)})")
        return value

    def argv(self, base: Path) -> tuple[str, ...]:
        """The command with `{python}` (this interpreter) and `{scenario_dir}` filled in."""
        return tuple(filled(p, base) for p in _words(self.command))

    def environment(self, base: Path) -> dict[str, str]:
        """`env` with the placeholders filled in its values (a PYTHONPATH of `{scenario_dir}`)."""
        return {name: filled(value, base) for name, value in self.env.items()}

    def directory(self, base: Path) -> str | None:
        """`cwd` with the placeholders filled in."""
        return filled(self.cwd, base) if self.cwd is not None else None


def filled(text: str, base: Path) -> str:
    """`text` with `{python}` (this interpreter) and `{scenario_dir}` (the scenario file's
    folder) filled in."""
    return text.replace("{python}", sys.executable).replace("{scenario_dir}", str(base))


def filled_values(value: Any, base: Path) -> Any:
    """A request's args or a notification's params with `{scenario_dir}` filled in each string
    (nested objects and lists too): a document's URI, `file://{scenario_dir}/configure.ac`."""
    if isinstance(value, str):
        return value.replace("{scenario_dir}", str(base))
    if isinstance(value, dict):
        return {k: filled_values(v, base) for k, v in value.items()}
    if isinstance(value, list):
        return [filled_values(v, base) for v in value]
    return value


class PoolSection(_Strict):
    """How the pool behaves."""

    size: Annotated[int, Field(ge=1, le=MAX_WORKERS)] = 2
    max_overflow: Annotated[int, Field(ge=0, le=MAX_WORKERS)] = 0
    lazy: bool = False
    checkout_timeout: PositiveSeconds = 5.0
    request_timeout: PositiveSeconds = 5.0
    stop_grace: Seconds = 2.0


class ServiceSection(_Strict):
    """A named helper process that steps may start and require."""

    command: Command
    env: Environment = {}

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
    count: Annotated[int, Field(ge=1, le=MAX_REQUESTS)] = 1
    concurrency: Annotated[int, Field(ge=1, le=MAX_CALLERS)] = 1
    session: str | None = None  # a template: "user_{i}"
    timeout: PositiveSeconds | None = None
    expect: ResponseExpect = ResponseExpect()


class NotifyStep(_Strict):
    """A JSON-RPC notification (no answer) for every worker: those ready now, and each one that
    starts later, after its handshake (a language server's textDocument/didOpen, without which
    a hover on the document is refused: autotools-language-server's `KeyError: '<uri>'`)."""

    method: Annotated[str, Field(min_length=1)]
    params: Annotated[Any, AfterValidator(_json_value)] = None  # strings: {scenario_dir}


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

    @field_validator("signal", mode="before")
    @classmethod
    def _known_signal(cls, value: object) -> str:
        """`SIGKILL`, `KILL` or its number, `9`, as `kill` takes it."""
        import signal as signals

        text = str(value).strip()
        if text.isdigit():
            try:
                return signals.Signals(int(text)).name
            except ValueError:
                raise ValueError(f"unknown signal number {text}") from None
        name = text if text.startswith("SIG") else f"SIG{text}"
        if not hasattr(signals.Signals, name):
            raise ValueError(f"unknown signal {value!r}")
        return name


class ServiceStep(_Strict):
    name: str


STEP_TYPES: dict[str, type[_Strict]] = {
    "request": RequestStep,
    "notify": NotifyStep,
    "sleep": SleepStep,
    "stop_pool": StopPoolStep,
    "kill_worker": KillWorkerStep,
    "start_service": ServiceStep,
    "require_service": ServiceStep,
}

Step = RequestStep | NotifyStep | SleepStep | StopPoolStep | KillWorkerStep | ServiceStep


class ExpectSection(_Strict):
    """`outcome: ok`, or the pattern ids the scenario must reproduce (checked against the
    knowledge base by the loader, which knows the user's patterns too)."""

    outcome: Literal["ok"] | None = None
    patterns: list[str] = []

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

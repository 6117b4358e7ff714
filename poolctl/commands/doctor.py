"""`poolctl doctor [SCENARIO.yaml] [OPTIONS] [-- CMD ARGS...]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand

from poolctl.doctor import DEFAULT_INIT_TIMEOUT, DoctorOptions, run_doctor
from poolctl.doctor.pool_settings import load_for_doctor
from poolctl.errors import ExitCode, UsageProblem
from poolctl.framing import get_framing
from poolctl.history.recorder import HistoryRecorder
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    HistoryOpt,
    JsonOpt,
    KeepSecretsOpt,
    NoHistoryOpt,
    OutputOpt,
    output_options,
)
from poolctl.patterns import load_patterns
from poolctl.ping import REFERENCE_WORKER
from poolctl.protocol import PROTOCOLS, get_protocol
from poolctl.redact import remember_env
from poolctl.report import Format
from poolctl.report.publish import publish, save
from poolctl.rundir import create_run_dir
from poolctl.worker import StderrMode, WorkerSpec
from poolctl.worker_args import parse_env, resolve_command

WORKER_COMMAND = "poolctl.worker_command"


class DoctorCommand(TyperCommand):
    """Takes what follows `--` as the worker command, apart from the scenario argument."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if "--" in args:
            i = args.index("--")
            ctx.meta[WORKER_COMMAND] = args[i + 1 :]
            args = args[:i]
        return super().parse_args(ctx, args)


def doctor(
    ctx: typer.Context,
    scenario: Annotated[
        Path | None,
        typer.Argument(help="A scenario file: its worker and pool settings are checked."),
    ] = None,
    framing: Annotated[
        str | None,
        typer.Option(
            help="packet-4, packet-2, packet-1, line or content-length (default: the "
            "scenario's, else the protocol's)."
        ),
    ] = None,
    protocol: Annotated[
        str | None,
        typer.Option(
            help="dspex, jsonrpc, mcp (its handshake) or lsp (its handshake) (default: the "
            "scenario's, else dspex)."
        ),
    ] = None,
    init_budget: Annotated[
        float | None,
        typer.Option(
            "--init-budget",
            help="Seconds from spawn to the first answer that start-up may take (default: "
            "--timeout, the scenario's init_timeout, else the protocol's: "
            + ", ".join(f"{p.name} {p.init_budget:g} s" for p in PROTOCOLS.values())
            + ").",
            min=0.1,
        ),
    ] = None,
    stderr: Annotated[
        StderrMode | None,
        typer.Option(help="capture, merge (into stdout) or discard (default: the scenario's)."),
    ] = None,
    env: Annotated[
        list[str] | None, typer.Option("--env", help="NAME=VALUE for the worker (repeat).")
    ] = None,
    unset_env: Annotated[
        list[str] | None,
        typer.Option("--unset-env", help="Remove NAME from the worker's environment."),
    ] = None,
    cwd: Annotated[str | None, typer.Option(help="The worker's working directory.")] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="The init timeout to check start-up against, and the wait for an answer "
            f"(default: the scenario's init_timeout, else {DEFAULT_INIT_TIMEOUT:g}).",
            min=0.1,
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the evidence behind each check.")
    ] = False,
    as_json: JsonOpt = False,
    run_dir: Annotated[
        str | None, typer.Option("--run-dir", help="Where to keep the evidence.")
    ] = None,
    fmt: FormatOpt = Format.TERM,
    output: OutputOpt = "-",
    annotations: AnnotationsOpt = False,
    keep_secrets: KeepSecretsOpt = False,
    patterns: Annotated[
        list[str] | None,
        typer.Option(
            "--patterns",
            help="A folder of pattern files that add or override (repeat); "
            "the scenario may expect their ids.",
        ),
    ] = None,
    history: HistoryOpt = None,
    no_history: NoHistoryOpt = False,
) -> None:
    opts = output_options(Format.JSON if as_json else fmt, output, annotations, keep_secrets)
    recorder = HistoryRecorder(history, enabled=not no_history)
    cmd: list[str] = ctx.meta.get(WORKER_COMMAND, [])
    if cwd is not None and not Path(cwd).is_dir():
        raise UsageProblem(f"--cwd: not a directory: {cwd}")
    if framing is not None:
        get_framing(framing)
    if protocol is not None:
        get_protocol(protocol)
    kb = load_patterns(patterns) if patterns else None  # None: the builtin patterns
    loaded, unknown = load_for_doctor(scenario, kb) if scenario is not None else (None, ())
    base = loaded.worker_spec() if loaded is not None else WorkerSpec(argv=REFERENCE_WORKER)
    speaks = get_protocol(protocol or base.protocol)
    keeps_framing = loaded is not None and loaded.worker.framing is not None
    spec = WorkerSpec(
        argv=_worker_argv(cmd, cwd or base.cwd) if cmd else base.argv,
        framing=framing or (base.framing if keeps_framing else speaks.framing),
        protocol=speaks.name,
        stderr=stderr or base.stderr,
        env={**base.env, **parse_env(env or [])},
        unset_env=(*base.unset_env, *(unset_env or ())),
        cwd=cwd or base.cwd,
    )
    default = speaks.init_budget if speaks.handshake else DEFAULT_INIT_TIMEOUT
    init_timeout = (
        init_budget or timeout or (loaded.worker.init_timeout if loaded is not None else default)
    )
    doctor_options = DoctorOptions(
        spec=spec,
        init_timeout=init_timeout,
        scenario=loaded,
        unknown_settings=unknown,
        patterns=kb,
    )
    remember_env(spec.env)  # some checks start the interpreter themselves
    run = create_run_dir("doctor", run_dir)
    report = save(recorder.record(run_doctor(doctor_options, run)), run)
    publish([report], opts, verbose=verbose)
    recorder.finish()
    failed = any(c.status == "fail" for c in report.checks)
    raise typer.Exit(ExitCode.FINDINGS if failed else ExitCode.OK)


def _worker_argv(cmd: list[str], cwd: str | None) -> tuple[str, ...]:
    """The command as given: a missing program is a finding of the Worker command check."""
    try:
        return resolve_command(cmd, cwd)
    except UsageProblem:
        return tuple(cmd)

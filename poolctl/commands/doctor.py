"""`poolctl doctor [SCENARIO.yaml] [OPTIONS] [-- CMD ARGS...]`."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from typer.core import TyperCommand

from poolctl import context as run_context
from poolctl.console import stdout_console
from poolctl.errors import ExitCode, UsageProblem
from poolctl.history.recorder import HistoryRecorder
from poolctl.model import Check
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    FramingName,
    HistoryOpt,
    JsonOpt,
    KeepRunsOpt,
    KeepSecretsOpt,
    NoHistoryOpt,
    OutputOpt,
    ProtocolName,
    QuietOpt,
    VerboseOpt,
    output_options,
    require_folder,
)
from poolctl.patterns import load_patterns
from poolctl.progress import Waits, wait_display
from poolctl.protocol import PROTOCOLS, get_protocol
from poolctl.report import Format, doctor_view
from poolctl.report.publish import live_commands_stopped, publish, save
from poolctl.rundir import create_run_dir
from poolctl.units import MAX_SECONDS
from poolctl.worker_args import (
    REFERENCE_WORKER,
    parse_env,
    parse_init_options,
    parse_unset,
    resolve_command,
)
from poolctl.worker_types import DEFAULT_INIT_TIMEOUT, StderrMode, WorkerSpec

WORKER_COMMAND = "poolctl.worker_command"


class DoctorCommand(TyperCommand):
    """Takes what follows `--` as the worker command, apart from the scenario argument; without
    `--`, a first argument that names no scenario begins the worker command, as in `ping`."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if "--" in args:
            i = args.index("--")
            ctx.meta[WORKER_COMMAND] = args[i + 1 :]
            args = args[:i]
        elif (at := self._command_at(ctx, args)) is not None:
            ctx.meta[WORKER_COMMAND] = args[at:]
            args = args[:at]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        """Its usage names the worker command too, as ping's does: it is read apart from the
        parameters (`parse_args`), so click's usage left it out."""
        return [*super().collect_usage_pieces(ctx), "[-- CMD ARGS]..."]

    def _command_at(self, ctx: typer.Context, args: list[str]) -> int | None:
        """Where the worker command begins in `args` (no `--`): at the first positional argument
        when it is no scenario (`poolctl doctor python -m my_worker`: `-m` was "No such option"
        while `poolctl ping python -m my_worker` ran it). The options before it are doctor's."""
        parser = self.make_parser(ctx)
        parser.allow_interspersed_args = False  # stops at the first positional, as ping's does
        values, after, _ = parser.parse_args(args=list(args))
        first = values.get("scenario")
        if not isinstance(first, str) or not starts_worker_command(first, after):
            return None
        return len(args) - len(after) - 1


def starts_worker_command(first: str, after: list[str]) -> bool:
    """Whether `first`, doctor's first positional argument given without `--`, begins the worker
    command rather than naming a scenario. A `.yaml` or `.yml` file and a bundled scenario's name
    are scenarios; so is a lone word that runs no program (a bundled name mistyped is told so,
    with the names); a program, or a word with arguments after it, is a command."""
    from poolctl.languages import script_language
    from poolctl.scenario import bundled_scenarios

    if Path(first).suffix in (".yaml", ".yml") or first in {p.stem for p in bundled_scenarios()}:
        return False
    # a folder, or a script by its suffix (`worker.py`), is no scenario: its Worker command
    # check says why it does not start (it was read as YAML: 'invalid YAML', 'Is a directory')
    here = Path(first)
    if here.is_dir() or (here.is_file() and script_language(first) is not None):
        return True
    return bool(after) or shutil.which(first) is not None


TYPER_SETTINGS = {"cls": DoctorCommand}


def doctor(
    ctx: typer.Context,
    scenario: Annotated[
        Path | None,
        typer.Argument(
            metavar="SCENARIO.yaml",
            help="A scenario file, or a bundled scenario's name (its worker and pool settings "
            "are checked); after `--`, or in its place, the worker command (default: the "
            "reference worker).",
        ),
    ] = None,
    framing: Annotated[
        FramingName | None,
        typer.Option(
            help="How bytes become messages (default: the scenario's, else the protocol's)."
        ),
    ] = None,
    protocol: Annotated[
        ProtocolName | None,
        typer.Option(
            help="What messages mean; mcp and lsp check their handshake (default: the "
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
            max=MAX_SECONDS,
        ),
    ] = None,
    stderr: Annotated[
        StderrMode | None,
        typer.Option(help="capture, merge (into stdout) or discard (default: the scenario's)."),
    ] = None,
    init_options: Annotated[
        str | None,
        typer.Option(
            "--init-options",
            metavar="JSON|@FILE",
            help="With lsp: the initializationOptions its initialize sends (JSON, or @FILE "
            "holding it; default: the scenario's init_options).",
        ),
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
            max=MAX_SECONDS,
        ),
    ] = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
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
    keep: KeepRunsOpt = None,
    history: HistoryOpt = None,
    no_history: NoHistoryOpt = False,
) -> None:
    # the checks and the scenario schema (pydantic's models): imported to run, not for --help
    from poolctl.doctor import DoctorOptions, run_doctor
    from poolctl.doctor.pool_settings import load_for_doctor
    from poolctl.scenario import find_scenario

    context = run_context.of(ctx)
    context.stderr_caps.setting()  # a bad POOLCTL_STDERR_CAP: one line, before any worker
    opts = output_options(
        fmt,
        output,
        annotations,
        keep_secrets,
        context.secrets,
        as_json=as_json,
        quiet=quiet,
        verbose=verbose,
        inputs=[scenario] if scenario is not None else (),
    )
    recorder = HistoryRecorder(history, enabled=not no_history, secrets=context.secrets)
    cmd: list[str] = ctx.meta.get(WORKER_COMMAND, [])
    if cwd is not None:
        require_folder("--cwd", cwd)
    kb = load_patterns(patterns) if patterns else None  # None: the builtin patterns
    if scenario is not None:
        scenario = find_scenario(str(scenario))  # a file, or a bundled scenario by name
    loaded, unknown = load_for_doctor(scenario, kb) if scenario is not None else (None, ())
    base = loaded.worker_spec() if loaded is not None else WorkerSpec(argv=REFERENCE_WORKER)
    speaks = get_protocol(protocol.value if protocol else base.protocol)
    keeps_framing = loaded is not None and loaded.worker.framing is not None
    spec = WorkerSpec(
        argv=_worker_argv(cmd, cwd or base.cwd) if cmd else base.argv,
        framing=framing.value if framing else (base.framing if keeps_framing else speaks.framing),
        protocol=speaks.name,
        stderr=stderr or base.stderr,
        env={**base.env, **parse_env(env or [])},
        unset_env=(*base.unset_env, *parse_unset(unset_env or [])),
        cwd=cwd or base.cwd,
        init_options=(
            parse_init_options(init_options, speaks.name)
            if init_options is not None
            else base.init_options
        ),
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
    context.secrets.remember_command(spec.argv, spec.env)  # checks start it in their own ways
    run = create_run_dir("doctor", run_dir, context=context, keep=keep)
    live = opts.terminal and not opts.quiet  # each section printed as it is done
    console = stdout_console(context.secrets)
    with live_commands_stopped(opts, context.secrets):  # no line it quotes runs in Actions
        with wait_display(quiet=opts.quiet) as waits:
            if live:
                printer = _SectionPrinter(console, waits, verbose=opts.verbose)
                doctor_options = dataclasses.replace(doctor_options, listener=printer)
            report = save(recorder.record(run_doctor(doctor_options, run)), run)
        if live:
            doctor_view.render_end(report, console, verbose=opts.verbose)
    publish([report], opts, context, shown_live=live)
    recorder.finish()
    failed = any(c.status == "fail" for c in report.checks)
    raise typer.Exit(ExitCode.FINDINGS if failed else ExitCode.OK)


class _SectionPrinter:
    """Prints doctor's view a section at a time, as each is done (the progress line of the
    section under way is taken off the screen meanwhile)."""

    def __init__(self, console: Console, waits: Waits, *, verbose: bool) -> None:
        self.console = console
        self.waits = waits
        self.verbose = verbose

    def started(self, worker: str) -> None:
        with self.waits.paused():
            doctor_view.render_header(worker, self.console)

    def finished(self, section: str, checks: Sequence[Check]) -> None:
        with self.waits.paused():
            doctor_view.render_section(section, checks, self.console, verbose=self.verbose)


def _worker_argv(cmd: list[str], cwd: str | None) -> tuple[str, ...]:
    """The command as given: a missing program is a finding of the Worker command check."""
    try:
        return resolve_command(cmd, cwd)
    except UsageProblem:
        return tuple(cmd)

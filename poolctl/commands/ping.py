"""`poolctl ping [OPTIONS] -- CMD [ARGS...]`."""

from __future__ import annotations

from typing import Annotated

import typer

from poolctl import context as run_context
from poolctl.errors import ExitCode, UsageProblem
from poolctl.history.recorder import HistoryRecorder
from poolctl.options import (
    AnnotationsOpt,
    FormatOpt,
    HistoryOpt,
    JsonOpt,
    KeepRunsOpt,
    KeepSecretsOpt,
    NoHistoryOpt,
    OutputOpt,
    PingFraming,
    ProtocolName,
    QuietOpt,
    VerboseOpt,
    output_options,
    require_folder,
)
from poolctl.progress import wait_display
from poolctl.protocol import get_protocol
from poolctl.report import Format
from poolctl.report.publish import publish, save
from poolctl.rundir import create_run_dir
from poolctl.units import MAX_REQUESTS, MAX_SECONDS
from poolctl.worker_args import (
    parse_args_json,
    parse_env,
    parse_init_options,
    parse_unset,
    resolve_command,
)
from poolctl.worker_types import StderrMode, WorkerSpec

# What follows the worker command is the worker's, not poolctl's.
TYPER_SETTINGS = {"context_settings": {"allow_interspersed_args": False}}


def ping(
    ctx: typer.Context,
    cmd: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="-- CMD ARGS",
            help="The worker command, after `--` (default: the reference worker).",
        ),
    ] = None,
    framing: Annotated[
        PingFraming | None,
        typer.Option(
            help="How bytes become messages; auto tries each in a fresh process. Default: the "
            "protocol's (packet-4 for dspex, line for jsonrpc and mcp, content-length for lsp)."
        ),
    ] = None,
    protocol: Annotated[
        ProtocolName,
        typer.Option(
            help="dspex (the DSPex envelope), jsonrpc (JSON-RPC 2.0: --command is the method, "
            "--args the params), mcp (initialize, initialized, ping, tools/list) or lsp "
            "(initialize, initialized, shutdown, exit)."
        ),
    ] = ProtocolName.DSPEX,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for each answer.", min=0.01, max=MAX_SECONDS)
    ] = 5.0,
    count: Annotated[
        int,
        typer.Option(
            help="Pings to send (prints min, median and max; p99 from 100); with mcp, MCP pings.",
            min=1,
            max=MAX_REQUESTS,
        ),
    ] = 1,
    stderr: Annotated[
        StderrMode, typer.Option(help="capture (to the run folder), merge (into stdout), discard.")
    ] = StderrMode.CAPTURE,
    command: Annotated[
        str | None,
        typer.Option(
            "--command",
            help="The request's command (the JSON-RPC method), sent --count times "
            "(default: ping; with lsp, none between initialized and shutdown).",
        ),
    ] = None,
    args: Annotated[
        str | None, typer.Option("--args", help="The request's args, a JSON object.")
    ] = None,
    init_options: Annotated[
        str | None,
        typer.Option(
            "--init-options",
            metavar="JSON|@FILE",
            help="With lsp: the initializationOptions its initialize sends (JSON, or @FILE "
            "holding it), which some servers need to start.",
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
    experiments: Annotated[
        bool,
        typer.Option(
            "--experiments/--no-experiments",
            help="On no answer, test hypotheses in fresh processes.",
        ),
    ] = True,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    run_dir: Annotated[
        str | None, typer.Option("--run-dir", help="Where to keep the evidence.")
    ] = None,
    fmt: FormatOpt = Format.TERM,
    output: OutputOpt = "-",
    annotations: AnnotationsOpt = False,
    keep_secrets: KeepSecretsOpt = False,
    keep: KeepRunsOpt = None,
    history: HistoryOpt = None,
    no_history: NoHistoryOpt = False,
) -> None:
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
    )
    recorder = HistoryRecorder(history, enabled=not no_history, secrets=context.secrets)
    if cwd is not None:
        require_folder("--cwd", cwd)
    speaks = get_protocol(protocol)
    chosen = framing.value if framing is not None else speaks.framing
    auto = chosen == PingFraming.AUTO
    if (
        count > 1
        and not command
        and not any(s.repeat for s in speaks.steps(None, None, None, None))
    ):
        raise UsageProblem(f"--count: {protocol.value} has no request to repeat; give --command")
    spec = WorkerSpec(
        argv=resolve_command(cmd or [], cwd),
        framing=speaks.framing if auto else chosen,
        protocol=protocol.value,
        stderr=stderr,
        env=parse_env(env or []),
        unset_env=parse_unset(unset_env or []),
        cwd=cwd,
        init_options=parse_init_options(init_options, protocol.value),
    )
    from poolctl.ping import PingOptions, run_ping, to_report  # with the diagnosis: not for --help

    ping_options = PingOptions(
        spec=spec,
        timeout=timeout,
        count=count,
        command=command,
        args=parse_args_json(args),
        experiments=experiments,
        auto_framing=auto,
    )
    run = create_run_dir("ping", run_dir, context=context, keep=keep)
    with wait_display(quiet=opts.quiet):
        result = run_ping(ping_options, run)
    publish([save(recorder.record(to_report(result)), run)], opts, context)
    recorder.finish()
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.FINDINGS)

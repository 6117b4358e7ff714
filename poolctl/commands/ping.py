"""`poolctl ping [OPTIONS] -- CMD [ARGS...]`."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from poolctl.commands.output import (
    AnnotationsOpt,
    FormatOpt,
    JsonOpt,
    KeepSecretsOpt,
    OutputOpt,
    options,
    publish,
    save,
)
from poolctl.errors import ExitCode, UsageProblem
from poolctl.framing import get_framing
from poolctl.model import Diagnosis
from poolctl.ping import REFERENCE_WORKER, PingOptions, PingResult, run_ping, to_report
from poolctl.report import Format
from poolctl.rundir import create_run_dir
from poolctl.worker import StderrMode, WorkerSpec

STATUS_MARK = {
    "confirmed": "[red]✓ confirmed[/]",
    "ruled-out": "[green]✗ ruled out[/]",
    "untested": "[yellow]? untested[/]",
}


def parse_env(pairs: list[str]) -> dict[str, str]:
    """`K=V` pairs into a dict; `K=` sets an empty value."""
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageProblem(f"--env expects NAME=VALUE, got {pair!r}")
        env[key] = value
    return env


def parse_args_json(text: str | None) -> dict[str, Any]:
    """`--args` as a JSON object."""
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UsageProblem(f"--args is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UsageProblem(f"--args must be a JSON object, got {type(value).__name__}")
    return value


def resolve_command(cmd: list[str], cwd: str | None) -> tuple[str, ...]:
    """The worker command, checked before spawning; the reference worker when none is given."""
    if not cmd:
        return REFERENCE_WORKER
    program = cmd[0]
    if "/" in program:
        path = Path(cwd or ".") / program if not Path(program).is_absolute() else Path(program)
        if not path.exists():
            raise UsageProblem(f"command not found: {program}")
    elif shutil.which(program) is None:
        raise UsageProblem(f"command not found on PATH: {program}")
    return tuple(cmd)


def ping(
    cmd: Annotated[
        list[str] | None,
        typer.Argument(help="The worker command, after `--` (default: the reference worker)."),
    ] = None,
    framing: Annotated[
        str,
        typer.Option(
            help="packet-4, packet-2, packet-1, line, or auto (try each in a fresh process)."
        ),
    ] = "packet-4",
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for each answer.", min=0.01)
    ] = 5.0,
    count: Annotated[
        int, typer.Option(help="Pings to send (prints min, median, p99, max).", min=1)
    ] = 1,
    stderr: Annotated[
        StderrMode, typer.Option(help="capture (to the run folder), merge (into stdout), discard.")
    ] = StderrMode.CAPTURE,
    command: Annotated[str, typer.Option("--command", help="The request's command.")] = "ping",
    args: Annotated[
        str | None, typer.Option("--args", help="The request's args, a JSON object.")
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
    run_dir: Annotated[
        str | None, typer.Option("--run-dir", help="Where to keep the evidence.")
    ] = None,
    fmt: FormatOpt = Format.TERM,
    output: OutputOpt = "-",
    annotations: AnnotationsOpt = False,
    keep_secrets: KeepSecretsOpt = False,
) -> None:
    opts = options(Format.JSON if as_json else fmt, output, annotations, keep_secrets)
    if cwd is not None and not Path(cwd).is_dir():
        raise UsageProblem(f"--cwd: not a directory: {cwd}")
    auto = framing == "auto"
    if not auto:
        get_framing(framing)
    spec = WorkerSpec(
        argv=resolve_command(cmd or [], cwd),
        framing="packet-4" if auto else framing,
        stderr=stderr,
        env=parse_env(env or []),
        unset_env=tuple(unset_env or ()),
        cwd=cwd,
    )
    ping_options = PingOptions(
        spec=spec,
        timeout=timeout,
        count=count,
        command=command,
        args=parse_args_json(args),
        experiments=experiments,
        auto_framing=auto,
    )
    run = create_run_dir("ping", run_dir)
    result = run_ping(ping_options, run)
    report = save(to_report(result), run)
    term = None
    if opts.fmt is Format.TERM:  # the verdict-first view, with the report's (redacted) notes
        color = opts.terminal and sys.stdout.isatty()
        term = render_text(dataclasses.replace(result, notes=report.notes), color=color)
    publish([report], opts, term=term)
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.FINDINGS)


def render_text(result: PingResult, *, color: bool = False, width: int = 100) -> str:
    """The terminal view as text (ANSI colours with `color`)."""
    out = io.StringIO()
    console = Console(
        file=out,
        width=shutil.get_terminal_size().columns if color else width,
        force_terminal=color,
        color_system="standard" if color else None,
        soft_wrap=True,
        highlight=False,
        emoji=False,
    )
    render(result, console)
    return out.getvalue()


def render(result: PingResult, console: Console) -> None:
    """The terminal view: the answer and its timing, or the verdict, evidence and hypotheses."""
    w = result.worker
    argv = escape(" ".join(result.options.spec.argv))
    if result.framing_trials:
        answered = [t.framing for t in result.framing_trials if t.answered]
        tried = "; ".join(f"{t.framing}: {t.detail}" for t in result.framing_trials)
        found = (
            f"{answered[0]} gets an answer, using it"
            if answered
            else "no framing gets an answer; diagnosing in packet-4"
        )
        console.print(f"--framing auto: {found} [dim]({escape(tried)})[/]")
    if result.ok:
        stats = result.stats_ms()
        console.print(
            f"[green]✓[/] {argv} answered {result.options.command!r} in {stats['median']:.3f} ms "
            f"(pid {w['pid']}, {w['framing']})"
        )
        if result.last_response is not None:
            body = (
                result.last_response.result
                if result.last_response.success
                else result.last_response.error
            )
            label = "result" if result.last_response.success else "[red]error[/]"
            console.print(f"  {label}: {escape(json.dumps(body))}")
        if len(result.round_trips) > 1:
            console.print(
                f"  {len(result.round_trips)} round trips: "
                + " · ".join(f"{k} {stats[k]:.3f} ms" for k in ("min", "median", "p99", "max"))
            )
    else:
        assert result.diagnosis is not None
        render_diagnosis(result.diagnosis, console)
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"run folder: {escape(result.run_dir)}")


def _indent(text: str, prefix: str) -> str:
    return escape(text).replace("\n", "\n" + prefix)


def render_diagnosis(d: Diagnosis, console: Console) -> None:
    """Verdict first, then its evidence and the fix, then every hypothesis and how it fared."""
    console.print(f"[red]✗ {escape(d.cause)}[/] — pattern {d.pattern_number} ({d.pattern_id})")
    if d.evidence:
        console.print("[bold]Evidence[/]")
        for ev in d.evidence:
            note = f" — {escape(ev.note)}" if ev.note else ""
            console.print(f"  • {_indent(ev.text, '    ')}  [dim]({escape(ev.origin)})[/]{note}")
    if d.remediation:
        console.print("[bold]Remediation[/]")
        console.print(f"  {escape(d.remediation)}")
    if d.hypotheses:
        console.print("[bold]Hypotheses[/]")
        for h in d.hypotheses:
            label = h.title.split(":", 1)[0]
            why = f" — {escape(h.reason)}" if h.reason else ""
            console.print(f"  {STATUS_MARK[h.status]}  {escape(label)}{why}")
            if h.status != "confirmed":
                for ev in h.evidence:
                    text = _indent(ev.text, "        ")
                    console.print(f"      {text} [dim]({escape(ev.origin)})[/]")
    seconds = d.facts.get("diagnosis_s")
    files = d.facts.get("evidence_files") or []
    if seconds is not None:
        kept = f"; evidence: {escape(', '.join(files))}" if files else ""
        console.print(f"[dim]diagnosed in {seconds:.1f} s{kept}[/]")

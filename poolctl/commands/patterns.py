"""`poolctl patterns list | show ID | test ID [LOG] | new --from LOG --cluster ID`: read, test and
extend the knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from poolctl.console import stderr_stream, stdout_console
from poolctl.errors import ExitCode, UsageProblem
from poolctl.logs import FORMATS, read_logs
from poolctl.patterns import Pattern, PatternSet, builtin_dir, load_patterns
from poolctl.patterns.examples import to_failure, walk
from poolctl.patterns.loader import load_file
from poolctl.patterns.regex import timing
from poolctl.report.patterns_view import (
    ExampleOutcome,
    render_examples,
    render_list,
    render_new,
    render_pattern,
    render_slowest,
    render_test,
)
from poolctl.report.publish import prepare
from poolctl.triage.classifier import pick, score
from poolctl.triage.engine import triage
from poolctl.triage.explain import explain, slowest
from poolctl.triage.facts import FactContext
from poolctl.triage.fields import FailureView
from poolctl.triage.starter import starter_pattern

patterns_app = typer.Typer(
    name="patterns",
    help="List, show and test the failure patterns (the knowledge base).",
    no_args_is_help=True,
    add_completion=False,
)

PatternDirs = Annotated[
    list[str] | None,
    typer.Option("--patterns", help="A folder of pattern files that add or override (repeat)."),
]


def _origin_of(p: Pattern) -> str:
    return "builtin" if p.path.startswith(str(builtin_dir())) else p.path


@patterns_app.command("list", help="Every pattern: number, id, title and where it comes from.")
def list_patterns(patterns: PatternDirs = None) -> None:
    kb = list(load_patterns(patterns or []))
    render_list(kb, [_origin_of(p) for p in kb], stdout_console())


@patterns_app.command("show", help="One pattern in full: signals, facts, causes, remediation.")
def show_pattern(
    pattern_id: Annotated[str, typer.Argument(metavar="ID", help="Its id or number.")],
    patterns: PatternDirs = None,
) -> None:
    p = load_patterns(patterns or []).get(pattern_id)
    render_pattern(p, stdout_console())


@patterns_app.command(
    "test",
    help="Which lines of LOG fire the pattern's signals, and why; without LOG, its own examples.",
)
def test_pattern(
    pattern_id: Annotated[str, typer.Argument(metavar="ID", help="Its id or number.")],
    log: Annotated[
        list[str] | None, typer.Argument(metavar="[LOG]...", help="Test logs; - is stdin.")
    ] = None,
    patterns: PatternDirs = None,
    log_format: Annotated[
        str, typer.Option("--log-format", help=f"The logs' format: {', '.join(FORMATS)}.")
    ] = "auto",
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list failures where no signal fires.")
    ] = False,
) -> None:
    kb = load_patterns(patterns or [])
    for note in kb.engine_notes():  # a user's regex RE2 cannot run: named when it loads
        stderr_stream().write(f"poolctl: note: {note}\n")
    pattern = kb.get(pattern_id)
    console = stdout_console()
    if not log:
        with timing() as times:
            outcomes = run_examples(pattern, kb)
        render_examples(pattern, outcomes, console)
        render_slowest(slowest(kb, times), console)
        raise typer.Exit(ExitCode.OK if all(o.ok for o in outcomes) else ExitCode.FINDINGS)
    parsed = read_logs(log, log_format)
    with timing() as times:
        results = explain(pattern, parsed, kb)
    render_test(pattern, parsed.inputs, results, parsed.skipped, console, show_all=show_all)
    render_slowest(slowest(kb, times), console)
    matched = any(r.verdict == "matches" for r in results)
    raise typer.Exit(ExitCode.OK if matched else ExitCode.FINDINGS)


def run_examples(pattern: Pattern, kb: PatternSet) -> list[ExampleOutcome]:
    """The pattern's own examples against the whole knowledge base."""
    outcomes = []
    for expect, i, example in walk(pattern):
        view = FailureView(to_failure(example, f"{pattern.path} example {expect}[{i}]"))
        best, _ = pick(score(p, view, FactContext()) for p in kb)
        got = best.pattern.id if best else None
        ok = got == pattern.id if expect == "match" else got != pattern.id
        outcomes.append(ExampleOutcome(expect, i, example.note, got, ok))
    return outcomes


@patterns_app.command(
    "new",
    help="Write a starter pattern from a cluster of unclassified failures in a log "
    "(the clusters are listed by `poolctl triage`); then `patterns test` shows what it claims.",
)
def new_pattern(
    logs: Annotated[
        list[str], typer.Option("--from", metavar="LOG", help="The test log (repeat); - is stdin.")
    ],
    cluster: Annotated[
        str, typer.Option("--cluster", metavar="ID", help="The cluster's id (or a prefix of it).")
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="A folder of pattern files, or the .yaml file to write."
        ),
    ] = "patterns",
    patterns: PatternDirs = None,
    log_format: Annotated[
        str, typer.Option("--log-format", help=f"The logs' format: {', '.join(FORMATS)}.")
    ] = "auto",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    target = Path(output)
    to_file = target.suffix in (".yaml", ".yml")
    folder = target.parent if to_file else target
    dirs = list(patterns or [])
    if not to_file and any(folder.glob("*.y*ml")) and str(folder) not in dirs:
        dirs.append(str(folder))  # patterns written there before: their ids and numbers are taken
    kb = load_patterns(dirs)
    # the starter quotes the log's failures: it is written as every output is, redacted
    report = prepare(triage(read_logs(logs, log_format), kb))
    taken = [p.stem for p in folder.glob("*.y*ml")] if folder.is_dir() else []
    starter = starter_pattern(report, cluster, kb, " ".join(logs), taken)
    path = target if to_file else folder / f"{starter.pattern_id}.yaml"
    if path.exists() and not force:
        raise UsageProblem(
            f"{path} exists; choose another --output or add --force", where="--output"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(starter.text, encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(
            f"cannot write {path}: {exc.strerror or exc}", where="--output"
        ) from None
    load_file(path)  # what was written loads as every pattern file does
    render_new(starter, path, logs, folder, stdout_console())

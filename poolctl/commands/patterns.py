"""`poolctl patterns list | show ID | test ID [LOG]`: read and test the knowledge base."""

from __future__ import annotations

from typing import Annotated

import typer

from poolctl.console import stdout_console
from poolctl.errors import ExitCode
from poolctl.logs import FORMATS, read_logs
from poolctl.patterns import Pattern, PatternSet, builtin_dir, load_patterns
from poolctl.patterns.examples import to_failure, walk
from poolctl.report.patterns_view import (
    ExampleOutcome,
    render_examples,
    render_list,
    render_pattern,
    render_test,
)
from poolctl.triage.classifier import pick, score
from poolctl.triage.explain import explain
from poolctl.triage.facts import FactContext
from poolctl.triage.fields import FailureView

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
    pattern = kb.get(pattern_id)
    console = stdout_console()
    if not log:
        outcomes = run_examples(pattern, kb)
        render_examples(pattern, outcomes, console)
        raise typer.Exit(ExitCode.OK if all(o.ok for o in outcomes) else ExitCode.FINDINGS)
    parsed = read_logs(log, log_format)
    results = explain(pattern, parsed, kb)
    render_test(pattern, parsed.inputs, results, parsed.skipped, console, show_all=show_all)
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

"""`poolctl patterns list | show ID | test ID [LOG] | new --from LOG --cluster ID`: read, test and
extend the knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from poolctl.console import stdout_console
from poolctl.errors import ExitCode, UsageProblem
from poolctl.logs import FORMATS, read_logs
from poolctl.patterns import Pattern, PatternSet, builtin_dir, load_patterns
from poolctl.patterns.examples import to_failure, walk
from poolctl.patterns.loader import load_file
from poolctl.report.view import fmt_value
from poolctl.triage.classifier import pick, score
from poolctl.triage.engine import triage
from poolctl.triage.explain import Explanation, explain
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
VERDICT = {
    "matches": "[green]✓ matches[/]",
    "below threshold": "[yellow]· below threshold[/]",
    "vetoed": "[yellow]✗ vetoed[/]",
    "no signal": "[dim]· no signal[/]",
    "outranked": "[yellow]· outranked[/]",
}


def _origin_of(p: Pattern) -> str:
    return "builtin" if p.path.startswith(str(builtin_dir())) else p.path


@patterns_app.command("list", help="Every pattern: number, id, title and where it comes from.")
def list_patterns(patterns: PatternDirs = None) -> None:
    kb = load_patterns(patterns or [])
    console = stdout_console()
    width = max(len(p.id) for p in kb)
    for p in kb:
        console.print(
            f"{p.number:>2}  {p.id:<{width}}  {escape(p.title)}  "
            f"[dim]({len(p.signals)} signals, {escape(_origin_of(p))})[/]"
        )


@patterns_app.command("show", help="One pattern in full: signals, facts, causes, remediation.")
def show_pattern(
    pattern_id: Annotated[str, typer.Argument(metavar="ID", help="Its id or number.")],
    patterns: PatternDirs = None,
) -> None:
    p = load_patterns(patterns or []).get(pattern_id)
    render_pattern(p, stdout_console())


def render_pattern(p: Pattern, c: Console) -> None:
    """The whole pattern, as its author wrote it."""
    c.print(f"[bold]{p.number} {p.id}[/] — {escape(p.title)}  [dim]({escape(p.path)})[/]")
    c.print(escape(p.summary))
    if p.rationale:
        c.print()
        c.print(escape(p.rationale))
    if p.example:
        c.print()
        c.print("[bold]Example[/]")
        for line in p.example.splitlines():
            c.print(f"  [dim]{escape(line)}[/]")
    c.print()
    c.print(f"[bold]Signals[/] (threshold {p.threshold:.2f}; confidence = sum of fired weights)")
    for s in p.signals:
        what = f"fact {s.fact}" if s.fact else f"{s.field} ~ /{s.regex.pattern if s.regex else ''}/"
        c.print(f"  {s.weight:.2f}  {escape(what)}")
        c.print(f"        [dim]{escape(s.why)}[/]")
    if p.negative:
        c.print("[bold]Negative signals[/]")
        for n in p.negative:
            effect = "veto" if n.veto else f"-{n.weight:.2f}"
            c.print(f"  {effect}  {escape(n.field)} ~ /{escape(n.regex.pattern)}/")
            c.print(f"        [dim]{escape(n.why)}[/]")
    if p.facts:
        c.print("[bold]Facts[/]")
        for f in p.facts:
            if f.builtin:
                how = f"builtin {f.builtin}"
            elif f.compare:
                how = "compare " + " ".join(f.compare)
            else:
                how = f"{f.field} ~ /{f.regex.pattern if f.regex else ''}/ ({f.aggregate})"
            c.print(f"  {escape(f.name)}: {escape(how)}")
    if p.causes:
        c.print("[bold]Candidate causes[/] (untested unless the log shows evidence)")
        for cause in p.causes:
            c.print(f"  {escape(cause.id)}: {escape(cause.text)}")
            c.print(f"        [dim]tell apart: {escape(cause.tell_apart)}[/]")
    c.print("[bold]Remediation template[/]")
    c.print(f"  {escape(p.remediation)}")
    if p.reproduce:
        c.print(f"[bold]Reproduce[/]  {escape(p.reproduce)}")
    if p.examples:
        c.print(
            f"[bold]Examples[/]  {len(p.examples.match)} must match, "
            f"{len(p.examples.no_match)} must not (poolctl patterns test {p.id})"
        )


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
        ok = run_examples(pattern, kb, console)
        raise typer.Exit(ExitCode.OK if ok else ExitCode.FINDINGS)
    parsed = read_logs(log, log_format)
    results = explain(pattern, parsed, kb)
    matched = [r for r in results if r.verdict == "matches"]
    console.print(
        f"[bold]{pattern.number} {pattern.id}[/] on {escape(', '.join(parsed.inputs))}: "
        f"claims {len(matched)} of {len(results)} failure(s) (threshold {pattern.threshold:.2f})"
    )
    quiet = 0
    for r in results:
        if r.verdict == "no signal" and not show_all:
            quiet += 1
            continue
        render_explanation(r, console)
    if quiet:
        console.print(f"[dim]{quiet} failure(s) where no signal fires (--all lists them)[/]")
    for note in parsed.skipped:
        console.print(f"[yellow]skipped:[/] {escape(note)}")
    raise typer.Exit(ExitCode.OK if matched else ExitCode.FINDINGS)


def render_explanation(r: Explanation, c: Console) -> None:
    """One failure: the verdict, each rule that fired (quoted, with its line) and the facts."""
    f = r.failure
    winner = ""
    if r.verdict != "matches":
        winner = f" [dim](the knowledge base picks {escape(r.winner or 'none: unclassified')})[/]"
    c.print()
    c.print(
        f"{VERDICT[r.verdict]} {r.score.confidence:.2f}  {escape(f.name)}  "
        f"[dim]{escape(f.origin)}[/]{winner}"
    )
    for rule in r.rules:
        if rule.hit is None:
            continue
        mark = {
            "signal": f"+{rule.rule.weight:.2f}",
            "veto": "veto",
            "penalty": f"-{rule.rule.weight:.2f}",
        }[rule.role]
        c.print(f"    {mark}  {escape(rule.hit.quote)}  [dim]({escape(rule.hit.origin)})[/]")
        c.print(f"           [dim]{escape(rule.rule.why)} — field {escape(rule.hit.field)}[/]")
    if r.facts:
        c.print(
            "    facts: " + escape(" · ".join(f"{k} = {fmt_value(v)}" for k, v in r.facts.items()))
        )


def run_examples(pattern: Pattern, kb: PatternSet, c: Console) -> bool:
    """The pattern's own examples against the whole knowledge base; True when all pass."""
    if pattern.examples is None:
        c.print(f"{pattern.id} has no examples")
        return True
    failed = 0
    for expect, i, example in walk(pattern):
        view = FailureView(to_failure(example, f"{pattern.path} example {expect}[{i}]"))
        best, _ = pick(score(p, view, FactContext()) for p in kb)
        got = best.pattern.id if best else None
        ok = got == pattern.id if expect == "match" else got != pattern.id
        failed += not ok
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        note = f" {escape(example.note)}" if example.note else ""
        c.print(f"{mark} {expect}[{i}]{note}: picked {escape(got or 'none')}")
    c.print(f"{'[green]all examples pass[/]' if not failed else f'[red]{failed} failed[/]'}")
    return not failed


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
    report = triage(read_logs(logs, log_format), kb)
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
    console = stdout_console()
    n = len(starter.cluster.findings)
    console.print(
        f"wrote {escape(str(path))}: pattern {escape(starter.pattern_id)} from cluster "
        f"{escape(starter.cluster.id)} ({n} failure{'s' * (n != 1)})"
    )
    console.print(
        f"next: poolctl patterns test {escape(starter.pattern_id)} {escape(' '.join(logs))} "
        f"--patterns {escape(str(folder))}"
    )

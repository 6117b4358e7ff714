"""The terminal views of the knowledge base (`poolctl patterns`): the list of patterns, one
pattern in full, why a pattern does or does not claim each failure of a log, its own
examples run against the whole knowledge base, and a starter pattern written from a cluster.
Each takes `quiet` (the verdict or the names alone) and `verbose` (every detail); the JSON and
Markdown documents are `patterns_doc`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from poolctl.patterns import Pattern
from poolctl.report.patterns_doc import ExampleOutcome, claims_line, examples_line, next_step
from poolctl.report.view import fmt_value
from poolctl.termtext import escape

if TYPE_CHECKING:  # the triage engine: not for `poolctl patterns ... --help`
    from poolctl.triage.explain import Explanation, RegexTime
    from poolctl.triage.starter import Starter

VERDICT = {
    "matches": "[green]✓ matches[/]",
    "below threshold": "[yellow]· below threshold[/]",
    "vetoed": "[yellow]✗ vetoed[/]",
    "no signal": "[dim]· no signal[/]",
    "outranked": "[yellow]· outranked[/]",
}


def render_list(
    patterns: Sequence[Pattern],
    origins: Sequence[str],
    c: Console,
    *,
    quiet: bool = False,
    verbose: bool = False,
) -> None:
    """A line per pattern: number, id, title, its signals and where it comes from; `quiet`
    the ids alone (for a script), `verbose` each one's summary and reproduce line too."""
    if quiet:
        for p in patterns:
            c.print(p.id)
        return
    width = max((len(p.id) for p in patterns), default=0)
    for p, origin in zip(patterns, origins, strict=True):
        c.print(
            f"{p.number:>2}  {p.id:<{width}}  {escape(p.title)}  "
            f"[dim]({len(p.signals)} signals, {escape(origin)})[/]"
        )
        if verbose:
            c.print(f"    {escape(' '.join(p.summary.split()))}")
            if p.reproduce:
                c.print(f"    [dim]reproduce: {escape(p.reproduce)}[/]")


def render_pattern(p: Pattern, c: Console, *, quiet: bool = False, verbose: bool = False) -> None:
    """The whole pattern, as its author wrote it; `quiet` its title, summary and remediation,
    `verbose` each of its examples too."""
    c.print(f"[bold]{p.number} {p.id}[/] — {escape(p.title)}  [dim]({escape(p.path)})[/]")
    c.print(escape(p.summary))
    if quiet:
        c.print(f"[bold]Remediation[/]  {escape(p.remediation)}")
        return
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
            shared = f"  [dim](shared: {escape(n.shared)})[/]" if n.shared else ""
            c.print(f"  {effect}  {escape(n.field)} ~ /{escape(n.regex.pattern)}/{shared}")
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
        if verbose:
            for expect, examples in (
                ("match", p.examples.match),
                ("no_match", p.examples.no_match),
            ):
                for i, ex in enumerate(examples):
                    note = f" [dim]{escape(ex.note)}[/]" if ex.note else ""
                    said = ex.message or ex.kind or ex.name
                    c.print(f"  {expect}[{i}]{note}")
                    c.print(f"        {escape(' '.join(said.split())[:200])}")


def render_test(
    pattern: Pattern,
    inputs: Sequence[str],
    results: Sequence[Explanation],
    skipped: Sequence[str],
    c: Console,
    *,
    show_all: bool = False,
    quiet: bool = False,
) -> None:
    """The pattern on a log: how many failures it claims, then each one it touches (`quiet`:
    the count alone; `show_all`: the failures where no signal fires too)."""
    head, _, rest = claims_line(pattern, inputs, results).partition(" on ")
    c.print(f"[bold]{escape(head)}[/] on {escape(rest)}")
    if quiet:
        return
    silent = 0
    for r in results:
        if r.verdict == "no signal" and not show_all:
            silent += 1
            continue
        render_explanation(r, c)
    if silent:
        c.print(f"[dim]{silent} failure(s) where no signal fires (--all or -v lists them)[/]")
    for note in skipped:
        c.print(f"[yellow]skipped:[/] {escape(note)}")


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


def render_examples(
    pattern: Pattern, outcomes: Sequence[ExampleOutcome], c: Console, *, quiet: bool = False
) -> None:
    """Each example and the pattern the knowledge base picked for it, then the verdict (alone
    with `quiet`)."""
    if pattern.examples is None:
        c.print(examples_line(pattern, outcomes))
        return
    if not quiet:
        for o in outcomes:
            mark = "[green]✓[/]" if o.ok else "[red]✗[/]"
            note = f" {escape(o.note)}" if o.note else ""
            c.print(f"{mark} {o.expect}[{o.index}]{note}: picked {escape(o.picked or 'none')}")
            for wrong in o.wrong_facts:
                c.print(f"    [red]fact {escape(wrong)}[/]")
    line = examples_line(pattern, outcomes)
    c.print(f"[green]{line}[/]" if all(o.ok for o in outcomes) else f"[red]{line}[/]")


MAX_SLOWEST = 5


def render_slowest(rows: Sequence[RegexTime], c: Console) -> None:
    """The knowledge base's slowest regexes in that run: total time, calls, engine, where."""
    if not rows:
        return
    c.print(f"[bold]Slowest regexes[/] (of {len(rows)} run)")
    for row in rows[:MAX_SLOWEST]:
        per = row.seconds / row.calls * 1e6 if row.calls else 0.0
        c.print(
            f"  {row.seconds * 1000:8.2f} ms  {row.calls:6d} calls  {per:7.1f} us each  "
            f"{row.engine:3s}  {escape(row.where)}",
            highlight=False,
        )


def render_new(
    starter: Starter,
    path: Path,
    logs: Sequence[str],
    folder: Path,
    c: Console,
    *,
    quiet: bool = False,
    verbose: bool = False,
) -> None:
    """`patterns new`: the file written, from which cluster, and how to see what it claims
    (`quiet`: the path alone; `verbose`: the file's text too)."""
    if quiet:
        c.print(escape(str(path)))
        return
    n = len(starter.cluster.findings)
    c.print(
        f"wrote {escape(str(path))}: pattern {escape(starter.pattern_id)} from cluster "
        f"{escape(starter.cluster.id)} ({n} failure{'s' * (n != 1)})"
    )
    if starter.look_alikes:  # its signals are too general: said now, and `patterns test` fails
        names = ", ".join(f.failure.name for f in starter.look_alikes[:3])
        more = len(starter.look_alikes) - 3
        c.print(
            f"[yellow]note:[/] its signals also match {len(starter.look_alikes)} failure(s) of "
            f"other clusters ({escape(names)}{f' and {more} more' if more > 0 else ''}): "
            "make them more specific (the first is its no_match example)"
        )
    if verbose:
        c.print()
        for line in starter.text.rstrip("\n").split("\n"):
            c.print(f"  {escape(line)}")
        c.print()
    c.print(f"next: {escape(next_step(starter, logs, folder))}")

"""The terminal view of a ping, verdict first: the answer and its timing, or why no answer
came, its evidence, the fix, and every hypothesis and how it fared."""

from __future__ import annotations

import json
from collections.abc import Mapping

from rich.console import Console

from poolctl.model import Diagnosis, PingDetails, Report
from poolctl.protocol.registry import serves
from poolctl.protocol.server_version import version_shown
from poolctl.report.term_marks import hypothesis_line, indented
from poolctl.report.view import details_of, failure_headline
from poolctl.termtext import escape
from poolctl.units import fmt_ms, fmt_seconds
from poolctl.worker_incoming import HELD_GRACE_S

P99_FROM = 100  # round trips before a 99th percentile means something


def render(report: Report, console: Console, *, verbose: bool = False, quiet: bool = False) -> None:
    """The answer and its timing, or the diagnosis; then the notes and the run folder. With
    `quiet` the verdict line alone; with `verbose` the evidence under every hypothesis."""
    if quiet:
        console.print(verdict_line(report))
        return
    details = details_of(report, PingDetails) or PingDetails(ok=not report.findings)
    argv = escape(report.inputs[0] if report.inputs else report.title.removeprefix("ping "))
    auto = details.framing_auto
    if auto is not None and auto.trials:
        answered = [t.framing for t in auto.trials if t.answered]
        # trials let go once a fresh process named the worker's protocol: its words once
        let_go = "not waited for: "
        why = [t.detail.removeprefix(let_go) for t in auto.trials if t.detail.startswith(let_go)]
        tried = "; ".join(
            f"{t.framing}: {'not waited for' if t.detail.startswith(let_go) else t.detail}"
            for t in auto.trials
        )
        used = details.worker.get("framing") or "the protocol's framing"
        found = (
            f"{answered[0]} gets an answer, using it"
            if answered
            else f"no trial answered ({why[0]}); using {used}"
            if why
            else f"no trial answered in its time ({len(auto.trials)} ran at once); using {used}"
        )
        console.print(f"--framing auto: {found} [dim]({escape(tried)})[/]")
    if details.steps:
        _session(argv, details, console)
    elif _cut_short(report):
        console.print(verdict_line(report))
    elif details.ok:
        _answer(argv, details, console)
    for finding in report.findings:
        if isinstance(finding.outcome, Diagnosis):
            render_diagnosis(finding.outcome, console, verbose=verbose)
        else:
            console.print(f"[red]✗ {escape(failure_headline(finding.failure))}[/]")
    for note in dict.fromkeys(report.notes):  # each once
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"[dim]run folder: {escape(report.run_dir or '')}[/]")


def verdict_line(report: Report) -> str:
    """One line: answered in how long, or the cause of no answer (markup)."""
    details = details_of(report, PingDetails) or PingDetails(ok=not report.findings)
    argv = escape(report.inputs[0] if report.inputs else report.title.removeprefix("ping "))
    for finding in report.findings:
        if isinstance(finding.outcome, Diagnosis):
            d = finding.outcome
            pattern = f"pattern {d.pattern_number} ({d.pattern_id})"
            return f"[red]✗[/] [bold]{escape(d.cause)}[/] — {pattern}"
        return f"[red]✗ {escape(failure_headline(finding.failure))}[/]"
    if _cut_short(report):
        return f"[yellow]![/] {argv}: interrupted by {report.interrupted} before its verdict"
    if details.steps and not details.ok:
        return f"[red]✗[/] {argv}: {escape(_stopped_at(details))}"
    if details.steps:
        return f"[green]✓[/] {argv} answered the {escape(details.protocol)} handshake"
    median = details.stats_ms.get("median", 0.0)
    return f"[green]✓[/] {argv} answered {details.command!r} in {fmt_ms(median)}"


def _cut_short(report: Report) -> bool:
    """A ping a signal ended before it had its answer (its report says nothing more): it
    must not read as one that got it."""
    return bool(report.interrupted) and details_of(report, PingDetails) is None


def _stopped_at(details: PingDetails) -> str:
    """Where a handshake that got answers stopped: `initialize: error reply: …`."""
    step = next((s for s in details.steps if not s.ok), details.steps[-1])
    return f"{step.method}: {step.detail}"


def stats_line(count: int, stats: Mapping[str, float]) -> str:
    """`min 41 µs · median 52 µs · max 42 ms`, and p99 from 100 round trips on (below, the
    99th percentile is just the maximum again)."""
    keys = ("min", "median", "p99", "max") if count >= P99_FROM else ("min", "median", "max")
    return " · ".join(f"{k} {fmt_ms(stats.get(k, 0.0))}" for k in keys)


def _answer(argv: str, details: PingDetails, console: Console) -> None:
    stats = details.stats_ms
    worker = details.worker
    console.print(
        f"[green]✓[/] {argv} answered {details.command!r} in {fmt_ms(stats.get('median', 0.0))} "
        f"(pid {worker.get('pid')}, {worker.get('framing')})"
    )
    response = details.response
    if response is not None:
        success = response.get("success") is True or (
            "jsonrpc" in response and "error" not in response
        )
        body = response.get("result") if success else response.get("error")
        label = "result" if success else "[red]error[/]"
        if isinstance(body, dict) and not success and "code" in body:  # a JSON-RPC error
            said = f"{body.get('message')} (code {body['code']})"
            console.print(f"  {label}: {escape(said)} [dim]{escape(json.dumps(body))}[/]")
        else:
            console.print(f"  {label}: {escape(json.dumps(body))}")
    if len(details.round_trips_ms) > 1:
        n = len(details.round_trips_ms)
        console.print(f"  {n} round trips: {stats_line(n, stats)}")


def _session(argv: str, details: PingDetails, console: Console) -> None:
    """A protocol session: who the server says it is, then each step with its time."""
    server = details.server
    name = server.get("name")
    version = version_shown(server.get("version"))
    who = f"{name!r}" + (f" {version}" if version else "") if name else ""
    if details.ok:
        console.print(
            f"[green]✓[/] {argv} answered the {details.protocol} handshake"
            + (f": server {escape(who)}" if who else "")
            + f" (pid {details.worker.get('pid')}, {details.worker.get('framing')})"
        )
    elif details.steps[-1].ms is not None:  # answered, but refused or not as the protocol's
        console.print(f"[red]✗[/] {argv}: {escape(_stopped_at(details))}")
    facts = []
    if server.get("protocol_version"):
        facts.append(f"protocol version {server['protocol_version']}")
    if "tools" in server:
        facts.append(f"{server['tools']} tool(s)")
    if server.get("capabilities"):
        facts.append("capabilities: " + ", ".join(server["capabilities"]))
    if server.get("exit"):
        facts.append(f"after exit it {server['exit']}")
    if facts:
        console.print(f"  {escape('; '.join(facts))}")
    for step in details.steps:
        mark = "[green]✓[/]" if step.ok else "[red]✗[/]"
        took = f"{fmt_ms(step.ms)}, " if step.ms is not None else ""
        at = f"at {fmt_seconds(step.at_s)}" if step.at_s is not None else ""
        console.print(f"  {mark} {escape(step.method)}: {escape(step.detail)} [dim]({took}{at})[/]")
    if len(details.round_trips_ms) > 1:
        n = len(details.round_trips_ms)
        console.print(f"  {n} × {escape(details.command)}: {stats_line(n, details.stats_ms)}")
    served = [m for m in details.server_requests if serves(m)]
    refused = [m for m in details.server_requests if not serves(m)]
    if served:
        console.print(
            "  requests from the server, answered minimally: " + escape(", ".join(served))
        )
    if refused:  # a tool that needs them fails: said apart, so it is not read as answered
        console.print(
            "  requests from the server that poolctl does not serve, refused with error -32601: "
            + escape(", ".join(refused))
        )
    left = details.worker.get("server_requests_left_unanswered")
    if isinstance(left, list) and left:  # read once shutdown was sent: an answer is one too late
        console.print(
            "  requests from the server once the session was closing, left unanswered as an "
            "editor closing it leaves them: " + escape(", ".join(map(str, left)))
        )
    late = details.worker.get("server_requests_answered_in_closing")
    if isinstance(late, list) and late:  # the server waited for them before it closed
        console.print(
            "  requests from the server that its closing waited for, answered once shutdown "
            f"had gone {HELD_GRACE_S:g} s unanswered: " + escape(", ".join(map(str, late)))
        )
    for note in details.notifications[:5]:
        console.print(f"  [dim]notification {escape(note)}[/]")
    sent = details.worker.get("notifications")
    more = (sent if isinstance(sent, int) else 0) - min(5, len(details.notifications))
    if details.notifications and more > 0:
        console.print(f"  [dim]… and {more:,} more notification(s)[/]")


def render_diagnosis(d: Diagnosis, console: Console, *, verbose: bool = False) -> None:
    """Verdict first, then its evidence and the fix, then every hypothesis and how it fared
    (the confirmed one stands out, ruled-out ones are dim; their evidence with `verbose`)."""
    console.print(
        f"[red]✗[/] [bold]{escape(d.cause)}[/] — pattern {d.pattern_number} ({d.pattern_id})"
    )
    if d.evidence:
        console.print("[bold]Evidence[/]")
        for ev in d.evidence:
            note = f" — {escape(ev.note)}" if ev.note else ""
            console.print(f"  • {indented(ev.text, '    ')}  [dim]({escape(ev.origin)})[/]{note}")
    if d.remediation:
        console.print("[bold]Remediation[/]")
        console.print(f"  {escape(d.remediation)}")
    if d.hypotheses:
        console.print("[bold]Hypotheses[/]")
        for h in d.hypotheses:
            label = h.title.split(":", 1)[0]
            why = f" — {escape(h.reason)}" if h.reason else ""
            console.print(hypothesis_line(h.status, f"{escape(label)}{why}", "  "))
            if h.status != "confirmed" and verbose:
                for ev in h.evidence:
                    text = indented(ev.text, "        ")
                    console.print(f"      [dim]{text} ({escape(ev.origin)})[/]")
    seconds = d.facts.get("diagnosis_s")
    files = d.facts.get("evidence_files") or []
    if seconds is not None:
        kept = f"; evidence: {escape(', '.join(files))}" if files else ""
        console.print(f"[dim]diagnosed in {fmt_seconds(seconds)}{kept}[/]")

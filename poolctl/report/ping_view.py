"""The terminal view of a ping, verdict first: the answer and its timing, or why no answer
came, its evidence, the fix, and every hypothesis and how it fared."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

from poolctl.model import Diagnosis, PingDetails, Report
from poolctl.report.term_marks import HYPOTHESIS_MARK, indented
from poolctl.report.view import details_of, failure_headline


def render(report: Report, console: Console) -> None:
    """The answer and its timing, or the diagnosis; then the notes and the run folder."""
    details = details_of(report, PingDetails) or PingDetails(ok=not report.findings)
    argv = escape(report.inputs[0] if report.inputs else report.title.removeprefix("ping "))
    auto = details.framing_auto
    if auto is not None and auto.trials:
        answered = [t.framing for t in auto.trials if t.answered]
        tried = "; ".join(f"{t.framing}: {t.detail}" for t in auto.trials)
        found = (
            f"{answered[0]} gets an answer, using it"
            if answered
            else "no framing gets an answer; diagnosing in packet-4"
        )
        console.print(f"--framing auto: {found} [dim]({escape(tried)})[/]")
    if details.steps:
        _session(argv, details, console)
    elif details.ok:
        _answer(argv, details, console)
    for finding in report.findings:
        if isinstance(finding.outcome, Diagnosis):
            render_diagnosis(finding.outcome, console)
        else:
            console.print(f"[red]✗ {escape(failure_headline(finding.failure))}[/]")
    for note in report.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"run folder: {escape(report.run_dir or '')}")


def _answer(argv: str, details: PingDetails, console: Console) -> None:
    stats = details.stats_ms
    worker = details.worker
    console.print(
        f"[green]✓[/] {argv} answered {details.command!r} in {stats.get('median', 0.0):.3f} ms "
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
        console.print(
            f"  {len(details.round_trips_ms)} round trips: "
            + " · ".join(f"{k} {stats.get(k, 0.0):.3f} ms" for k in ("min", "median", "p99", "max"))
        )


def _session(argv: str, details: PingDetails, console: Console) -> None:
    """A protocol session: who the server says it is, then each step with its time."""
    server = details.server
    name = server.get("name")
    who = f"{name!r}" + (f" {server['version']}" if server.get("version") else "") if name else ""
    if details.ok:
        console.print(
            f"[green]✓[/] {argv} answered the {details.protocol} handshake"
            + (f": server {escape(who)}" if who else "")
            + f" (pid {details.worker.get('pid')}, {details.worker.get('framing')})"
        )
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
        took = f"{step.ms:.1f} ms, " if step.ms is not None else ""
        at = f"at {step.at_s:.3f} s" if step.at_s is not None else ""
        console.print(f"  {mark} {escape(step.method)}: {escape(step.detail)} [dim]({took}{at})[/]")
    if len(details.round_trips_ms) > 1:
        stats = details.stats_ms
        console.print(
            f"  {len(details.round_trips_ms)} × {escape(details.command)}: "
            + " · ".join(f"{k} {stats.get(k, 0.0):.3f} ms" for k in ("min", "median", "p99", "max"))
        )
    if details.server_requests:
        console.print(
            "  requests from the server, answered minimally: "
            + escape(", ".join(details.server_requests))
        )
    for note in details.notifications[:5]:
        console.print(f"  [dim]notification {escape(note)}[/]")


def render_diagnosis(d: Diagnosis, console: Console) -> None:
    """Verdict first, then its evidence and the fix, then every hypothesis and how it fared."""
    console.print(f"[red]✗ {escape(d.cause)}[/] — pattern {d.pattern_number} ({d.pattern_id})")
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
            console.print(f"  {HYPOTHESIS_MARK[h.status]}  {escape(label)}{why}")
            if h.status != "confirmed":
                for ev in h.evidence:
                    text = indented(ev.text, "        ")
                    console.print(f"      {text} [dim]({escape(ev.origin)})[/]")
    seconds = d.facts.get("diagnosis_s")
    files = d.facts.get("evidence_files") or []
    if seconds is not None:
        kept = f"; evidence: {escape(', '.join(files))}" if files else ""
        console.print(f"[dim]diagnosed in {seconds:.1f} s{kept}[/]")

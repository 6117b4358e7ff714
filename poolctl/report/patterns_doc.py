"""The knowledge base for machines and pull requests (`poolctl patterns … --json | -f md`): the
list of patterns, one pattern in full, a pattern on a log, its own examples, and a starter
pattern written. The terminal views are `patterns_view`; both read the same values.

Each JSON document carries `schema_version` and a `kind` (`patterns`, `pattern`,
`pattern-test`, `pattern-examples`, `pattern-new`), as `poolctl/schemas/patterns.schema.json`
describes; it holds every detail whatever `-q`/`-v` ask for the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from poolctl.patterns import Pattern
from poolctl.patterns.loader import Negative, Signal
from poolctl.report.markdown import block, code, prose, text

if TYPE_CHECKING:  # the triage engine: not for `poolctl patterns ... --help`
    from poolctl.triage.explain import Explanation
    from poolctl.triage.starter import Starter

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ExampleOutcome:
    """One of a pattern's examples: must it match, which pattern the knowledge base picked."""

    expect: str  # match | no_match
    index: int
    note: str
    picked: str | None
    ok: bool
    wrong_facts: tuple[str, ...] = ()  # a match example's facts the diagnosis did not extract


def dumps(doc: dict[str, Any]) -> str:
    """A document as the JSON writer formats a report: indented, UTF-8 as is, one last newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


def _doc(kind: str, **body: Any) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "kind": kind, **body}


def _head(p: Pattern) -> dict[str, Any]:
    return {"number": p.number, "id": p.id, "title": p.title, "threshold": p.threshold}


def _signal(s: Signal) -> dict[str, Any]:
    regex = s.regex.pattern if s.regex is not None else None
    return {"field": s.field, "regex": regex, "fact": s.fact, "weight": s.weight, "why": s.why}


def _negative(n: Negative) -> dict[str, Any]:
    return {
        "field": n.field,
        "regex": n.regex.pattern,
        "veto": n.veto,
        "weight": n.weight,
        "why": n.why,
    }


# --- list ------------------------------------------------------------------------------------
def list_json(patterns: Sequence[Pattern], origins: Sequence[str]) -> dict[str, Any]:
    return _doc(
        "patterns",
        patterns=[
            {
                **_head(p),
                "summary": p.summary,
                "signals": len(p.signals),
                "origin": origin,
                "path": p.path,
                "reproduce": p.reproduce,
            }
            for p, origin in zip(patterns, origins, strict=True)
        ],
    )


def list_md(patterns: Sequence[Pattern], origins: Sequence[str]) -> str:
    out = [
        "# Failure patterns",
        "",
        "| # | id | title | signals | from |",
        "|---:|---|---|---:|---|",
    ]
    for p, origin in zip(patterns, origins, strict=True):
        out.append(
            f"| {p.number} | {code(p.id)} | {text(p.title)} | {len(p.signals)} | {text(origin)} |"
        )
    return "\n".join(out) + "\n"


# --- show ------------------------------------------------------------------------------------
def pattern_json(p: Pattern, origin: str) -> dict[str, Any]:
    return _doc(
        "pattern",
        pattern={
            **_head(p),
            "summary": p.summary,
            "rationale": p.rationale,
            "example": p.example,
            "origin": origin,
            "path": p.path,
            "signals": [_signal(s) for s in p.signals],
            "negative": [_negative(n) for n in p.negative],
            "facts": [
                {
                    "name": f.name,
                    "field": f.field,
                    "regex": f.regex.pattern if f.regex is not None else None,
                    "aggregate": f.aggregate,
                    "compare": " ".join(f.compare) if f.compare else None,
                    "builtin": f.builtin,
                }
                for f in p.facts
            ],
            "causes": [
                {"id": c.id, "title": c.title, "text": c.text, "tell_apart": c.tell_apart}
                for c in p.causes
            ],
            "remediation": p.remediation,
            "reproduce": p.reproduce,
            "examples": p.examples.model_dump(mode="json") if p.examples else None,
        },
    )


def pattern_md(p: Pattern, origin: str) -> str:
    out = [f"# Pattern {p.number}: {text(p.title)} ({code(p.id)})", "", prose(p.summary), ""]
    if p.rationale:
        out += [prose(p.rationale), ""]
    if p.example:
        out += ["**Example**", "", block(p.example), ""]
    out += [
        f"**Signals** (threshold {p.threshold:.2f}; confidence = sum of fired weights)",
        "",
        "| weight | field | regex or fact | why |",
        "|---:|---|---|---|",
    ]
    for s in p.signals:
        what = f"fact {s.fact}" if s.fact else (s.regex.pattern if s.regex else "")
        why = prose(s.why, cell=True)
        out.append(f"| {s.weight:.2f} | {code(s.field)} | {code(what, cell=True)} | {why} |")
    out.append("")
    if p.negative:
        out += ["**Negative signals**", "", "| effect | field | regex | why |", "|---|---|---|---|"]
        for n in p.negative:
            effect = "veto" if n.veto else f"-{n.weight:.2f}"
            effect += f" (shared: {code(n.shared)})" if n.shared else ""
            regex, why = code(n.regex.pattern, cell=True), prose(n.why, cell=True)
            out.append(f"| {effect} | {code(n.field)} | {regex} | {why} |")
        out.append("")
    if p.causes:
        out += ["**Candidate causes** (untested unless the log shows evidence)", ""]
        out += [
            f"- {code(c.id)}: {prose(c.text)} — tell apart: {prose(c.tell_apart)}" for c in p.causes
        ]
        out.append("")
    out += ["**Remediation**", "", prose(p.remediation), ""]
    if p.reproduce:
        out += [f"**Reproduce**: {code(p.reproduce)}", ""]
    out.append(f"From {text(origin)}.")
    return "\n".join(out) + "\n"


# --- test on a log ---------------------------------------------------------------------------
def claims_line(pattern: Pattern, inputs: Sequence[str], results: Sequence[Explanation]) -> str:
    """`3 checkout-timeout-waiters on run.log: claims 4 of 31 failure(s) (threshold 0.50)`."""
    matched = sum(r.verdict == "matches" for r in results)
    return (
        f"{pattern.number} {pattern.id} on {', '.join(inputs)}: claims {matched} of "
        f"{len(results)} failure(s) (threshold {pattern.threshold:.2f})"
    )


def _explanation(r: Explanation) -> dict[str, Any]:
    f = r.failure
    return {
        "name": f.name,
        "origin": f.origin,
        "verdict": r.verdict,
        "confidence": round(r.score.confidence, 4),
        "winner": r.winner,
        "rules": [
            {
                "role": rule.role,
                "weight": rule.rule.weight,
                "field": rule.hit.field,
                "quote": rule.hit.quote,
                "origin": rule.hit.origin,
                "why": rule.rule.why,
            }
            for rule in r.rules
            if rule.hit is not None
        ],
        "facts": r.facts,
    }


def on_log_json(
    pattern: Pattern,
    inputs: Sequence[str],
    results: Sequence[Explanation],
    skipped: Sequence[str],
) -> dict[str, Any]:
    return _doc(
        "pattern-test",
        pattern=_head(pattern),
        inputs=list(inputs),
        claims=sum(r.verdict == "matches" for r in results),
        failures=len(results),
        results=[_explanation(r) for r in results],
        skipped=list(skipped),
    )


def on_log_md(
    pattern: Pattern,
    inputs: Sequence[str],
    results: Sequence[Explanation],
    skipped: Sequence[str],
    *,
    show_all: bool = False,
) -> str:
    out = [f"# {text(claims_line(pattern, inputs, results))}", ""]
    shown = [r for r in results if show_all or r.verdict != "no signal"]
    if shown:
        out += ["| verdict | confidence | failure | where | what fired | picked instead |"]
        out += ["|---|---:|---|---|---|---|"]
    for r in shown:
        fired = "<br>".join(
            f"{code(rule.hit.quote, cell=True)} ({text(rule.hit.origin)})"
            for rule in r.rules
            if rule.hit is not None
        )
        winner = "" if r.verdict == "matches" else code(r.winner or "none: unclassified")
        out.append(
            f"| {r.verdict} | {r.score.confidence:.2f} | {text(r.failure.name)} | "
            f"{code(r.failure.origin, cell=True)} | {fired} | {winner} |"
        )
    quiet = len(results) - len(shown)
    if quiet:
        out += ["", f"{quiet} failure(s) where no signal fires (`--all` lists them)."]
    out += [f"- skipped: {text(note)}" for note in skipped]
    return "\n".join(out) + "\n"


# --- the pattern's own examples --------------------------------------------------------------
def examples_line(pattern: Pattern, outcomes: Sequence[ExampleOutcome]) -> str:
    """`all examples pass` or `2 failed`; a pattern without examples says so."""
    if pattern.examples is None:
        return f"{pattern.id} has no examples"
    failed = sum(not o.ok for o in outcomes)
    return "all examples pass" if not failed else f"{failed} failed"


def examples_json(pattern: Pattern, outcomes: Sequence[ExampleOutcome]) -> dict[str, Any]:
    return _doc(
        "pattern-examples",
        pattern=_head(pattern),
        passed=all(o.ok for o in outcomes),
        examples=[
            {
                "expect": o.expect,
                "index": o.index,
                "note": o.note,
                "picked": o.picked,
                "ok": o.ok,
                "wrong_facts": list(o.wrong_facts),
            }
            for o in outcomes
        ],
    )


def examples_md(pattern: Pattern, outcomes: Sequence[ExampleOutcome]) -> str:
    out = [f"# {code(pattern.id)}: {text(examples_line(pattern, outcomes))}", ""]
    if outcomes:
        out += ["| | example | note | picked |", "|---|---|---|---|"]
    for o in outcomes:
        out.append(
            f"| {'✓' if o.ok else '✗'} | {o.expect}[{o.index}] | {text(o.note)} | "
            f"{code(o.picked or 'none', cell=True)}"
            + "".join(f"; fact {text(w)}" for w in o.wrong_facts)
            + " |"
        )
    return "\n".join(out) + "\n"


# --- a starter pattern -----------------------------------------------------------------------
def next_step(starter: Starter, logs: Sequence[str], folder: Path) -> str:
    """The command that shows what the new pattern claims."""
    return f"poolctl patterns test {starter.pattern_id} {' '.join(logs)} --patterns {folder}"


def new_json(starter: Starter, path: Path, logs: Sequence[str], folder: Path) -> dict[str, Any]:
    return _doc(
        "pattern-new",
        path=str(path),
        pattern_id=starter.pattern_id,
        cluster=starter.cluster.id,
        failures=len(starter.cluster.findings),
        next=next_step(starter, logs, folder),
        text=starter.text,
    )


__all__ = [
    "SCHEMA_VERSION",
    "ExampleOutcome",
    "claims_line",
    "dumps",
    "examples_json",
    "examples_line",
    "examples_md",
    "list_json",
    "list_md",
    "new_json",
    "next_step",
    "on_log_json",
    "on_log_md",
    "pattern_json",
    "pattern_md",
]

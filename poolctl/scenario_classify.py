"""Which patterns a scenario run reproduced, read exactly from its trace.

Each finding quotes the events it rests on (`events.jsonl #N`). Checkout timeouts caused by
workers that never finished their init are pattern 1's consequences, not pattern 3.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from poolctl.diagnose import no_answer_pattern
from poolctl.events import Event
from poolctl.model import Diagnosis, Evidence, Failure, Finding, Unclassified
from poolctl.patterns.loader import PatternSet, load_patterns
from poolctl.scenario_run import RunOutcome
from poolctl.triage.classifier import render_template
from poolctl.triage.facts import nearest_key

_REQUIRED = re.compile(
    r"(?P<field>[A-Za-z_][\w .-]{0,40}?)\s+(?:is|are)\s+required"
    r"|missing required (?:field|argument|key|parameter)s?:?\s*['\"]?(?P<field2>\w+)"
    r"|['\"]?(?P<field3>\w+)['\"]?\s*(?:\n\s*)?Field required",
    re.IGNORECASE,
)
_MODE_FIELD = re.compile(r"(mode|adapter|backend|implementation)", re.IGNORECASE)


@functools.cache
def knowledge_base() -> PatternSet:
    """The builtin patterns: titles, numbers and remediation templates come from there."""
    return load_patterns()


def _no_answer_id() -> str:
    """Pattern 1's id, as the no-answer engine finds it in the knowledge base."""
    return no_answer_pattern(knowledge_base()).id


def quote_event(event: Event) -> Evidence:
    """An event as evidence: its type and fields, cited by sequence number."""
    fields: dict[str, Any] = {
        "worker": event.worker,
        "caller": event.caller,
        "session": event.session,
    }
    fields.update(event.data)
    shown = ", ".join(
        f"{k}={round(v, 3) if isinstance(v, float) else v!r}"
        for k, v in fields.items()
        if v is not None and v != []
    )
    return Evidence(f"{event.type}: {shown}", event.ref)


def snake(name: str) -> str:
    """`Program ID` -> `program_id`."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def nearest(missing: str, present: Iterable[str]) -> str | None:
    """The present field most like `missing`, among its siblings first."""
    parent, _, leaf = missing.rpartition(".")
    present = list(present)
    siblings = [p for p in present if p.rpartition(".")[0] == parent]
    for candidates in (siblings, present):
        leaves = {p.rpartition(".")[2]: p for p in candidates}
        found = nearest_key(leaf, leaves)
        if found is not None:
            return leaves[found]
    return None


class _Classifier:
    def __init__(self, run: RunOutcome) -> None:
        self.run = run
        self.events = run.trace.events
        self.name = run.scenario.name
        self.consumed_timeouts: set[int] = set()  # checkout timeouts folded into pattern 1
        self.by_type: dict[str, list[Event]] = defaultdict(list)
        for event in self.events:
            self.by_type[event.type].append(event)

    def diagnosis(
        self,
        pattern_id: str,
        evidence: list[Evidence],
        facts: dict[str, Any],
        cause: str,
        remediation: str | None = None,
        **extra: Any,
    ) -> Diagnosis:
        meta = knowledge_base().get(pattern_id)
        return Diagnosis(
            pattern_id=pattern_id,
            pattern_number=meta.number,
            title=meta.title,
            confidence=1.0,  # read from the trace, not inferred from wording
            evidence=tuple(evidence),
            facts=facts,
            cause=cause,
            remediation=remediation or render_template(meta.remediation, facts),
            reproduce=str(self.run.scenario.path),
            **extra,
        )

    def failure(self, name: str, kind: str, message: str, events: list[Event]) -> Failure:
        first = min((e.seq for e in events), default=0)
        last = max((e.seq for e in events), default=0)
        return Failure(
            source="scenario",
            name=f"{self.name}: {name}",
            group=self.name,
            location=str(self.run.scenario.path),
            kind=kind,
            message=message,
            input_file=str(self.run.run_dir.events),
            line_start=first,
            line_end=last,
        )

    # --- pattern 1 ------------------------------------------------------------------------
    def init_failures(self) -> list[Finding]:
        failed = [e for e in self.by_type["init_end"] if not e.data.get("ok")]
        if not failed:
            return []
        inits = self.by_type["init_end"]
        ready_at = min((e.t for e in inits if e.data.get("ok")), default=None)
        # Checkout timeouts before any worker was ready are this failure's consequences.
        consequences = [
            e
            for e in self.by_type["checkout_timeout"]
            if e.data.get("last_init_failure") and (ready_at is None or e.t < ready_at)
        ]
        self.consumed_timeouts = {e.seq for e in consequences}
        timeout = self.run.scenario.worker.init_timeout
        diagnoses = self.run.pool.init_diagnoses
        engine = next((diagnoses[e.worker] for e in failed if e.worker in diagnoses), None)
        evidence = [quote_event(e) for e in failed[:3]]
        evidence += [quote_event(e) for e in consequences[:3]]
        facts: dict[str, Any] = {
            "timeout": timeout,
            "failed_inits": len(failed),
            "inits": len(inits),
            "init_timeout": timeout,
            "checkout_timeouts_caused": len(consequences),
        }
        if engine is not None:
            cause = engine.cause
            evidence = list(engine.evidence) + evidence
            facts.update(engine.facts)
            remediation = engine.remediation or None
            hypotheses = engine.hypotheses
        else:
            error = failed[0].data.get("error")
            cause = f"{len(failed)} worker(s) never answered the init ping: {error}"
            remediation, hypotheses = None, ()
        message = f"{len(failed)} of {len(inits)} init pings got no answer within {timeout:g} s" + (
            f"; {len(consequences)} checkout(s) timed out waiting for them" if consequences else ""
        )
        failure = self.failure(
            "workers never answered their init ping",
            "init-no-response",
            message,
            failed + consequences,
        )
        return [
            Finding(
                failure,
                self.diagnosis(
                    _no_answer_id(), evidence, facts, cause, remediation, hypotheses=hypotheses
                ),
            )
        ]

    def no_answers(self) -> list[Finding]:
        events = self.by_type["no_response"]
        if not events:
            return []
        kills = self.by_type["kill"]
        exits = {e.worker: e for e in self.by_type["worker_exit"]}
        first = events[0]
        evidence = [quote_event(e) for e in events[:3]]
        evidence += [quote_event(e) for e in kills[:2]]
        worker_exit = exits.get(first.worker)
        if worker_exit is not None:
            evidence.append(quote_event(worker_exit))
        replaced = self.by_type["replace"]
        evidence += [quote_event(e) for e in replaced[:1]]
        reason = first.data.get("reason")
        if reason == "exited":
            cause = (
                f"worker {first.worker} died while serving caller {first.caller}: "
                f"{first.data.get('detail')}"
                + (" (the scenario's kill_worker step)" if kills else "")
            )
        else:
            detail = first.data.get("detail")
            cause = f"worker {first.worker} gave caller {first.caller} no answer: {detail}"
        facts = {
            "requests_unanswered": len(events),
            "reason": reason,
            "worker": first.worker,
            "replaced": bool(replaced),
        }
        message = f"{len(events)} request(s) got no answer ({reason})"
        failure = self.failure("requests never answered", f"request-{reason}", message, events)
        return [Finding(failure, self.diagnosis(_no_answer_id(), evidence, facts, cause))]

    # --- pattern 2 ------------------------------------------------------------------------
    def shutdowns(self) -> list[Finding]:
        failed = [
            e for e in self.by_type["call_failed"] if e.data.get("error_type") == "PoolShuttingDown"
        ]
        if not failed:
            return []
        begun = self.by_type["shutdown_begun"]
        start = begun[0] if begun else None
        in_flight = [e for e in failed if e.data.get("phase") == "in flight"]
        waiting = [e for e in failed if e.data.get("phase") != "in flight"]
        # One caller of each kind is enough to show what each was told.
        shown = begun[:1] + in_flight[:1] + waiting[:1]
        evidence = [quote_event(e) for e in shown]
        facts: dict[str, Any] = {
            "pool": self.name,
            "callers_dropped": len(failed),
            "callers_failed": len(failed),
            "in_flight": len(in_flight),
            "waiting": len(failed) - len(in_flight),
            "mode": start.data.get("mode") if start else None,
            "shutdown_at_s": round(start.t, 3) if start else None,
        }
        cause = (
            f"the pool was stopped ({facts['mode']}) at t={facts['shutdown_at_s']} s while "
            f"{facts['in_flight']} caller(s) were in flight and {facts['waiting']} waiting "
            "for a worker: each got a shutdown error instead of an answer"
        )
        message = failed[0].data.get("error", "")
        failure = self.failure(
            "callers failed by a pool shutdown", "pool-shutdown", message, failed
        )
        return [
            Finding(
                failure, self.diagnosis("pool-shutdown-during-checkout", evidence, facts, cause)
            )
        ]

    # --- pattern 3 ------------------------------------------------------------------------
    def checkout_timeouts(self) -> list[Finding]:
        consumed = self.consumed_timeouts
        timeouts = [e for e in self.by_type["checkout_timeout"] if e.seq not in consumed]
        if not timeouts:
            return []
        pool = self.run.scenario.pool
        inits = [e.data.get("seconds", 0.0) for e in self.by_type["init_end"] if e.data.get("ok")]
        granted = self.by_type["checkout_granted"]
        peak_waiting = max(e.data.get("waiting", 0) for e in timeouts)
        callers = self.run.scenario.peak_concurrency()
        capacity = pool.size + pool.max_overflow
        facts: dict[str, Any] = {
            "pool": self.name,
            "pool_size": pool.size,
            "overflow": pool.max_overflow,
            "max_overflow": pool.max_overflow,
            "capacity": capacity,
            "concurrent_callers": callers,
            "waiters": peak_waiting,
            "timeouts": len(timeouts),
            "checkouts": len(timeouts) + len(granted),
            "checkouts_granted": len(granted),
            "checkout_timeout": pool.checkout_timeout,
            "timeout": pool.checkout_timeout,
            "lazy": pool.lazy,
            "init_seconds_max": round(max(inits), 3) if inits else None,
        }
        cause = (
            f"{callers} callers at once against {capacity} worker(s) "
            f"(size {pool.size}, max_overflow {pool.max_overflow}); {len(timeouts)} checkout(s) "
            f"waited past {pool.checkout_timeout:g} s with up to {peak_waiting} caller(s) waiting"
        )
        starting = max(e.data.get("starting", 0) for e in timeouts)
        if pool.lazy and inits and max(inits) > pool.checkout_timeout:
            cause += (
                f"; the lazy pool started its workers on first demand and their init took up to "
                f"{max(inits):.2f} s, longer than the checkout timeout"
            )
        elif pool.lazy and starting:
            cause += (
                f"; the lazy pool was still starting {starting} worker(s) (init on first demand) "
                "when the callers gave up"
            )
        facts["starting_at_timeout"] = starting
        evidence = [quote_event(e) for e in timeouts[:3]]
        evidence += [quote_event(e) for e in self.by_type["init_end"][:2]]
        message = str(timeouts[0].data.get("detail") or self._timeout_text(timeouts[0]))
        failure = self.failure("checkouts timed out", "checkout-timeout", message, timeouts)
        return [
            Finding(failure, self.diagnosis("checkout-timeout-waiters", evidence, facts, cause))
        ]

    @staticmethod
    def _timeout_text(event: Event) -> str:
        d = event.data
        return (
            f"checkout timed out after {d.get('timeout')} s: total={d.get('total')}, "
            f"busy={d.get('busy')}, idle={d.get('idle')}, starting={d.get('starting')}, "
            f"waiting={d.get('waiting')}"
        )

    # --- patterns 4, 5, 6 from expectations ----------------------------------------------
    def expectations(self) -> list[Finding]:
        findings: list[Finding] = []
        failed = self.by_type["expectation_failed"]
        missing = [e for e in failed if e.data.get("check") == "field"]
        if missing:
            findings.append(self._missing_field(missing))
        rejected = [e for e in failed if e.data.get("check") == "success" and e.data.get("error")]
        findings += self._rejections(rejected)
        modes = [
            e
            for e in failed
            if e.data.get("check") == "equals" and _MODE_FIELD.search(str(e.data.get("field")))
        ]
        if modes:
            findings.append(
                self._mode_finding(
                    modes, str(modes[0].data.get("expected")), str(modes[0].data.get("got"))
                )
            )
        others = [e for e in failed if e not in missing and e not in rejected and e not in modes]
        for event in others:
            failure = self.failure(
                f"expectation on {event.data.get('field') or event.data.get('check')}",
                "expectation",
                quote_event(event).text,
                [event],
            )
            findings.append(
                Finding(
                    failure,
                    Unclassified(
                        None,
                        0.0,
                        "a response differed from the expectation in a way no pattern describes",
                    ),
                )
            )
        return findings

    def _missing_field(self, events: list[Event]) -> Finding:
        first = events[0]
        field = str(first.data.get("field"))
        present = list(first.data.get("present") or [])
        near = nearest(field, present)
        parent = field.rpartition(".")[0]
        given = [p.rpartition(".")[2] for p in present if p.rpartition(".")[0] == parent]
        facts: dict[str, Any] = {
            "expected_key": field.rpartition(".")[2],
            "missing_key": field.rpartition(".")[2],
            "expected_path": field,
            "given_keys": given,
            "provided_keys": given,
            "nearest_key": near.rpartition(".")[2] if near else None,
            "responses": len(events),
        }
        cause = f"the step expects {field}, which no response has" + (
            f"; the worker gives {near}: the same value under another name" if near else ""
        )
        message = f"response lacks {field} (keys given: {', '.join(given) or 'none'})"
        failure = self.failure(
            f"{first.data.get('command')} response lacks {field}", "missing-field", message, events
        )
        return Finding(
            failure,
            self.diagnosis(
                "fixture-key-mismatch", [quote_event(e) for e in events[:3]], facts, cause
            ),
        )

    def _rejections(self, events: list[Event]) -> list[Finding]:
        groups: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            groups[str(event.data.get("error"))].append(event)
        findings = []
        for error, group in groups.items():
            first = group[0]
            match = _REQUIRED.search(error)
            failure = self.failure(
                f"worker rejected {first.data.get('command')}", "worker-error", error, group
            )
            if match is None:
                findings.append(
                    Finding(
                        failure,
                        Unclassified(
                            "required-field-missing",
                            0.2,
                            f"the worker rejected the request ({error!r}) "
                            "without naming a missing field",
                        ),
                    )
                )
                continue
            field = next(g for g in match.groups() if g)
            args = list(first.data.get("args") or [])
            facts: dict[str, Any] = {
                "field": field.strip(),
                "missing_field": field.strip(),
                "field_key": snake(field),
                "args_given": args,
                "command": first.data.get("command"),
                "rejections": len(group),
            }
            absent = snake(field) not in args
            cause = (
                f"the worker rejects {first.data.get('command')} with {error!r}: "
                "the request's args "
                f"({', '.join(args) or 'none'}) "
                + ("do not include" if absent else "include")
                + f" {snake(field)}"
                + (
                    ""
                    if absent
                    else ", so the worker reads it under another name or from elsewhere"
                )
            )
            findings.append(
                Finding(
                    failure,
                    self.diagnosis(
                        "required-field-missing", [quote_event(e) for e in group[:3]], facts, cause
                    ),
                )
            )
        return findings

    def mode_mismatches(self) -> list[Finding]:
        expected = self.run.scenario.worker.expect_mode
        if expected is None:
            return []
        wrong = [
            e
            for e in self.by_type["init_end"]
            if e.data.get("ok") and (e.data.get("reported") or {}).get("mode") != expected
        ]
        if not wrong:
            return []
        got = str((wrong[0].data.get("reported") or {}).get("mode"))
        return [self._mode_finding(wrong, expected, got)]

    def _mode_finding(self, events: list[Event], expected: str, got: str) -> Finding:
        workers = sorted({e.worker for e in events if e.worker})
        facts = {
            "expected": expected,
            "got": got,
            "expected_adapter": expected,
            "actual_adapter": got,
            "workers": workers,
        }
        cause = (
            f"the scenario expects mode {expected!r}, but worker(s) {', '.join(workers) or '?'} "
            f"report {got!r}: the caller and the workers are configured for different adapters"
        )
        failure = self.failure(
            f"expected mode {expected}, got {got}",
            "adapter-mismatch",
            f"expected {expected}, got {got}",
            events,
        )
        return Finding(
            failure,
            self.diagnosis(
                "adapter-misconfigured", [quote_event(e) for e in events[:3]], facts, cause
            ),
        )

    # --- pattern 7 ------------------------------------------------------------------------
    def services(self) -> list[Finding]:
        findings = []
        for event in self.by_type["service_missing"]:
            name, state = event.data.get("service"), event.data.get("state")
            facts = {
                "process": name,
                "service": name,
                "state": state,
                "step": event.data.get("step"),
            }
            step = event.data.get("step")
            cause = f"step {step} needs service {name!r}, which is not running ({state})"
            failure = self.failure(
                f"service {name} not running",
                "service-not-running",
                f"no process: {name} ({state})",
                [event],
            )
            findings.append(
                Finding(
                    failure,
                    self.diagnosis("dependency-not-started", [quote_event(event)], facts, cause),
                )
            )
        return findings

    def step_errors(self) -> list[Finding]:
        return [
            Finding(
                self.failure(
                    f"step {e.data.get('step')} ({e.data.get('kind')})",
                    "step-error",
                    str(e.data.get("error")),
                    [e],
                ),
                Unclassified(None, 0.0, "the step itself could not run"),
            )
            for e in self.by_type["step_error"]
        ]


def classify_run(run: RunOutcome) -> list[Finding]:
    """Every finding the trace supports, pattern 1 first (its consequences folded in)."""
    c = _Classifier(run)
    return [
        *c.init_failures(),
        *c.no_answers(),
        *c.shutdowns(),
        *c.checkout_timeouts(),
        *c.expectations(),
        *c.mode_mismatches(),
        *c.services(),
        *c.step_errors(),
    ]

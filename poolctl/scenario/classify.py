"""Which patterns a scenario run reproduced, read exactly from its trace.

Each finding quotes the events it rests on (`events.jsonl #N`). Checkout timeouts caused by
workers that never finished their init are pattern 1's consequences, not pattern 3. Each rule
declares the pattern ids it produces; they are checked against the knowledge base before a run
is classified, so that a pattern renamed in its YAML fails loudly. What the rules leave
unclassified is offered to the patterns no rule reads (the user's own, from `--patterns`), as
`triage` would classify a test failure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from poolctl.events import Event
from poolctl.model import Diagnosis, Evidence, Failure, Finding, Unclassified
from poolctl.patterns.loader import PatternSet
from poolctl.pool_worker import CLOSED_STDOUT as SHUT
from poolctl.scenario import checkouts, duplicates, responses, services
from poolctl.scenario.evidence import quote_event
from poolctl.scenario.failed_calls import merged_calls
from poolctl.scenario.failed_checks import firsts, span, total
from poolctl.scenario.init_raised import init_raised_failures
from poolctl.scenario.load import reproduce_command
from poolctl.scenario.logged_errors import logged_error_notes
from poolctl.scenario.no_answers import no_answers, no_response
from poolctl.scenario.run import RunOutcome
from poolctl.scenario.timed_out import TimeoutGroup, TimeoutKind
from poolctl.triage.classifier import render_template
from poolctl.triage.engine import classify_failures


class UnknownRulePattern(Exception):
    """A scenario rule names a pattern id the knowledge base does not define: a poolctl bug."""


# what the stop of an interrupted run does to its workers
_STOP_CONSEQUENCES = frozenset({"worker_exit", "no_response", "spawn_failed"})


def of_the_stop(run: RunOutcome, event: Event) -> bool:
    """Whether `event` is the interruption's own doing: on a signal every child is stopped
    and no new one starts, so a death, an answer lost with it or a start refused from then
    on is no failure of the pool under test."""
    cut = run.interrupted_at
    return cut is not None and event.t >= cut and event.type in _STOP_CONSEQUENCES


class TraceClassifier:
    """A run's trace, indexed by event type, and how a rule turns what it reads into a finding."""

    def __init__(self, run: RunOutcome, patterns: PatternSet) -> None:
        self.run = run
        self.patterns = patterns
        self.events = run.trace.events
        self.name = run.scenario.name
        self.consumed_timeouts: set[TimeoutKind] = set()  # those folded into another finding
        self.by_type: dict[str, list[Event]] = defaultdict(list)
        for event in self.events:
            if not self._of_the_stop(event):
                self.by_type[event.type].append(event)

    def _of_the_stop(self, event: Event) -> bool:
        return of_the_stop(self.run, event)

    def diagnosis(
        self,
        pattern_id: str,
        evidence: list[Evidence],
        facts: dict[str, Any],
        cause: str,
        remediation: str | None = None,
        **extra: Any,
    ) -> Diagnosis:
        if pattern_id not in produced():
            raise UnknownRulePattern(f"no scenario rule declares that it produces {pattern_id!r}")
        meta = self.patterns.get(pattern_id)
        return Diagnosis(
            pattern_id=pattern_id,
            pattern_number=meta.number,
            title=meta.title,
            confidence=1.0,  # read from the trace, not inferred from wording
            evidence=tuple(evidence),
            facts=facts,
            cause=cause,
            remediation=remediation or render_template(meta.remediation, facts),
            reproduce=reproduce_command(self.run.scenario.path),
            **extra,
        )

    def failure(
        self,
        name: str,
        kind: str,
        message: str,
        events: list[Event],
        explains: dict[str, int] | None = None,
    ) -> Failure:
        """A finding's failure, spanning `events` in events.jsonl; `explains` counts, by event
        type, the failures of the trace it accounts for (each one in one finding alone), kept
        in its details (`explains.checkout_timeout`: `3`) for a reader of report.json."""
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
            details={f"explains.{k}": str(n) for k, n in (explains or {}).items() if n},
        )

    # --- pattern 1 ------------------------------------------------------------------------
    def init_failures(self) -> list[Finding]:
        failed = [e for e in self.by_type["init_end"] if not e.data.get("ok")]
        if not failed:
            return []
        inits = self.by_type["init_end"]
        # Checkout timeouts before any worker was ready are this failure's consequences; so
        # are those that waited for the stand-in of a start that crashed (the pool named the
        # failed init as they timed out), unless workers died in service too: the pool names
        # the last failed init ever after, and the deaths' finding takes them
        timeouts = self.run.checkout_timeouts.groups
        kinds = [k for k in timeouts if k.init_failure and k.before_ready]
        # and those of a pool left with no worker at all, its last start's init failed (the
        # stand-in of a worker that died in service, too): no caller count made them wait
        kinds += [k for k in timeouts if k.init_failure and k.empty and k not in kinds]
        if not self.run.unanswered.gone_workers:
            waits = self.waits_for_replacements()
            kinds += [k for k in waits if k.init_failure and k not in kinds]
        consequences = self.fold(kinds)
        timeout = self.run.scenario.worker.init_timeout
        diagnoses = self.run.pool.init_diagnoses
        engine = next((diagnoses[e.worker] for e in failed if e.worker in diagnoses), None)
        evidence = [quote_event(e) for e in failed[:3]]
        evidence += [quote_event(e) for e in firsts(consequences, 3)]
        facts: dict[str, Any] = {
            "timeout": timeout,
            "failed_inits": len(failed),
            "inits": len(inits),
            "init_timeout": timeout,
            "checkout_timeouts_caused": total(consequences),
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
        refused = [e for e in failed if e.data.get("reason") == "error-response"]
        refusal = bool(refused) and engine is None  # answered, with an error or not as its own
        said = f"{len(failed)} of {len(inits)} init pings got no answer within {timeout:g} s"
        # a worker that exited before its ping was written (a loaded machine may return from
        # the spawn after the crash) failed the write: it too exited before answering
        exited = {e.worker for e in self.by_type["worker_exit"]}
        if all(
            e.data.get("reason") == "exited"
            or (e.data.get("reason") == "write-failed" and e.worker in exited)
            for e in failed
        ):
            # one that closed its stdout runs on: the pool read end of file, no exit
            shut = {e.worker for e in self.by_type["worker_exit"] if e.data.get("exit") == SHUT}
            closed = sum(e.worker in shut for e in failed)
            ended = "exited" if not closed else "exited or closed their stdout"
            ended = "closed their stdout and ran on" if closed == len(failed) else ended
            said = f"{len(failed)} of {len(inits)} workers {ended} before answering their init ping"
        said += _ended_behind_a_holder(failed, self.by_type["worker_backgrounded"])
        if refusal:
            error = refused[0].data.get("error")
            cause = f"{len(refused)} worker(s) answered their init, but refused it: {error}"
            remediation = f"Fix what the worker's answer says: {error}"
            said = f"{len(refused)} of {len(inits)} inits were answered with a refusal"
        caused = total(consequences)
        message = said + (f"; {caused} checkout(s) timed out waiting for them" if caused else "")
        refused_calls, gave_up, failed_at_once = self.gave_up("init_end")
        message += gave_up
        evidence += [quote_event(e) for e in refused_calls[:2]]
        facts["calls_failed_when_the_pool_gave_up"] = failed_at_once
        name, kind = "workers never answered their init ping", "init-no-response"
        if refusal:
            name, kind = "workers refused their init", "init-refused"
        explains = {
            "init_end": len(failed),
            "checkout_timeout": caused,
            "call_failed": failed_at_once,
        }
        events = failed + span(consequences) + refused_calls
        failure = self.failure(name, kind, message, events, explains)
        return [
            Finding(
                failure,
                self.diagnosis(
                    no_response(), evidence, facts, cause, remediation, hypotheses=hypotheses
                ),
            )
        ]

    def gave_up(self, failed: str) -> tuple[list[Event], str, int]:
        """The pool's giving up after failed starts in a row, and the calls it failed at once,
        folded into the finding of the `failed` starts (`spawn_failed` or `init_end`) when the
        last start before it failed so (a run may have both, each its own finding): its event
        and the first and last of those calls, what to add to its message, and how many."""
        gave_up = self.by_type["pool_gave_up"]
        if not gave_up or _last_failed_start(self, gave_up[0]) != failed:
            return [], "", 0
        groups = self.run.failed_calls.of_type("PoolGaveUp")
        calls = merged_calls(groups).span if groups else []
        count = total(groups)
        starts = gave_up[0].data.get("failed_starts")
        said = f"; the pool gave up after {starts} failed starts in a row"
        serving = gave_up[0].data.get("serving") or 0
        if serving and not count:  # its callers were served by the workers up
            return gave_up, said + f", its {serving} worker(s) up serving the callers", 0
        return gave_up + calls, said + f", failing {count} call(s) at once", count

    def waits_for_replacements(self) -> list[TimeoutKind]:
        """Checkouts that timed out after a worker had gone, with a replacement still starting,
        in a pool with a worker for every caller, or with no worker serving a caller: no more
        callers than workers could make one wait, nor callers served by none, the dead
        workers' stand-ins did (a loaded machine starts them slowly; one may be ready just as
        the late timer fires). Not pattern 3: the finding of the deaths folds them in, by
        `fold` (only once it is made: a rule that makes none leaves them)."""
        gone = [e.t for e in self.by_type["worker_exit"]]
        if not gone:
            return []
        pool = self.run.scenario.pool
        enough = self.run.scenario.peak_concurrency() <= pool.size + pool.max_overflow
        return [
            k
            for k in self.run.checkout_timeouts.groups
            if k not in self.consumed_timeouts
            and k.after_exit
            and k.starting
            and (enough or k.none_busy)
        ]

    def waits_on_silent(self) -> list[TimeoutKind]:
        """Checkouts that timed out while a worker was held all through their wait by a request
        that never got an answer (it timed out): the hung worker was taken from the pool."""
        groups = self.run.checkout_timeouts.groups
        return [k for k, g in groups.items() if k not in self.consumed_timeouts and g.held_by_hangs]

    def fold(self, kinds: list[TimeoutKind]) -> list[TimeoutGroup]:
        """The checkout timeouts of `kinds`, taken into the finding being made: no later rule
        reads them."""
        self.consumed_timeouts |= set(kinds)
        return [self.run.checkout_timeouts.groups[k] for k in kinds]


def _last_failed_start(c: TraceClassifier, gave_up: Event) -> str:
    """The type of the last failed start before the pool gave up: `spawn_failed` (its process
    could not run), `init_end` (it crashed in its init or refused it) or `init_raised` (poolctl
    could not finish its init)."""
    inits = [e.seq for e in c.by_type["init_end"] if not e.data.get("ok") and e.seq < gave_up.seq]
    last = {"init_end": max(inits, default=0)}  # first: it wins a tie, none of them seen
    for kind in ("spawn_failed", "init_raised"):
        last[kind] = max((e.seq for e in c.by_type[kind] if e.seq < gave_up.seq), default=0)
    return max(last, key=lambda kind: last[kind])


@dataclass(frozen=True)
class Rule:
    """One reading of the trace, and the pattern ids its findings may carry."""

    name: str
    produces: tuple[str, ...]
    read: Callable[[TraceClassifier], list[Finding]]


@cache
def rules() -> tuple[Rule, ...]:
    """The rules in this order: pattern 1 first, since its consequences (checkout timeouts) are
    folded into it."""
    return (
        Rule("workers that could not start", (), services.spawn_failures),
        Rule("worker inits raised", (), init_raised_failures),
        Rule("init pings unanswered", (no_response(),), TraceClassifier.init_failures),
        Rule("requests unanswered", (no_response(),), no_answers),
        Rule("callers failed by a shutdown", (checkouts.SHUTDOWN,), checkouts.shutdowns),
        Rule("checkouts timed out", (checkouts.WAITERS,), checkouts.checkout_timeouts),
        Rule(
            "responses unlike the expectation",
            (
                responses.KEY_MISMATCH,
                responses.FIELD_MISSING,
                responses.ADAPTER,
                services.NOT_STARTED,
            ),
            responses.expectations,
        ),
        Rule("workers in the wrong mode", (responses.ADAPTER,), responses.mode_mismatches),
        Rule("services not running", (services.NOT_STARTED,), services.services),
        Rule("requests answered twice", (), duplicates.duplicate_answers),
        Rule("steps that could not run", (), services.step_errors),
    )


@cache
def produced() -> frozenset[str]:
    """Every pattern id a rule may produce."""
    return frozenset(pattern_id for rule in rules() for pattern_id in rule.produces)


def check_rules(patterns: PatternSet) -> None:
    """Every id a rule produces is defined by `patterns`; `UnknownRulePattern` names any other."""
    known = {p.id for p in patterns}
    for rule in rules():
        for pattern_id in rule.produces:
            if pattern_id not in known:
                raise UnknownRulePattern(
                    f"scenario rule {rule.name!r} produces pattern {pattern_id!r}, which the "
                    f"knowledge base does not define (known: {', '.join(sorted(known))})"
                )


@dataclass(frozen=True)
class Classified:
    """A run's findings, and the notes on user patterns that raised while classifying."""

    findings: list[Finding]
    notes: list[str]


def classify_run(run: RunOutcome, patterns: PatternSet) -> Classified:
    """Every finding the trace supports, pattern 1 first (its consequences folded in); then what
    is left unclassified, offered to the patterns no rule reads."""
    check_rules(patterns)
    c = TraceClassifier(run, patterns)
    findings = [finding for rule in rules() for finding in rule.read(c)]
    classified = offer_to_other_patterns(findings, patterns)
    notes = classified.notes + responses.unkept_note(c) + logged_error_notes(c)
    return Classified(classified.findings, notes)


def offer_to_other_patterns(findings: list[Finding], patterns: PatternSet) -> Classified:
    """Each unclassified finding that a pattern no rule reads claims, as `triage` would."""
    others = PatternSet(tuple(p for p in patterns if p.id not in produced()))
    left = [i for i, f in enumerate(findings) if isinstance(f.outcome, Unclassified)]
    if not len(others) or not left:
        return Classified(findings, [])
    claimed, notes = classify_failures([findings[i].failure for i in left], others)
    out = list(findings)
    for i, finding in zip(left, claimed, strict=True):
        if isinstance(finding.outcome, Diagnosis):
            out[i] = finding
    return Classified(out, notes)


def _ended_behind_a_holder(failed: list[Event], backgrounded: list[Event]) -> str:
    """Of the inits that timed out, those whose worker's process had ended before the wait was
    up while a process it started held its stdout (no end of file came: the pool waited, as a
    port reads until end of file): `; 1 of them had ended at 0.088 s (killed by SIGTERM (15)),
    pid 4172 (python) holding its stdout`."""
    ended = {e.worker: e for e in backgrounded}
    behind = [
        ended[e.worker] for e in failed
        if e.data.get("reason") == "timeout" and e.worker in ended and ended[e.worker].t < e.t
    ]  # fmt: skip
    if not behind:
        return ""
    first = behind[0]
    # each holder as `pid 4172, python`: said `pid 4172 (python)`
    named = [re.sub(r"^(pid \d+), (.+)$", r"\1 (\2)", h) for h in first.data.get("holders") or []]
    holders = ", ".join(named) or "a process it started"
    return (
        f"; {len(behind)} of them had ended at {first.t:.3f} s ({first.data.get('exit')}), "
        f"{holders} holding its stdout"
    )

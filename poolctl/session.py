"""One protocol session on a live worker: the protocol's steps in order (handshake, the request
`--command` names `--count` times, closing), each timed, each answer kept.

The session stops at the first request that gets no answer (the caller diagnoses it while the
process is still there) and at an error reply to the handshake's first request (the server
refused the session). An error reply to any other request is an answer: the step says so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from poolctl import activity
from poolctl.diagnose.asks import asked_for, unset
from poolctl.missing_in_text import command_path_text, missing_path_text
from poolctl.model import ProtocolStep
from poolctl.protocol import PROTOCOLS, Protocol, Request, Response, Step, workspace
from poolctl.protocol.init_asked import read_of_nothing, unchecked_options_hint
from poolctl.protocol.server_version import version_shown
from poolctl.protocol.tool_arguments import lacked_words
from poolctl.protocol.undeclared import undeclared
from poolctl.protocol.unknown_tool import unknown_tool
from poolctl.refused_here import refused_here
from poolctl.stderr_during import error_logged, error_reported_since, stderr_size
from poolctl.unopened import ping_unopened
from poolctl.unresolved_host import unresolved_host
from poolctl.worker import WorkerProcess
from poolctl.worker_types import Answer, ExitStatus, NoAnswer


@dataclass
class Session:
    """What a session did: its steps, the answers by method, the repeated request's round
    trips, and where it stopped."""

    protocol: Protocol
    steps: list[ProtocolStep] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # method -> its (last) result
    round_trips: list[float] = field(default_factory=list)
    last_response: Response | None = None
    opening: Answer | None = None  # the answer to the handshake's first request
    failed: NoAnswer | None = None  # the request that got no answer
    refused: Response | None = None  # the error reply that ended the handshake
    mismatch: str = ""  # why the handshake's answer was not the protocol's (that ended it)
    exit: ExitStatus | None = None  # after a step that ends the process

    @property
    def ok(self) -> bool:
        return self.failed is None and self.refused is None and not self.mismatch

    def server(self) -> dict[str, Any]:
        """What the server said about itself, as the protocol reads its answers."""
        found = self.protocol.server(self.answers)
        if self.exit is not None:
            found["exit"] = self.exit.describe()
        return {k: v for k, v in found.items() if v not in (None, [], "")}

    def ready_s(self) -> float | None:
        """Seconds from spawn to the first answer: the start-up a client waits for."""
        return next((s.at_s for s in self.steps if s.ms is not None and s.ok), None)


def run_session(
    worker: WorkerProcess,
    command: str | None,
    args: dict[str, Any] | None,
    *,
    count: int = 1,
    timeout: float = 5.0,
    exchange: Callable[[Request, float], Answer | NoAnswer] | None = None,
) -> Session:
    """Run the worker's protocol's steps on `worker` (started); stop at the first no-answer.

    Each request goes through `exchange` (default: `worker.exchange_request`; a traced run
    passes one that records the request and its answer)."""
    exchange = exchange or worker.exchange_request
    protocol = worker.protocol
    session = Session(protocol)
    steps = protocol.steps(command, args, workspace(worker.spec.cwd), worker.spec.init_options)
    first_request = next((s for s in steps if not s.notification), None)
    closing_from = len(steps) - len(protocol.closing_steps())  # the steps that end it
    for index, step in enumerate(steps):
        worker.closing = worker.closing or index >= closing_from
        times = count if step.repeat else 1
        for _ in range(times):
            if step.notification:
                sent = worker.notify(step.method, step.params, timeout)
                detail = "sent" if sent else "could not be written: the worker stopped reading"
                session.steps.append(ProtocolStep(step.method, sent, detail, None, _at(worker)))
                if step.ends_process:
                    session.exit = _wait_exit(worker, timeout, session)
                continue
            request = worker.ids.request_raw(step.method, step.params)
            logged_before = stderr_size(worker)
            notes_before = worker.notification_count
            with activity.waiting(_waiting_for(step.method, protocol), timeout):
                outcome = exchange(request, timeout)
            if isinstance(outcome, NoAnswer):
                session.failed = outcome
                session.steps.append(
                    ProtocolStep(step.method, False, outcome.detail, None, _at(worker))
                )
                return session
            assert isinstance(outcome, Answer)
            response = outcome.response
            ms = round(outcome.round_trip * 1000, 3)
            opening = step is first_request and protocol.handshake
            succeeded, problem = protocol.outcome_of(
                step.method, response.success, response.result, response.error_message
            )
            if response.success:
                detail = f"answered, but {problem}" if problem else "answered"
                asked = step.method == command and not opening  # the request the user named
                reported = error_reported_since(worker, notes_before) if asked else None
                if reported and (succeeded or reported[1][-40:] not in (problem or "")):
                    level, text = reported  # its MCP log at an error level, not its stderr
                    detail += f"; it sent a log message at level {level} as it served it: `{text}`"
                said = error_logged(worker, logged_before) if asked else None
                # beside a tool's error, only a line that says more than it (mcp-atlassian's
                # `Jira configuration could not be resolved.` under `Jira client (fetcher) not
                # available`)
                if said and (succeeded or said[-40:] not in (problem or "")):
                    detail += f"; its stderr logged an error as it served it: `{said}`"
                if asked and succeeded and (text := _error_text(step.method, response.result)):
                    detail += (
                        f"; its text says `{text}`, though its isError is false: a client "
                        "takes that error for the tool's result"
                    )
                elif asked and succeeded:  # `Document /x.docx does not exist`, of its argument
                    detail += missing_path_text(step.method, args, response.result)
                session.answers[step.method] = response.result
                session.opening = outcome if opening else session.opening
                session.mismatch = protocol.opening_problem(response.result) if opening else ""
            else:
                detail = f"error reply: {response.error_message}"
                hint = protocol.refusal_hint(response.error_message) if opening else ""
                if opening and not hint:
                    hint = _options_unchecked(worker, exchange, response.error_message, timeout)
                if opening and not hint:
                    hint = _other_opening(worker, protocol, exchange, timeout)
                elif step.method == command and protocol.name == "lsp":
                    hint = ping_unopened(response.error_message, args)
                    init = session.answers.get("initialize")
                    hint = hint or undeclared(step.method, response.error_message, init)[2:]
                detail += f"; {hint}" if hint else ""
            if not succeeded and not opening:  # a service out of reach, a credential unset
                said = problem or response.error_message
                detail += unresolved_host(said) + _asks_environment(worker, said)
                detail += refused_here(said)
                detail += command_path_text(said, worker.spec)
                detail += lacked_words(said, args or {}) if step.method == command else ""
            if session.mismatch:
                detail = f"answered, but not as {protocol.server_noun}: {session.mismatch}"
            ok = succeeded and not session.mismatch
            session.steps.append(ProtocolStep(step.method, ok, detail, ms, _at(worker)))
            if session.mismatch:
                return session
            if step.repeat:
                session.round_trips.append(outcome.round_trip)
                session.last_response = response
            if not response.success and opening:
                session.refused = response
                return session
    _named_tools(session)
    return session


def _named_tools(session: Session) -> None:
    """A tools/call that named no tool of the server's gets the names its tools/list gave."""
    listed = session.answers.get("tools/list")
    for i, step in enumerate(session.steps):
        if step.method == "tools/call" and not step.ok:
            named = unknown_tool(step.detail, listed)
            session.steps[i] = replace(step, detail=step.detail + named)


def _options_unchecked(
    worker: WorkerProcess,
    exchange: Callable[[Request, float], Answer | NoAnswer],
    error: str,
    timeout: float,
) -> str:
    """A language server that refused initialize reading a property of nothing, no options
    sent: initialize asked again on the same stream with `initializationOptions: {}`; what its
    answer shows, or "" (not asked, or no answer)."""
    read = (
        read_of_nothing(error, worker.spec.init_options) if worker.protocol.name == "lsp" else None
    )
    if read is None:
        return ""
    step = worker.protocol.opening(workspace(worker.spec.cwd), {})
    outcome = exchange(worker.ids.request_raw(step.method, step.params), timeout)
    if isinstance(outcome, Answer) and outcome.response.success:
        return unchecked_options_hint(read)
    return ""


def _error_text(method: str, result: Any) -> str:
    """The text of a tools/call answer not marked isError that says it is an error ("" when
    none): mcp-server-sqlite 2025.4.25 answers read_query of a DELETE with `Error: Only SELECT
    queries are allowed for read_query` and `isError: false`."""
    if method != "tools/call" or not isinstance(result, dict) or result.get("isError"):
        return ""
    content = result.get("content")
    texts = (
        [i.get("text") for i in content if isinstance(i, dict)] if isinstance(content, list) else []
    )
    return next((t.strip()[:300] for t in texts if isinstance(t, str) and _SAYS_ERROR.match(t)), "")


# a text that opens as an error's: `Error: …`, `Database error: …`, `Error executing tool x:
# …`, `ValueError: …`
_SAYS_ERROR = re.compile(r"\s*(?:(?:[A-Z]\w* )?[Ee]rror(?: [^:\n]{1,60})?|\w+Error): ")


def _asks_environment(worker: WorkerProcess, error: str) -> str:
    """What an error asking for environment variables its worker lacks says to do ("" when it
    asks none): @circleci/mcp-server-circleci 0.20.0's tools answer `… or set CIRCLECI_TOKEN.`"""
    asked = asked_for(error)
    lacking = unset(asked, worker.spec.environment()) if asked else ()
    if not asked or not lacking:
        return ""
    return (
        f"; it asks for {asked.what()}, not set in its environment: "
        + " ".join(f"`--env {name}=…`" for name in lacking)
        + " (in a pool, the worker's `env`)"
    )


def _other_opening(
    worker: WorkerProcess,
    protocol: Protocol,
    exchange: Callable[[Request, float], Answer | NoAnswer],
    timeout: float,
) -> str:
    """A server that refused the opening, asked the other handshakes' openings on the same
    stream: what an answer shows, or "" when none is an answer of that protocol."""
    for name, step in other_openings(protocol, worker):
        outcome = exchange(worker.ids.request_raw(step.method, step.params), timeout)
        if isinstance(outcome, Answer) and outcome.response.success:
            hint = answered_as(name, step.method, outcome.response.result)
            if hint:
                return hint
    return ""


def other_openings(protocol: Protocol, worker: WorkerProcess) -> list[tuple[str, Step]]:
    """The openings of the handshake protocols other than `protocol`: what a server that
    refused its opening is asked next (the Python MCP SDK refuses LSP's initialize as
    `Invalid request parameters`, naming nothing)."""
    root = workspace(worker.spec.cwd)
    return [
        (name, other.opening(root))
        for name, other in PROTOCOLS.items()
        if name != protocol.name and other.handshake
    ]


def answered_as(name: str, method: str, result: Any) -> str:
    """`asked mcp's initialize on the same stream, it answered as an MCP server (…): speak mcp
    to it (…)`, or "" when `result` is no answer of protocol `name`."""
    other = PROTOCOLS[name]
    if other.opening_problem(result):
        return ""
    found = other.server({method: result})
    named = [repr(found["name"])] if found.get("name") else []
    version = version_shown(found.get("version"))
    said = " ".join(named + ([version] if named and version else []))
    said = f"server {said}" if said else ""
    if found.get("protocol_version"):
        said += f"{', ' if said else ''}protocolVersion {found['protocol_version']!r}"
    return (
        f"asked {name}'s {method} on the same stream, it answered as {other.server_noun}"
        f"{f' ({said})' if said else ''}: speak {name} to it (`--protocol {name}`; in a pool, "
        f"`worker.protocol: {name}`)"
    )


def _waiting_for(method: str, protocol: Protocol) -> str:
    return f"waiting for an answer to {method}" if protocol.handshake else "waiting for an answer"


def _at(worker: WorkerProcess) -> float:
    return round(worker.elapsed(), 3)


# how long a server is given to end on `exit` alone before its stdin is closed, as an editor
# closes it: a tower-lsp server (just-lsp) reads `exit` and ends only at the end of its input
EXIT_ALONE = 2.0


def _wait_exit(worker: WorkerProcess, timeout: float, session: Session) -> ExitStatus | None:
    """After `exit`, the server should end: wait for it, then for its end once its stdin is
    closed, and say how it ended."""
    start = time.monotonic()
    end = start + min(timeout, 5.0)
    closed_at: float | None = None
    while worker.poll() is None and time.monotonic() < end:
        if closed_at is None and time.monotonic() - start >= min(EXIT_ALONE, timeout):
            closed_at = time.monotonic() - start
            worker.close_stdin()
        worker.read_stdout(min(0.05, max(0.0, end - time.monotonic())))
    status = worker.poll()
    detail = status.describe() if status else f"still running {min(timeout, 5.0):g} s after exit"
    if closed_at is not None:
        detail += (
            f" after its stdin was closed, {closed_at:.1f} s after exit (running until then)"
            if status
            else f", its stdin closed {closed_at:.1f} s after it"
        )
    ok = status is not None and status.code == 0  # LSP: exit after shutdown ends with code 0
    session.steps.append(ProtocolStep("(process)", ok, detail, None, _at(worker)))
    return status


__all__ = ["Session", "run_session"]

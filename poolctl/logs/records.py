"""What reading a test log yields: failures, worker tracebacks, and an index of identifiers.

The parsers (`poolctl/logs/`) produce a `ParsedLog`; the classifier (`poolctl/triage/`)
consumes it. Logs are read as a stream, so everything kept here is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from poolctl.model import Failure

STDIN_NAME = "<stdin>"  # how standard input is named in evidence and notes


@dataclass(frozen=True)
class LogLine:
    """One input line and where it stands."""

    file: str
    line: int  # 1-based
    text: str  # ANSI colours removed

    @property
    def origin(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class WorkerTraceback:
    """A traceback a worker wrote into the log (Python, or an Elixir/Erlang crash report)."""

    file: str
    line_start: int
    line_end: int
    text: str
    exception: str  # the `SomeError: message` line, or "" when there is none


@dataclass(frozen=True)
class RunSummary:
    """A runner's closing line (`N tests, M failures`, `Result: …`, pytest's `== 3 failed ==`)."""

    file: str
    line: int
    text: str
    tests: int | None = None
    failures: int | None = None
    # True when the runner printed no closing line for this run (a pasted run cut short, its
    # end seen only because the failure numbering restarts): `failures` counts its blocks.
    inferred: bool = False


@dataclass
class IdentifierIndex:
    """Lines that name each identifier (pool names, pids, worker ids, sessions, ports).

    Bounded: at most `per_identifier` lines kept per identifier (the first ones seen, then the
    most recent), at most `max_identifiers` identifiers.
    """

    per_identifier: int = 12
    max_identifiers: int = 50_000
    lines: dict[str, list[LogLine]] = field(default_factory=dict)

    def add(self, identifier: str, line: LogLine) -> None:
        kept = self.lines.get(identifier)
        if kept is None:
            if len(self.lines) >= self.max_identifiers:
                return
            self.lines[identifier] = [line]
        elif len(kept) < self.per_identifier:
            kept.append(line)
        else:
            kept[-1] = line  # keep the first ones and the latest

    def naming(self, identifier: str) -> list[LogLine]:
        return self.lines.get(identifier, [])


@dataclass
class ParsedLog:
    """Everything read from one or more test logs."""

    inputs: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # input -> exunit | pytest | junit
    failures: list[Failure] = field(default_factory=list)
    tracebacks: list[WorkerTraceback] = field(default_factory=list)
    summaries: list[RunSummary] = field(default_factory=list)
    identifiers: IdentifierIndex = field(default_factory=IdentifierIndex)
    skipped: list[str] = field(default_factory=list)  # what could not be read, with file:line
    lines_read: int = 0

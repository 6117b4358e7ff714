"""A verdict an ExUnit test printed: held until its run's end says whose it is.

A test that prints another runner's verdict of a failed run (`IO.puts("3 failed")`, RSpec's `10
examples, 2 failures`, go test's `FAIL<tab>pkg<tab>0.002s`: a tool's suite reporting a child run)
or ExUnit's own closing line prints it among the progress marks of its run, before the run's
`Finished in N seconds` and closing line. ExUnit before 1.17 prints no line that opens a run
(without `--trace`; since, `Running ExUnit with seed: …`), and rebar3's EUnit run prints the
same marks and ends the same way, so such a line is held while the run it is in has not ended:
when `Finished in` comes first, the line was a test's output (dropped); when a run boundary
comes first (an umbrella app's `==> app`, Mix compiling or failing, a run's seed line, a command
echoed before it ran: `$ mix test`, bash's `+ mix test`, a GitHub Actions step's `Run mix
test`; a numbering restart, the input's end), it was a run's verdict, read as it was before.

Left to the log: another runner's verdict right before a `mix test` run that prints nothing
before its tests (no compilation, no command echoed, no filter) reads as that run's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from poolctl.logs import other_verdicts
from poolctl.logs.exunit_summary import closing_counts, is_closing_line

FINISHED = "Finished in "
# (RE2 syntax, searched over bytes) ExUnit's and rebar3's line before the closing line; the
# lines that open a run
TRIGGERS = (
    r"^Finished in [\d.]+ seconds",
    r"^(?:Compiling \d+ files? \(|Generated \S+ app\s*$|Running ExUnit with seed: )",
    r"^(?:In|Ex)cluding tags: ",
    r"^(?:\$|\+|Run) \S",  # a command echoed (a shell's prompt, `set -x`, a GitHub step)
)
FINISHED_RE = re.compile(r"^Finished in [\d.]+ seconds")
STARTS_RUN_RE = re.compile(
    r"^(?:Compiling \d+ files? \(|Generated \S+ app\s*$|Running ExUnit with seed: "
    r"|(?:In|Ex)cluding tags: |(?:\$|\+|Run) \S)"
)


@dataclass(frozen=True)
class Held:
    """A verdict-like line, and the failures (and those read) its run had before it."""

    number: int
    line: str
    failures: int
    read: int


def is_finished(line: str) -> bool:
    """`Finished in 0.09 seconds (…)`: the run's tests are over."""
    return line.startswith(FINISHED) and FINISHED_RE.match(line) is not None


def starts_run(line: str) -> bool:
    """A line printed before a run's tests: Mix compiling, `--trace`'s seed, a tag filter, a
    command echoed."""
    return line[:1] in "CGRIE$+" and STARTS_RUN_RE.match(line) is not None


def verdict_like(line: str, stripped: str) -> bool:
    """A closing line (ExUnit's words) or another runner's verdict that the parser reads."""
    if is_closing_line(line, stripped) and closing_counts(stripped) is not None:
        return True
    return other_verdicts.is_verdict(stripped)

"""The lines that say how a run with no closing line ended, printed after the runner's last
output by what killed it or by what ran it.

- The shell that ran the runner, when a signal ended it: bash's job-status line (`step.sh:
  line 1: 18572 Killed  pytest …`, `… Segmentation fault  (core dumped) …`), dash's bare
  `Killed`. The runner left no newline, so it is often glued to the runner's last line
  (`check_ends.py FF.step.sh: line 1: …`, `  * test the end [L#23]Killed`).
- The BEAM out of memory: `eheap_alloc: Cannot allocate 306586976 bytes of memory (of type
  "heap").`, then `Crash dump is being written to: erl_crash.dump...done`.
- A CI service ending the job: GitHub Actions' `##[error]The operation was canceled.` and `The
  job running on runner … has exceeded the maximum execution time of …` (their `##[error]`
  marker may be gone: `poolctl.logs.prefixes`), GitLab's `ERROR: Job failed: execution took
  longer than …`.

Only lines at the end of the input count (blank lines aside): the same text earlier is a test's
own output, and a run that goes on after it did not end there. Another program's lines may
follow them, though (a CI script that goes on once the runner died, `pytest; echo done`, its
`after_script`): a shell's job-status line, the BEAM's or a CI service's among the last lines
still ends the run when no line after it is the runner's own (a progress line, a test's `-v`
or `--trace` line, a session's start, a closing line, a failure's header).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from poolctl.logs.records import Lines
from poolctl.model import Failure

SIGNALS = (
    r"(?:Killed|Segmentation fault|Aborted|Terminated|Bus error|Illegal instruction"
    r"|Floating point exception|Hangup|Quit)(?: +\(core dumped\))?"
)
# bash names the script (a path: GitHub Actions runs `bash -e /home/runner/work/_temp/….sh`; or
# `bash` itself under `bash -c`) and its line, the pid, the signal, then the command
_BASH_RE = re.compile(rf"(?:/\S+|\b[a-z]*sh): line \d+: +\d+ {SIGNALS}(?: .*)?$")
# dash prints the signal alone: taken on a line of its own, after a progress line's marks, a
# `-v` start (`t.py::test_a `) or a `--trace` start (`* test a [L#12]`), not after other text
_DASH_RE = re.compile(rf"{SIGNALS}$")
_DASH_AFTER_RE = re.compile(r"^(?:|.*\.py [.sxXFEu,]*|[.sxXFEu,*?]+|\S+::\S+ *|.*\[L#\d+\])$")
_BEAM_RE = re.compile(
    r"(?:\b\w+_alloc: Cannot allocate \d+ bytes of memory \(of type \"[^\"]+\"\)\."
    r"|^Crash dump is being written to: .*)$"
)
# a line a test runner prints while its run goes on (pytest's and ExUnit's, of the parsers here)
_RUNNER_LINE_RE = re.compile(
    r"^\s*(?:\S+\.py(?:::\S+)?(?: .*)?$|=+ .* =+$|\* (?:test|doctest|property|describe) .*\]$"
    r"|\d+\) |Finished in |Running ExUnit with seed|[.*?F]+$|\[gw\d+\] "  # (pytest-xdist's)
    r"|(?:\d+ \w+, )*\d+ (?:tests?|failures?|passed|failed)\b)"
)
_SERVICE_RE = re.compile(
    r"^(?:(?:##\[error\])?(?:The operation was canceled\.|The job running on runner .* has "
    r"exceeded the maximum execution time of .*)|ERROR: Job failed: execution took longer than .*)$"
)


# each ending's regex, and literals one of which every line it matches holds (none: any). The
# BEAM's `\b\w+_alloc` is tried at every word of a line without them: 3.3 us of a pytest
# summary line's 4.4, for each failure (twice: `pytest_unfinished.killed_quiet`)
_ENDINGS = (
    (_BASH_RE, (": line ",)),
    (_BEAM_RE, ("_alloc: Cannot allocate ", "Crash dump is being written to: ")),
    (_SERVICE_RE, ()),  # (anchored: tried at the line's start alone)
    (_DASH_RE, ()),
)


@dataclass(frozen=True)
class Ending:
    """The ending lines (`said`: each line's number and the ending's text), and the runner's
    last output before them: the text a line began with before the ending glued to it, else
    the line before the first ending line (None when no line is left)."""

    said: Lines
    before: tuple[int, str] | None

    @property
    def glued(self) -> bool:
        """Whether the first ending line was glued to the runner's last output."""
        return self.before is not None and self.before[0] == self.said[0][0]

    @property
    def line(self) -> int:
        return self.said[-1][0]

    def quoted(self) -> str:
        """The ending lines, quoted with their line numbers."""
        return ", then ".join(f"'{text}' (line {number})" for number, text in self.said)


def _ending_text(line: str) -> tuple[str, str] | None:
    """(the text before the ending, the ending) when `line` ends in one."""
    text = line.rsplit("\r", 1)[-1].rstrip() if line.strip() else ""
    if not text:  # a redraw that ends the line (`\r` last) ends nothing
        text = line.strip()
    for regex, literals in _ENDINGS:
        # each regex only where its literal is: a searched long line of one word (64 KB of
        # progress marks) is tried from every position, and `/\S+` backtracks at each one
        if literals and not any(literal in text for literal in literals):
            continue
        match = regex.search(text)
        if match is None:
            continue
        head = text[: match.start()]
        if regex is not _DASH_RE or _DASH_AFTER_RE.match(head.strip()):
            return head, match.group()
    return None


def ending(tail: Lines) -> Ending | None:
    """How the run ended, from the input's last non-blank lines `tail` (oldest first): the
    ending lines its last lines are, or those before another program's lines that end it (a
    shell's job status, the BEAM's or a CI service's line; dash's bare `Killed`, which another
    program's line may be, only after the runner's output), or None when none is found."""
    found = _at_end(tail)
    if found is not None:
        return found
    for position in range(len(tail) - 1, -1, -1):
        line = tail[position][1]
        said = _ending_text(line)
        if said is not None and (
            _DASH_RE.fullmatch(said[1]) is None or _after_runner(tail, position)
        ):
            return _at_end(tail[: position + 1])
        if _RUNNER_LINE_RE.match(line.rsplit("\r", 1)[-1]):
            return None  # the runner went on past any ending before it
    return None


def first_ending(lines: Lines) -> Ending | None:
    """How a run ended before another began, from the non-blank `lines` between them (oldest
    first): the first ending line among them (dash's bare signal name only after the runner's
    output) and the ending lines right after it, or None when none is there."""
    for position, (_, line) in enumerate(lines):
        said = _ending_text(line)
        if said is None or (_DASH_RE.fullmatch(said[1]) and not _after_runner(lines, position)):
            continue
        end = position + 1
        while end < len(lines) and _ending_text(lines[end][1]) is not None:
            end += 1
        return _at_end(lines[:end])
    return None


def _after_runner(tail: Lines, position: int) -> bool:
    """Whether dash's bare signal name on line `position` of `tail` follows the runner's output:
    glued to it, or on the line after one of its lines."""
    found = _ending_text(tail[position][1])
    if found is not None and found[0].strip():
        return True
    return position > 0 and bool(_RUNNER_LINE_RE.match(tail[position - 1][1].rsplit("\r", 1)[-1]))


def runners_last(tail: Lines) -> tuple[int, str] | None:
    """The runner's last line among the input's last non-blank lines `tail`: the last one that
    is a runner's own, with only another program's lines after it (or the last line)."""
    for number, line in reversed(tail):
        if _RUNNER_LINE_RE.match(line.rsplit("\r", 1)[-1]):
            return number, line
    return tail[-1] if tail else None


def _at_end(tail: Lines) -> Ending | None:
    """The ending lines `tail`'s last lines are, or None when its last line is no ending."""
    said: Lines = []
    position = len(tail)
    while position > 0:
        number, line = tail[position - 1]
        found = _ending_text(line)
        if found is None:
            break
        position -= 1
        said.insert(0, (number, found[1]))
        if found[0].strip():  # glued to the runner's last output: that is the line before
            return Ending(said, (number, found[0]))
    if not said:
        return None
    return Ending(said, tail[position - 1] if position else None)


MAY_BE_CUT = (
    "no line says how the run ended: the log may have been cut at its end (by a CI log's size "
    "limit, say), which reads the same as a run stopped there"
)


def ended_in(running: Failure, end: Ending | None) -> tuple[Failure, Lines]:
    """The failure of the test the run ended in, with the lines that show it: its start, and
    the lines saying how the run ended, quoted in its message."""
    started = [(running.line_start, running.details["running"])]
    if end is None:  # a log cut after that line (a CI log's size limit) ends the same way
        return dataclasses.replace(running, message=f"{running.message}; {MAY_BE_CUT}"), started
    runner = "ExUnit" if running.source == "exunit" else "pytest"
    message = (
        f"{running.message}; after its result the log says how the run ended: {end.quoted()}"
        if running.details.get("phase") == "teardown"
        else f"the run ended while this test ran: {runner} printed no result for it, and no "
        f"closing line; after its start the log says how the run ended: {end.quoted()}"
    )
    details = {**running.details, "ended": "; ".join(text for _, text in end.said)}
    failure = dataclasses.replace(running, message=message, details=details, line_end=end.line)
    return failure, [*started, *[(n, t) for n, t in end.said if n != running.line_start]]


def mix_test_ended(
    app: str, message: str, details: dict[str, str], input_file: str, start: int, end: int
) -> Failure:
    """The failure of a `mix test` run that ended in a test the log does not name."""
    return Failure(
        source="exunit",
        name="mix test",
        group=app,
        location="",
        kind="RunEnded",
        message=message,
        details={**details, "phase": "run"},
        input_file=input_file,
        line_start=start,
        line_end=end,
    )


def run_failure(end: Ending, app: str, input_file: str) -> tuple[Failure, Lines]:
    """The failure of a `mix test` run whose end the log shows, in a test it does not name."""
    message = (
        f"the run ended before ExUnit printed its closing line; the log says how: "
        f"{end.quoted()}; the test it was in is not in the log (`mix test --trace` prints "
        "each test's start)"
    )
    ended = {"ended": "; ".join(text for _, text in end.said)}
    failure = mix_test_ended(app, message, ended, input_file, end.said[0][0], end.line)
    return failure, list(end.said)


def exunit_ended(
    running: Failure | None, end: Ending | None, began: bool, app: str, input_file: str
) -> tuple[Failure, Lines] | None:
    """The failure of a `mix test` run with no closing line, with its lines: of the test it was
    `running` (`--trace`), else, when the log says how a run that `began` ended, of the run."""
    if running is not None:
        return ended_in(running, end)
    return run_failure(end, app, input_file) if end is not None and began else None

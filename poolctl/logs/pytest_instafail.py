"""Failure blocks printed among a pytest run's progress lines, right after their test's
(pytest-instafail's, pytest-sugar's), read as the FAILURES section's, which such a run does not
print. Under `-q` no session header came before, and the block cut the run's first letters
(`E`) before their `[ NN%]`: they begin the run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from poolctl.logs.pytest_block import HEADER_RE, SEPARATOR_RE, PytestBlock

if TYPE_CHECKING:
    from poolctl.logs.pytest_log import PytestParser


def inline_block(parser: PytestParser, number: int, line: str) -> bool:
    """Whether `line` begins a block pytest-instafail printed right after its test's progress
    line (`t.py F`, then an empty line; `t.py::test_a FAILED [ 25%]`): begun then."""
    if parser.section != "test session starts" and not after_quiet_marks(parser, number):
        return False
    if parser.in_capture or parser.nested:
        return False
    if not 0 < number - parser.failed_progress_at <= 2 or parser.narrow(line):
        return False
    header = HEADER_RE.match(line)
    if header is None or SEPARATOR_RE.match(line):
        return False
    parser.quiet_run_begins_at_marks()
    start_block(parser, number, line, header.group("title"))
    return True


def after_quiet_marks(parser: PytestParser, number: int) -> bool:
    """Whether line `number` may be what pytest-instafail printed right after a `-q` run's
    first letters (`E`), which no session header came before: they begin the run."""
    after = number - parser.failed_progress_at
    return not parser.section and bool(parser.failed_marks) and 0 < after <= 2


def start_block(parser: PytestParser, number: int, line: str, title: str) -> None:
    """A block printed among the progress lines, its header `line` (its `title`)."""
    section = "ERRORS" if title.startswith(("ERROR at ", "ERROR collecting ")) else "FAILURES"
    parser.consumer = PytestBlock(parser, number, title, section, inline=True)
    parser.recorder.begin(number, line)

"""RSpec's failure list formatter alone (`rspec --format failures`, its stdout or `--out FILE`,
as an editor's quickfix list reads it): a line for each failed example, as it fails, its
place and its own description (not its groups'), and nothing more, no message nor count:

    ./spec/pool_spec.rb:12:lets a second caller check out within 200ms

Each line is a failure, named by that description, grouped by its spec file, placed at the
example's line; the failures read count the run. What Ruby printed between them on stderr (a
thread's exception report) is the next failed example's logged output: it ran as that
example did, or one that passed before it.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines, ParsedLog, RunSummary
from poolctl.logs.rspec_block import RUNNER, SOURCE
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "RSpec failures"  # what a log of it alone is said to be
# (a Ruby backtrace's `./lib/pool.rb:52:in 'checkout'` is none)
LINE_RE = re.compile(r"^\./(?P<file>[^\s:]+\.rb):(?P<line>\d+):(?!in [`'])(?P<name>\S.*)$")
_MAX_LOGGED = 200  # lines kept of what was printed before a failure's line


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole log, if it is RSpec's failure list formatter's alone (what Ruby
    printed on stderr among its lines): its failures and its run into `out`. False when no
    line of it is one of its lines."""
    failures: list[Failure] = []
    logged: Lines = []
    last = 0
    for number, line in enumerate(text.splitlines(), 1):
        found = LINE_RE.match(line.rstrip())
        if found is None:
            if line.strip() and len(logged) < _MAX_LOGGED:
                logged.append((number, line.rstrip()))
            continue
        failures.append(_failure(found, number, line.rstrip(), logged, file))
        logged, last = [], number
    if not failures:
        return False
    out.failures.extend(failures)
    said = f"{failures[0].details['text']} … ×{len(failures)}"
    out.summaries.append(
        RunSummary(file, last, said, None, len(failures), read=len(failures), source=RUNNER)
    )
    out.read_whole(file, text, FORMAT, "RSpec's failure list (--format failures)")
    out.skipped[-1] += ": it holds no count nor message, so each failure read is the run's"
    return True


def _failure(found: re.Match[str], number: int, line: str, logged: Lines, file: str) -> Failure:
    details = {"runner": RUNNER, "text": line}
    if logged:
        details["logged"] = clip("\n".join(t for _, t in logged), MAX_FIELD)
    return block_failure(
        SOURCE,
        file,
        [(number, line)],
        name=found["name"],
        group=found["file"],
        location=f"{found['file']}:{found['line']}",
        kind="",
        message="",
        details=details,
        frames=[],
    )

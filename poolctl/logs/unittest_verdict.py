"""The verdict of a Python unittest run (`python -m unittest`, Django's `manage.py test`) in a
log poolctl reads as pytest's or ExUnit's: `FAILED (failures=2, errors=3)`.

poolctl does not read unittest's own failure blocks (`FAIL: test_x (mod.Case.test_x)`), but a
log holding a failed unittest run, after a clean pytest run in the same CI job, must not pass as
clean: the verdict is a run whose failures are counted and none read (exit 1), with a note that
says how to have them read.
"""

from __future__ import annotations

import re

from poolctl.logs.records import ParsedLog, RunSummary

PREFIX = "FAILED ("
TRIGGER = r"^FAILED \((?:failures|errors|unexpected successes)="
_VERDICT_RE = re.compile(r"^FAILED \((?P<counts>[a-z ]+=\d+(?:, [a-z ]+=\d+)*)\)\s*$")
# what fails a unittest run: `unittest.TestResult.wasSuccessful`
_FAILING = ("failures", "errors", "unexpected successes")


def read_verdict(out: ParsedLog, file: str, number: int, line: str) -> bool:
    """Record `line` as unittest's verdict of a failed run, if it is one."""
    match = _VERDICT_RE.match(line.strip())
    if match is None:
        return False
    counts = {
        word: int(value)
        for word, value in (pair.split("=") for pair in match["counts"].split(", "))
    }
    failed = sum(counts.get(word, 0) for word in _FAILING)
    text = line.strip()
    out.summaries.append(
        RunSummary(file, number, text, None, failed, start=number, read=0, source="unittest")
    )
    out.skipped.append(
        f"{file}:{number}: a unittest run's verdict, '{text}': unittest's own failure blocks "
        "are not read; run the tests under pytest (it runs unittest tests) or have them write "
        "JUnit XML (unittest-xml-reporting) to triage them"
    )
    return True

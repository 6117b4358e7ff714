"""Runs whose count is not the suite's: a run that ran no test, and unittest's failfast.

- pytest: `collected 0 items` then `no tests ran` (an empty folder, a `python_files` pattern
  no file matches), or a `-k`/`-m` that deselected every test (`4 deselected in 0.12s`, `no
  tests collected (14 deselected)`). pytest exits 5 on such a run, and a CI step fails on it,
  yet its closing line counts no failure: read as it counts, it was a clean log (0 failures,
  exit 0). Each is one failure of the run, on its closing line, unless a failure of the run
  was read at its end already (`ERROR: file or directory not found: …` right after `no tests
  ran`: pytest exits 4, and that line says why).
- unittest: `Ran 0 tests` then `NO TESTS RAN` (Python 3.12 and later, exit 5) is one failure of
  the run too; then `OK` (3.11 and earlier, exit 0: the runner passed it) is a note.
- unittest's `-f` (`--failfast`) prints nothing of itself: the run stops at its first failure or
  error, and `Ran 1 test` counts the tests run until then. Only its command line says so, when
  the log holds it (a CI step's echo, `bash -x`'s `+ python -m unittest -f …`): then a note; a
  log without it holds nothing that tells a failfast run from a suite of that many tests.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from poolctl.logs.scan import keep_failure
from poolctl.model import Failure

if TYPE_CHECKING:
    from poolctl.logs.blocks import BlockRecorder
    from poolctl.logs.records import ParsedLog

# what sends such a line to the pytest parser (RE2 syntax, `^` starts a line)
TRIGGERS = (r"^(?:NO TESTS RAN|OK)\s*$", r"-m unittest ")
RUNS_UNITTEST = "-m unittest "  # in a command line
NAME = "pytest ran no test"
UNITTEST_NAME = "unittest ran no test"
# `--collect-only` that collected tests ran none on purpose (exit 0)
_COLLECTED_RE = re.compile(r"^\d+(?:/\d+)? tests? collected\b")
_DESELECTED_RE = re.compile(r"\b(\d+) deselected\b")
# unittest's command line with -f among its short options (-v, -q, -c, -b go with it), or
# --failfast
_FAILFAST_RE = re.compile(
    r"(?:\bpython[\d.]*|/python[\d.]*|\bcoverage run) +-m unittest "
    r"(?:[^\n]* )?(?:-[vqcb]*f[vqcb]*|--failfast)(?: |$)"
)


def pytest_ran_none(out: ParsedLog, name: str, recorder: BlockRecorder) -> None:
    """A failure of each pytest run of `name` whose closing line counts no test run, none
    failed, and none collected by `--collect-only`, when no failure was read in it or on the
    line after it."""
    for run in out.summaries:
        body = run.text.strip("= ")
        if run.file != name or run.tests or run.failures or _COLLECTED_RE.match(body):
            continue
        deselected = _DESELECTED_RE.search(body)
        if not deselected and not body.startswith(("no tests ran", "no tests collected")):
            continue  # another closing line that counts no test (`1 warning in 0.1s`, unittest's)
        if any(
            f.input_file == name and run.start <= f.line_start <= run.line + 1 for f in out.failures
        ):
            continue
        why = (
            f"-k or -m deselected every test it collected ({deselected[1]})"
            if deselected
            else "it collected no test"
        )
        message = f"{why}: '{body}'; pytest exits 5 on a run of no test"
        _fail(out, name, NAME, run.line, run.text, message, recorder)


def unittest_line(out: ParsedLog, file: str, number: int, text: str) -> None:
    """Read unittest's verdict of a run of no test, or a command line running it failfast."""
    if text in ("NO TESTS RAN", "OK"):
        ran = [s for s in out.summaries if s.file == file and number - 3 < s.line < number]
        if not ran or not ran[-1].text.startswith("Ran 0 tests in "):
            return
        if text == "OK":
            out.skipped.append(
                f"{file}:{number}: unittest ran no test ('{ran[-1].text}', then 'OK'): Python "
                "3.11 and earlier pass such a run (exit 0), 3.12 and later fail it (exit 5, "
                "'NO TESTS RAN'); nothing was tested"
            )
            return
        message = f"'{ran[-1].text}', then 'NO TESTS RAN': unittest exits 5 on a run of no test"
        _fail(out, file, UNITTEST_NAME, number, text, message, None, unittest=True)
        return
    if _FAILFAST_RE.search(text):
        out.skipped.append(
            f"{file}:{number}: unittest ran with --failfast (-f): it stops at the first failure "
            "or error, so its count is not the suite's; the tests after it did not run, and are "
            "not triaged"
        )


def _fail(
    out: ParsedLog,
    file: str,
    name: str,
    number: int,
    text: str,
    message: str,
    recorder: BlockRecorder | None,
    *,
    unittest: bool = False,
) -> None:
    details = {"outcome": "error", "phase": "no-tests"}
    failure = Failure(
        source="unittest" if unittest else "pytest",
        name=name,
        group="",
        location="",
        kind="NoTestsRan",
        message=message,
        details={**details, "runner": "unittest"} if unittest else details,
        input_file=file,
        line_start=number,
        line_end=number,
    )
    if recorder is not None:
        recorder.done(failure, [(number, text)], after=False)
    keep_failure(out, failure, recorder)

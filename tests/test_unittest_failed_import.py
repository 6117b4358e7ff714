"""A test module that does not import under `python -m unittest` is reported as a stand-in
test of unittest's loader (`ERROR: tests.test_tornado (unittest.loader._FailedTest.tests.
test_tornado)`): read as the module's failure, as pytest's collection error is, not as a test of
the loader's class at the loader's frame. Real capture: tenacity 9.2.1's own suite without its
optional dependency (tests/fixtures/src/capture_unittest_failed_import.sh)."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs

LOG = Path(__file__).parent / "fixtures" / "unittest" / "failed_import.txt"
MODULE = "/tmp/capture_unittest_failed_import/tenacity-9.2.1/tests/test_tornado.py"


def test_a_module_that_did_not_import_is_its_own_failure_at_its_import_line() -> None:
    [failure] = read_logs([str(LOG)]).failures
    assert (failure.name, failure.group) == ("tests.test_tornado", "")
    assert failure.location == f"{MODULE}:20"
    assert failure.kind == "ModuleNotFoundError"
    assert failure.message == "ModuleNotFoundError: No module named 'tornado'"
    assert failure.details["phase"] == "collection"
    assert (failure.line_start, failure.line_end) == (12, 23)

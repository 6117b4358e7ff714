"""testtools' JUnit XML (subunit2junitxml under stestr, tests/fixtures/junit/subunit_junit.xml;
see the fixtures' README): each failure's text is its traceback behind the name of testtools'
wrapper, which is no exception of the test's."""

from __future__ import annotations

from pathlib import Path

from poolctl.logs import read_logs

SUBUNIT = str(Path(__file__).parent / "fixtures" / "junit" / "subunit_junit.xml")


def test_a_traceback_behind_testtools_wrapper_gives_the_exception_the_test_raised() -> None:
    failures = {f.name: f for f in read_logs([SUBUNIT]).failures}
    ping = failures["test_worker_answers_ping"]
    assert (ping.kind, ping.message) == (
        "TimeoutError",
        "TimeoutError: no response from worker (pid 4242) to 'ping' within 0.5s",
    )
    setup = failures["setUpClass (test_pool.ServiceTest)"]
    assert setup.kind == "ConnectionRefusedError"
    # a failed subtest: the traceback inside testtools' `traceback (n=2): {{{ … }}}` detail
    ratios = failures["test_ratios"]
    assert ratios.message == "AssertionError: 2 == 2 : worker 2 of 3 answered late"

"""A JUnit report's suites are held until its end (their counts are set against the failures
read then): each keeps only what is read of it, and nothing of them outlives the parse (a report
of 100,000 suites held them all, and the attributes nobody reads, until a garbage collection).
The reports are real captures: tests/fixtures/junit/jest_junit.xml (jest-junit's suites carry a
timestamp and a time) and tests/fixtures/junit/surefire_reruns.xml (Surefire's, a schema too)."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.logs.junit_suites import Suite

JUNIT = Path(__file__).parent / "fixtures" / "junit"
CAPTURES = [JUNIT / "jest_junit.xml", JUNIT / "surefire_reruns.xml"]


@pytest.fixture
def no_collection() -> Iterator[None]:
    """The garbage collector off: what is still alive is held, not waiting for it."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
@pytest.mark.usefixtures("no_collection")
def test_no_suite_outlives_the_parse_of_its_report(capture: Path) -> None:
    parsed = read_logs([str(capture)])
    assert parsed.summaries  # the suites' counts were read, and set against the failures
    alive = [o for o in gc.get_objects() if isinstance(o, Suite)]
    assert alive == []


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
def test_a_suite_keeps_its_name_file_and_counts_only(capture: Path) -> None:
    start = re.search(r"<testsuite (.*?)>", capture.read_text(encoding="utf-8"), re.S)
    assert start is not None
    attrib = dict(re.findall(r'([\w:]+)="([^"]*)"', start.group(1)))
    assert "time" in attrib  # what the producer writes beside
    suite = Suite(attrib, 3, 0)
    assert suite.attrib == {
        k: attrib[k] for k in ("name", "tests", "failures", "errors") if k in attrib
    }
    assert suite.declared() == int(attrib["failures"]) + int(attrib["errors"])

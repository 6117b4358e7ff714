"""A JUnit report's suites are held until its end (their counts are set against the failures
read then), but for the plain ones past the first 1,000, counted as they close: each keeps only
what is read of it, and nothing of them outlives the parse (a report of 100,000 suites held them
all, and the attributes nobody reads, until a garbage collection).
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


SUITES = 1_200  # past the MAX_RUNS (1,000) runs listed: the rest are only counted


def _report(tmp_path: Path, shape: str) -> Path:
    """jest_junit.xml's suite with its first test case alone (its counts made 1 of 1), again
    and again in its root, renamed; `shape` adds what sends the counts elsewhere: a test case
    in the root itself, a last suite that declares no count, or the report cut short in its
    root."""
    text = (JUNIT / "jest_junit.xml").read_text(encoding="utf-8")
    head, rest = text.split("<testsuite ", 1)
    start, rest = rest.split(">", 1)
    first_case = rest.split("</testcase>", 1)[0] + "</testcase>\n"
    start = start.replace('failures="4"', 'failures="1"').replace('tests="5"', 'tests="1"')
    suite = f"<testsuite {start}>{first_case}  </testsuite>\n"
    suites = [suite.replace('name="worker pool', f'name="worker pool {n}') for n in range(SUITES)]
    tail = {
        "plain": "",
        "root-case": '  <testcase classname="root" name="a test in the root"/>\n',
        "no-counts": '  <testsuite name="last" tests="1"><testcase name="t"/></testsuite>\n',
        "cut": None,
    }[shape]
    end = "" if tail is None else tail + "</testsuites>\n"
    path = tmp_path / f"{shape}.xml"
    path.write_text(head + "".join(suites) + end, encoding="utf-8")
    return path


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, fold: bool) -> tuple[object, int]:
    """The runs read (listed and counted), and how many suites were held to the report's end."""
    from poolctl.logs import junit, junit_suites

    held: list[int] = []

    def summaries(name: str, done: list[object], *args: object, **kwargs: object) -> object:
        held.append(len(done))
        return junit_suites.summaries(name, done, *args, **kwargs)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(junit, "summaries", summaries)
        if not fold:
            patch.setattr(junit_suites.Folded, "fold", lambda *_: False)
        parsed = read_logs([str(path)])
    runs = [(s.line, s.text, s.failures, s.read, s.start, s.source) for s in parsed.summaries]
    counted = {k: vars(v) for k, v in parsed.runs_counted.items()}
    return (runs, counted, len(parsed.failures)), held[0]


@pytest.mark.parametrize("shape", ["plain", "root-case", "no-counts", "cut"])
def test_suites_past_the_runs_listed_are_counted_as_they_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """A report of 300,000 suites held each until its end: 285 MB. Past the first MAX_RUNS
    plain suites (in the root, holding test cases, every failure they declare read) each is
    counted as it closes: the runs read are the same as when every suite is held, whatever the
    report's shape sends the counts elsewhere (its root's own test case, a suite without counts,
    a cut)."""
    path = _report(tmp_path, shape)
    folded, held = _read(path, monkeypatch, fold=True)
    whole, held_whole = _read(path, monkeypatch, fold=False)
    assert folded == whole
    assert held_whole == SUITES + 1 + (shape == "no-counts")
    assert held <= 1_000 + 2

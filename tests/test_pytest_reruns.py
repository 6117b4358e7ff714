"""pytest-rerunfailures: a test that passed on a rerun is named flaky, one that failed every try
is named with its reruns, and reruns a log does not name are counted from its closing line.

The logs are real runs of tests/fixtures/src/pytest_rerun_suite (`capture_reruns.sh`): a
checkout that times out on its first try only, and a missing key on every try."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs
from poolctl.patterns import load_patterns
from poolctl.triage import triage

RERUNS = Path(__file__).parent / "fixtures" / "pytest" / "reruns"
FLAKY = "check_reruns.py::test_checkout_while_the_worker_starts (1 rerun)"
EVERY_TRY = "rerun and failed every try: check_reruns.py::test_program_config_key (2 reruns)"


@pytest.mark.parametrize(
    "log", ["reruns_verbose.txt", "reruns_rR.txt", "reruns_verbose_rR.txt", "reruns_xdist.txt"]
)
def test_a_test_that_passed_on_a_rerun_is_named_flaky(log: str) -> None:
    parsed = read_logs([str(RERUNS / log)])
    assert parsed.reruns == {
        "check_reruns.py::test_checkout_while_the_worker_starts": 1,
        "check_reruns.py::test_program_config_key": 2,
    }
    report = triage(parsed, load_patterns([]))
    assert [f.failure.name for f in report.findings] == ["test_program_config_key"]
    flaky = [n for n in report.notes if n.startswith("flaky: 1 test(s) failed, then passed")]
    assert len(flaky) == 1 and flaky[0].endswith(FLAKY)
    assert EVERY_TRY in report.notes
    assert not [n for n in report.notes if "does not name" in n]


def test_reruns_a_log_does_not_name_are_counted_from_its_closing_line() -> None:
    parsed = read_logs([str(RERUNS / "reruns_plain.txt")])
    assert parsed.reruns == {}
    report = triage(parsed, load_patterns([]))
    assert any(
        "reruns_plain.txt:22: 3 rerun(s) (pytest-rerunfailures) of tests the log does not name"
        in note
        and "-rR" in note
        for note in report.notes
    )

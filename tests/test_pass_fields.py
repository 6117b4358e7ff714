"""The history's forked reading takes each pass as a plain tuple (`iter_pass_fields`): the same
tests, in the same order, as `iter_passes` names them, in each runner's real captures (pytest
`-vv`, pytest-rerunfailures' tries, `mix test --trace`, JUnit XML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs.passes import iter_pass_fields, iter_passes

FIXTURES = Path(__file__).parent / "fixtures"
CAPTURES = [
    ("pytest/pool_suite_verbose.txt", "pytest", 6),
    ("pytest/reruns/teardown_verbose.txt", "pytest", 1),
    ("pytest/reruns/teardown_xdist.txt", "pytest", 1),
    ("pytest/reruns/reruns_verbose_rR.txt", "pytest", 1),
    ("exunit/pool_suite_seed_trace.log", "exunit", 42),
    ("junit/pytest_xunit2.xml", "junit", 6),
]


@pytest.mark.parametrize(("name", "fmt", "at_least"), CAPTURES)
def test_the_plain_tuples_are_the_passes_iter_passes_names(
    name: str, fmt: str, at_least: int
) -> None:
    with (FIXTURES / name).open("rb") as stream:
        named = [tuple(test) for test in iter_passes(stream, fmt)]
    with (FIXTURES / name).open("rb") as stream:
        plain = list(iter_pass_fields(stream, fmt))
    assert len(named) >= at_least
    assert plain == named
    assert all(type(test) is tuple for test in plain)  # pickled as tuples, not `PassedTest`


def test_a_pytest_log_past_the_cap_gives_as_many_as_iter_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import poolctl.logs.passes as passes

    monkeypatch.setattr(passes, "MAX_PASSES", 3)
    log = FIXTURES / "pytest" / "pool_suite_verbose.txt"
    with log.open("rb") as stream:
        named = [tuple(test) for test in iter_passes(stream, "pytest")]
    with log.open("rb") as stream:
        plain = list(iter_pass_fields(stream, "pytest"))
    assert len(named) == 3
    assert plain == named

"""The history's forked reading takes each pass as a plain tuple (`iter_pass_fields`): the same
tests, in the same order, as `iter_passes` names them, in each runner's real captures (pytest
`-vv`, pytest-rerunfailures' tries, `mix test --trace`, JUnit XML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs.passes import iter_pass_fields, iter_passes

FIXTURES = Path(__file__).parent / "fixtures"
VERBOSE_NAME = "pytest/pool_suite_verbose.txt"
PYTEST_VERBOSE = FIXTURES / VERBOSE_NAME
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


# every pytest capture that names a pass, its lines holding PASSED cleaned as a chunk's are
PASSED_CAPTURES = sorted(
    str(path.relative_to(FIXTURES))
    for path in (FIXTURES / "pytest").rglob("*")
    if path.is_file() and b"PASSED" in path.read_bytes()
)


def _passed_text(name: str) -> str:
    from poolctl.logs.passes import _cleaned

    lines = (FIXTURES / name).read_bytes().split(b"\n")
    return _cleaned(b"\n".join(line for line in lines if b"PASSED" in line))


def _by_the_full_regex(text: str) -> list[str]:
    from poolctl.logs.passes import _PASSED_IN_TEXT

    return [m["v"] or m["s"] or m["x"] for m in _PASSED_IN_TEXT.finditer(text)]


@pytest.mark.parametrize("name", PASSED_CAPTURES)
def test_the_node_ids_of_passed_lines_are_those_the_full_regex_finds(name: str) -> None:
    from poolctl.logs.passes import passed_nodeids

    text = _passed_text(name)
    assert passed_nodeids(text) == _by_the_full_regex(text)
    for line in text.split("\n"):  # each line alone: a -v line takes the one-pattern path
        assert passed_nodeids(line) == _by_the_full_regex(line)


def test_a_verbose_capture_s_node_ids_are_found_at_once_and_a_mixed_text_s_line_by_line() -> None:
    from poolctl.logs.passes import _VERBOSE_PASSED, passed_nodeids

    verbose = _passed_text("pytest/pool_suite_verbose.txt")
    xdist = _passed_text("pytest/flaky/run2_xdist_verbose.txt")
    assert len(_VERBOSE_PASSED.findall(verbose)) == verbose.count("\n") + 1
    mixed = f"{verbose}\n{xdist}\n{verbose}"
    assert len(_VERBOSE_PASSED.findall(mixed)) < mixed.count("\n") + 1
    found = passed_nodeids(mixed)
    assert found == _by_the_full_regex(mixed)
    assert len(found) == 2 * len(passed_nodeids(verbose)) + len(_by_the_full_regex(xdist)) > 0


def test_the_keys_of_node_ids_are_those_of_the_tests_they_name() -> None:
    from poolctl.history.ahead import PytestKeys
    from poolctl.history.packed import key_number
    from poolctl.logs.passes import iter_pytest_nodeids, passed_nodeids, pytest_fields

    nodeids = [i for name in PASSED_CAPTURES for i in passed_nodeids(_passed_text(name))]
    with PYTEST_VERBOSE.open("rb") as stream:
        assert list(iter_pytest_nodeids(stream)) == passed_nodeids(_passed_text(VERBOSE_NAME))
    # a node id without classes, of classes nested, parameters holding `::` and brackets, a
    # test of the same group named again, no `::` at all, and names not ASCII or not UTF-8
    nodeids += [
        "t.py::test_a", "t.py::A::B::test_b", "t.py::test_c[x::y]", "t.py::A::test_d[a[1]]",
        "t.py::A::test_e[]", "t.py::A::test_b", "test_alone", "tests/ü.py::Ünï::test_ß",
        "t.py::test_\udcff",
    ]  # fmt: skip
    expected = [key_number(*pytest_fields(i)[1:]) for i in nodeids]
    assert len(nodeids) > 100
    assert list(PytestKeys().numbers(nodeids)) == expected
    keys = PytestKeys()  # groups met before: their heads made once
    assert [n for part in (nodeids[:7], nodeids[7:]) for n in keys.numbers(part)] == expected

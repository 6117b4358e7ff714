"""A pytest failure's location is its test's line: for a chained exception, the first frame of
the last exception, not of its cause (whose frames may all be the standard library's); under
--tb=native, the test function's own `File "…", line N` frame, relative as the node id is.
Real captures: attrs' suite from its source tree (tests/fixtures/pytest/chained/, see
src/capture_chained_location.sh) and the pypool suite in the long and native styles."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

FIXTURES = Path(__file__).parent / "fixtures" / "pytest"


def _locations(rel: str) -> dict[str, str]:
    return {f.name: f.location for f in read_logs([str(FIXTURES / rel)]).failures}


@pytest.mark.parametrize("style", ["long", "native"])
def test_a_chained_exception_is_located_at_the_test_line(style: str) -> None:
    assert _locations(f"chained/{style}.txt") == {
        "TestLegacyMetadataHack.test_version[attr]": "tests/test_packaging.py:22",
        "TestLegacyMetadataHack.test_version[attrs]": "tests/test_packaging.py:22",
    }


def test_native_locations_are_the_long_styles() -> None:
    native, long = _locations("pypool/native.txt"), _locations("pypool/verbose.txt")
    assert native.keys() == long.keys()
    differ = {name: (native[name], long[name]) for name in native if native[name] != long[name]}
    assert not differ


def test_a_chained_exception_under_tb_line_is_its_last_part() -> None:
    """--tb=line prints each part's `E` lines, the chain's line between them: the message is
    the last part's, as under the other styles, not the cause's joined to it."""
    read = read_logs([str(FIXTURES / "chained" / "line.txt")]).failures
    assert [f.message for f in read] == [
        "importlib.metadata.PackageNotFoundError: No package metadata was found for attrs"
    ] * 2
    assert [(f.line_start, f.line_end) for f in read] == [(11, 15), (16, 20)]

"""`poolctl report` of several run folders, one damaged: the others are rendered, the damaged
one is named on one line (file:line), exit 2. The good folder is a real run's (the report of
tests/fixtures/traces/p3-checkout-timeout); the damaged one its report.json cut mid-line, as a
full disk or a killed copy leaves it."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import RunCli

RUN = Path(__file__).parent / "fixtures" / "traces" / "p3-checkout-timeout"


def test_a_damaged_folder_costs_the_others_nothing(tmp_path: Path, cli: RunCli) -> None:
    good, cut = tmp_path / "good", tmp_path / "cut"
    shutil.copytree(RUN, good)
    shutil.copytree(RUN, cut)
    text = (RUN / "report.json").read_bytes()
    at = text.index(b'"title": "') + len(b'"title": "') + 5  # within the title's string
    (cut / "report.json").write_bytes(text[:at] + b"\n")
    line = text[:at].count(b"\n") + 1
    column = at - text.rindex(b"\n", 0, at)  # the newline the cut left, 1-based
    code, out, err = cli("report", str(cut), str(good))
    assert code == 2
    assert out.startswith("✓ scenario p3-checkout-timeout passed")
    assert err.splitlines() == [
        f"poolctl: error: {cut / 'report.json'}:{line}: not valid JSON: "
        f"Invalid control character (column {column})"
    ]


def test_every_folder_damaged_names_each(tmp_path: Path, cli: RunCli) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second):
        folder.mkdir()
        (folder / "report.json").write_bytes(b'{"title": "cut')
    code, out, err = cli("report", str(first), str(second))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"poolctl: error: {f / 'report.json'}:1: not valid JSON: Unterminated string (column 11)"
        for f in (first, second)
    ]

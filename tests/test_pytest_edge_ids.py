"""A parametrised test's id may hold ` - `, which separates a short summary line's node id from
its message (`FAILED t.py::test_checkout_ids[w [1] - z] - TimeoutError: …`), and brackets of
its own (real captures of src/pytest_edge_ids_suite: capture_pytest_edge_ids.sh). Before, that
line's node id was cut at its first ` - ` (`test_checkout_ids[w [1]`): the test's block was left
without its node id and the line made a fifth failure (plain, -v -n 2), and under --tb=line,
where the summary names the failures in order, the last two were given each other's messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from poolctl.logs import read_logs

IDS = Path(__file__).parent / "fixtures" / "pytest" / "edge_ids"
PARAMS = {
    "pool::a": "pool::a",
    "x - y": "x - y",
    "w [1] - z": "w [1] - z",
    "\\u01c5::[\\xe9]": "ǅ::[é]",
}


@pytest.mark.parametrize("log", ["plain.txt", "xdist_v.txt", "tbline.txt"])
def test_each_failure_is_read_once_with_its_node_id_and_message(log: str) -> None:
    parsed = read_logs([str(IDS / log)])
    read = {f.details.get("nodeid"): f.message for f in parsed.failures}
    assert read == {
        f"test_edge_ids.py::test_checkout_ids[{param}]": (
            f"TimeoutError: checkout of {value!r} timed out after 200ms: 0 of 0 workers ready"
        )
        for param, value in PARAMS.items()
    }
    assert len(parsed.failures) == 4
    assert [(s.failures, s.read) for s in parsed.summaries] == [(4, 4)]

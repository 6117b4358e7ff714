"""A worker's traceback in a JUnit report's captured output, in a copy whose every line a CI
service stamped with its time (`2026-11-30T12:00:00.1234567Z `): the tag is the pool's
(`[worker 2153] `), not the stamp, whose year was taken for the worker's pid."""

from __future__ import annotations

from poolctl.logs.junit_output import find_traceback

STAMP = "2026-11-30T12:00:00.1234567Z "
CAPTURED = (
    "".join(
        f"{STAMP}[worker 2153] {line}\n"
        for line in ("Traceback (most recent call last):", '  File "w.py", line 3, in <module>')
    )
    + f"{STAMP}[worker 2153] ValueError: bad request\n"
)


def test_a_stamped_tracebacks_tag_is_the_pools_and_names_its_pid() -> None:
    found = find_traceback(CAPTURED, 10)
    assert found is not None
    assert (found.tag, found.pid()) == ("[worker 2153] ", "2153")
    assert found.lines == (
        (10, "[worker 2153] Traceback (most recent call last):"),
        (12, "[worker 2153] ValueError: bad request"),
    )

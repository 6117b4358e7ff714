"""Durations for people: rounded, with their unit."""

from __future__ import annotations

import pytest

from poolctl.units import fmt_limit, fmt_ms, fmt_seconds


@pytest.mark.parametrize(
    "seconds,shown",
    [(42.3, "42 s"), (4.0417, "4.0 s"), (1.00131, "1.0 s"), (0.41, "0.4 s"), (0.05, "50 ms")],
)
def test_seconds(seconds: float, shown: str) -> None:
    assert fmt_seconds(seconds) == shown


@pytest.mark.parametrize(
    "ms,shown",
    [(4041.772, "4.0 s"), (120.4, "120 ms"), (41.856, "42 ms"), (4.2, "4.2 ms"), (0.052, "52 µs")],
)
def test_milliseconds(ms: float, shown: str) -> None:
    assert fmt_ms(ms) == shown


@pytest.mark.parametrize("seconds,shown", [(1, "1 s"), (1.00131, "1 s"), (0.5, "0.5 s")])
def test_limits(seconds: float, shown: str) -> None:
    assert fmt_limit(seconds) == shown

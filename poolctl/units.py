"""Durations and sizes for people: rounded to what matters, with their unit (`4.0 s`, `41 ms`,
`52 µs`, `64 MiB`), never `4041.772 ms` or `1.00131 s`; and the same read from the environment."""

from __future__ import annotations

import math
import os
import re

# The longest wait or timeout poolctl takes: a day. Past it a number is a typo (`1e400`, an extra
# zero), and the system calls that wait refuse it.
MAX_SECONDS = 86_400.0
# The most requests one command sends (a scenario's step, `ping --count`): more is a typo, and
# a run that would never end while its round trips fill memory.
MAX_REQUESTS = 10_000_000


def seconds_from_env(name: str, default: float) -> float:
    """Environment variable `name` in seconds (`default` when unset or empty); a value that is
    no positive number of seconds up to a day is refused (UsageProblem, naming the variable)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0 < value <= MAX_SECONDS):
        from poolctl.errors import UsageProblem

        raise UsageProblem(f"not a number of seconds from 0 to 86400: {raw!r}", where=name)
    return value


# Units of a size in the environment: binary with or without `iB` (`64M`, `64MiB`), decimal
# with `B` (`64MB`), as `dd` and `ulimit` read them.
SIZE_UNITS = {"": 1, "b": 1}
for _power, _letter in enumerate("kmgt", start=1):
    SIZE_UNITS |= {_letter: 1024**_power, f"{_letter}ib": 1024**_power, f"{_letter}b": 1000**_power}
SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)")


def bytes_from_env(name: str, default: int, least: int, most: int) -> int:
    """Environment variable `name` as a number of bytes (`134217728`, `128MiB`, `128M`, `1G`;
    `default` when unset or empty); one outside `least`..`most` is refused (UsageProblem,
    naming the variable)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    found = SIZE_RE.fullmatch(raw.lower())
    unit = SIZE_UNITS.get(found.group(2)) if found else None
    value = int(float(found.group(1)) * unit) if found and unit else -1
    if not least <= value <= most:
        from poolctl.errors import UsageProblem

        raise UsageProblem(
            f"not a size from {fmt_bytes(least)} to {fmt_bytes(most)} (bytes, or with a unit: "
            f"64MiB, 1G): {raw!r}",
            where=name,
        )
    return value


def fmt_bytes(count: int) -> str:
    """A size in binary units, a tenth shown below 100: `17 B`, `812 KiB`, `64 MiB`, `11.2 GiB`."""
    size, unit = float(count), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            break
        size /= 1024
    if unit == "B":
        return f"{count} B"
    shown = f"{size:.1f}".removesuffix(".0") if size < 100 else f"{size:.0f}"
    return f"{shown} {unit}"


def fmt_seconds(seconds: float) -> str:
    """`12 s`, `4.0 s`, `0.4 s` down to a tenth of a second; below it in ms or µs."""
    if seconds >= 10:
        return f"{seconds:.0f} s"
    if seconds >= 0.095:  # 0.1 s once rounded
        return f"{seconds:.1f} s"
    return fmt_ms(seconds * 1000)


def fmt_ms(ms: float) -> str:
    """A duration given in milliseconds: `41 ms`, `4.2 ms`, `52 µs`; from a second on, in s."""
    if ms >= 1000:
        return fmt_seconds(ms / 1000)
    if ms >= 10:
        return f"{ms:.0f} ms"
    if ms >= 1:
        return f"{ms:.1f} ms"
    return f"{ms * 1000:.0f} µs"


def fmt_limit(seconds: float) -> str:
    """A limit someone set or poolctl computed (a timeout, a wait): `1 s`, `0.5 s`, `2.3 s`."""
    rounded = round(seconds, 1) if seconds >= 0.1 else round(seconds, 3)
    return f"{rounded:g} s"

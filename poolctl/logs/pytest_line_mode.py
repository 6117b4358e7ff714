"""The rest of a pytest `--tb=line` message after its first `E` line, read for the parser of
the run around it (`poolctl/logs/pytest_log.py`)."""

from __future__ import annotations

from typing import Protocol


class _Pending(Protocol):
    e_pending: list[tuple[int, str]]


# between an exception's chained parts (--tb=line prints each part's `E` lines)
_CHAINED = ("The above exception was the direct cause", "During handling of the above exception")


class LineModeMessage:
    """The rest of a --tb=line message after its first `E` line, up to its location line: more
    `E` lines, and the indented lines of a message printed on several (pydantic's fields,
    pytest's explanation of an assert), which are read as its message as under `-v`."""

    def __init__(self, parser: _Pending) -> None:
        self.parser = parser

    def feed(self, number: int, line: str) -> bool:
        if line.startswith(("E ", " ", "\t")) or line == "E":
            self.parser.e_pending.append((number, line))
            return True
        return not line.strip() or line.startswith(_CHAINED)

    def close(self) -> list[tuple[int, str]]:
        return []

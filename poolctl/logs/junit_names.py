"""Test cases of one JUnit document that nothing tells apart: the same name and classname (or
suite) and no `file`.

The run history knows a test by its name, group and file (`poolctl/history/identity.py`).
jest-junit writes the describe path as both the name and the classname and, by default, no
file: the same titles in two test files are two test cases the history takes for one, one's
failure and the other's pass recorded as one test's. The report says so, naming them.
"""

from __future__ import annotations

SHOWN = 3  # names quoted in the note; the count says how many more


class SameNames:
    """The file-less test cases seen: each name and group's first line, by hash (a run of
    200,000 tests keeps no copy of their names), and the names seen again, with their lines and
    whether one of them failed."""

    def __init__(self) -> None:
        self.first: dict[int, tuple[int, bool]] = {}
        self.seen: dict[tuple[str, str], tuple[list[int], bool]] = {}

    def see(self, name: str, group: str, line: int, failed: bool) -> None:
        """A test case with no file (its own or its suite's) at `line`."""
        key = hash((group, name))
        first = self.first.get(key)
        if first is None:
            self.first[key] = (line, failed)
            return
        lines, failed_before = self.seen.get((group, name), ([first[0]], first[1]))
        if len(lines) < SHOWN:
            lines.append(line)
        self.seen[(group, name)] = (lines, failed_before or failed)

    def note(self, file: str) -> str | None:
        """What the report says of the names on more than one test case, one of them failing;
        None when there is none."""
        twice = [
            (k, lines) for k, (lines, failed) in self.seen.items() if failed and len(lines) > 1
        ]
        if not twice:
            return None
        shown = ", ".join(
            f"{name!r}" + (f" ({group})" if group != name else "")
            + f" (lines {', '.join(map(str, lines))})"
            for (group, name), lines in twice[:SHOWN]
        )  # fmt: skip
        more = f" and {len(twice) - SHOWN} more" if len(twice) > SHOWN else ""
        return (
            f"{file}: {len(twice)} test name(s) are on more than one test case, one failing, "
            f"with no file to tell them apart: {shown}{more}; the run history takes each for "
            "one test, the failures and passes of both as its own (a `file` attribute tells "
            "them apart: jest-junit writes it with JEST_JUNIT_ADD_FILE_ATTRIBUTE=true)"
        )

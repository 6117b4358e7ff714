"""Test cases of one JUnit document that nothing tells apart: the same name and classname (or
suite) and no `file`.

The run history knows a test by its name, group and file (`poolctl/history/identity.py`).
jest-junit writes the describe path as both the name and the classname and, by default, no
file: the same titles in two test files are two test cases the history takes for one, one's
failure and the other's pass recorded as one test's. The report says so, naming them.
"""

from __future__ import annotations

from poolctl.logs.passes import MAX_PASSES

SHOWN = 3  # names quoted in the note; the count says how many more
# names kept (by hash, with their first line): about 140 bytes each, 3,000,000 test cases of
# their own names took 655 MB. As many as the passes the history records of an input
MAX_NAMES = MAX_PASSES


class SameNames:
    """The file-less test cases seen: each name and group's first line, by hash (a run of
    200,000 tests keeps no copy of their names), and the names seen again, with their lines and
    whether one of them failed."""

    def __init__(self) -> None:
        self.first: dict[int, tuple[int, bool]] = {}
        self.seen: dict[tuple[str, str], tuple[list[int], bool]] = {}
        self.unchecked = 0  # test cases past MAX_NAMES names, their name not seen before
        self.unchecked_from = 0  # the line of the first of them

    def see(self, name: str, group: str, line: int, failed: bool) -> None:
        """A test case with no file (its own or its suite's) at `line`."""
        key = hash((group, name))
        first = self.first.get(key)
        if first is None and len(self.first) >= MAX_NAMES:
            self.unchecked += 1
            self.unchecked_from = self.unchecked_from or line
            return
        if first is None:
            self.first[key] = (line, failed)
            return
        lines, failed_before = self.seen.get((group, name), ([first[0]], first[1]))
        if len(lines) < SHOWN:
            lines.append(line)
        self.seen[(group, name)] = (lines, failed_before or failed)

    def note(self, file: str) -> str | None:
        """What the report says of the names on more than one test case, one of them failing,
        and of those it could not check; None when there is nothing to say."""
        twice = [
            (k, lines) for k, (lines, failed) in self.seen.items() if failed and len(lines) > 1
        ]
        unchecked = (
            f"{self.unchecked:,} test case(s) from line {self.unchecked_from} on, past the first "
            f"{MAX_NAMES:,} names, were not checked for a name another test case has (each name "
            "is kept to check it: bounded memory)"
        )
        if not twice:
            return f"{file}:{self.unchecked_from}: {unchecked}" if self.unchecked else None
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
        ) + (f"; {unchecked}" if self.unchecked else "")


def in_group(suite: str, group: str | None) -> str:
    """common_test's suite and, for a test of a group, the group (`pool_SUITE.g1`): a test of
    the same name in the suite and in its group are two tests."""
    return f"{suite}.{group}" if group else suite

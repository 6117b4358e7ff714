"""Where a JUnit test case's failure is: its `file` and `line` attributes (pytest's 0-based
line), else the place its console text names, else the frame of its stack in the test's own
file, else a Java stack's frame in its class."""

from __future__ import annotations

from collections.abc import Mapping

from poolctl.logs.junit_java import java_location
from poolctl.logs.junit_stack import SCRIPT_RE, frame_in_test_file


def case_location(
    attrib: Mapping[str, str],
    suite_file: str,
    told: str,
    texts: tuple[str, str],
    *,
    pytest: bool,
    input_name: str,
) -> str:
    """`file:line` of the case with attributes `attrib` (`suite_file`: its suite's `file`;
    `told`: the place its console text gives, if any; `texts`: its failure's text and the end
    of a text past the cap)."""
    location = attrib.get("file", "")
    line = attrib.get("line", "")
    if location and line.isdigit():
        # pytest writes the 0-based line of the test's `def`.
        return f"{location}:{int(line) + 1 if pytest else int(line)}"
    if told:
        return told
    body, tail = texts
    files = test_files(attrib, suite_file)
    return (
        frame_in_test_file(body, files)
        or frame_in_test_file(tail, files)
        or java_location(f"{body}\n{tail}", attrib.get("classname", ""), input_name)
        or location
    )


def test_files(attrib: Mapping[str, str], suite_file: str) -> list[str]:
    """The test's file as the report names it: the case's or its suite's `file` (mocha's), or
    a classname that is a script's path (vitest's)."""
    classname = attrib.get("classname", "")
    files = [attrib.get("file", ""), suite_file]
    files += [classname] if SCRIPT_RE.search(classname) else []
    return [f.removeprefix("file://") for f in files if f]

"""`node --test --test-reporter=junit`'s test cases named by their path, as its spec and TAP
reporters' are (`poolctl.logs.node_paths`): node writes each describe suite, and each test with
subtests, as a `<testsuite name=… hostname=…>` around its tests, and every `<testcase>` with
`classname="test"` and its own title alone; two tests of one title in two suites were one to
the history. The failures read and the passes recorded are named alike."""

from __future__ import annotations

from collections.abc import Sequence

from poolctl.logs.node_paths import SEPARATOR

CLASSNAME = "test"  # what node writes for every test case


def is_node_suite(attrib: dict[str, str]) -> bool:
    """Whether a `<testsuite>`'s attributes are node's (its `hostname` and `disabled`)."""
    return "hostname" in attrib and "disabled" in attrib


def path_of(name: str, classname: str, suites: Sequence[tuple[str | None, bool]]) -> str:
    """A test case's name: its path where node wrote it inside its suites (each suite open
    around it, its name, None for none, and whether it is node's), else `name`."""
    if classname != CLASSNAME:
        return name
    within = [(title, node) for title, node in suites if node or title is not None]
    if not within or not all(node for _, node in within):
        return name
    return SEPARATOR.join([*(title or "" for title, _ in within), name])

"""GoogleTest's XML report (`--gtest_output=xml`).

GoogleTest writes each failed assertion of a test (every `EXPECT_*` that failed, then the one
`ASSERT_*` or exception that ended it) as a `<failure>` of the test's `<testcase>`, and counts
the test once: its suite's `failures` and its console's `N FAILED TESTS` count failing tests.
They are one failure of the test, their messages and texts in the order written (pytest's
`<failure>` per failed subtest, which its suite counts each, stays one failure each). Its test
cases are told by the attributes GoogleTest alone writes: `status` (`run`, `notrun`) and
`result` (`completed`, `skipped`, `suppressed`).
"""

from __future__ import annotations

# a `<failure>` or `<error>` of a test case: its tag, attributes, text and the text's tail
Failed = tuple[str, dict[str, str], str, str]


def one_per_test(case: dict[str, str], failed: list[Failed]) -> list[Failed]:
    """The failures of a test case (`case`, its attributes): GoogleTest's several as one."""
    if len(failed) < 2 or "status" not in case or "result" not in case:
        return failed
    tag, attrib, _, _ = failed[0]
    message = "\n".join(a.get("message", "").strip() for _, a, _, _ in failed)
    body = "\n".join(text.strip("\n") for _, _, text, _ in failed)
    return [(tag, {**attrib, "message": message}, body, failed[-1][3])]

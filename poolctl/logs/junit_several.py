"""Several `<failure>`s in one test case: the failed assertions of one test.

GoogleTest (`--gtest_output=xml`) writes each failed assertion of a test (every `EXPECT_*` that
failed, then the `ASSERT_*` or exception that ended it) as a `<failure>` of the test's
`<testcase>`, as karma-junit-reporter writes each failed expectation of a Jasmine spec; both
count the test once (the suite's `failures`, GoogleTest's `N FAILED TESTS`, Karma's `N
FAILED`). They are one failure of the test, their messages and texts in the order written.
jasmine-reporters' JUnitXmlReporter writes them so too, but its suite counts each `<failure>`
(Jasmine itself counts the spec once): the suite's count is all read when it adds them up
(`junit_suites.Suite.folded`).
pytest writes a `<failure>` for each failed subtest and one for the test, `contains N failed
subtests`, and counts each: those stay one failure each. For a unittest `TestCase`'s `subTest`s
pytest 9 writes a `<failure>` for each failed one alone, nothing naming them subtests, and counts
each too: in pytest's report (`pytest`), each `<failure>` is one. An `<error>` beside a
`<failure>` stays apart too.
Vitest writes a `<failure>` for each try of a test it retried (`retry: 2`: three, the same
message and text each time) and counts the test once: said once.
"""

from __future__ import annotations

import re

from poolctl.logs.junit_body import message_from_body

# a `<failure>` or `<error>` of a test case: its tag, attributes, text and the text's tail
Failed = tuple[str, dict[str, str], str, str]

_PYTEST_SUBTESTS_RE = re.compile(r"^contains \d+ failed subtests?$")


def one_per_test(failed: list[Failed], *, pytest: bool = False) -> list[Failed]:
    """The failures of a test case: its several `<failure>`s as one, unless pytest's
    subtests' (`pytest`: the report is pytest's)."""
    several = [f for f in failed if f[0] == "failure"]
    subtests = any(_PYTEST_SUBTESTS_RE.match(a.get("message", "")) for _, a, _, _ in several)
    if len(several) < 2 or subtests or pytest:
        return failed
    tag, attrib, _, _ = several[0]
    # each one's message, or the lines of its text before its stack (Karma writes no message),
    # and its text; the same both again (a retried test's next try) said once
    both = dict.fromkeys(
        (a.get("message", "").strip() or message_from_body(t), t.strip("\n"))
        for _, a, t, _ in several
    )
    message = "\n".join(said for said, _ in both)
    body = "\n".join(text for _, text in both)
    one = (tag, {**attrib, "message": message.strip("\n")}, body, several[-1][3])
    return [one, *(f for f in failed if f[0] != "failure")]


def repeats(failed: list[Failed], same: tuple[str, str | None, str | None], last: object) -> bool:
    """Whether a test case's `failed` outcomes repeat the last failed case's (`same`: its suite,
    class and name, as `last`): jest-junit writes a suite that failed to run twice, a
    `<testcase>` with its `<error>`, then one of the same name whose `<failure>` is the error as
    a JSON object."""
    body = failed[0][2].strip() if failed else ""
    return same == last and body.startswith("{") and body.endswith("}")

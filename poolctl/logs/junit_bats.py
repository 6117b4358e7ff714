"""bats' JUnit report (`bats --formatter junit`) of its file hooks, which are no tests: a
`setup_file` that failed is a test case with no name, its text saying where (`(from function
`setup_file' in test file pool.bats, line 6)`); a `teardown_file` that failed is written into the
file's last test case, after that test's own failure text when it failed too, and the suite
counts it as a failure of its own. Each is a failure of its own, named as bats' TAP output names
it (`not ok 3 teardown_file failed`), not by the test case it was written into.
"""

from __future__ import annotations

import re

_HOOK_RE = re.compile(
    r"^\(from function `(?P<hook>(?:setup|teardown)_file)' in test file ", re.MULTILINE
)
_LITERAL = "_file' in test file "  # in every text the regex matches: most texts skip it

# a test case's failure as the JUnit parser keeps it: outcome, attributes, text, its tail
Failed = tuple[str, dict[str, str], str, str]


def hook_name(text: str) -> str:
    """`teardown_file failed` when `text` is a bats file hook's failure (it begins where the
    hook failed); else ''."""
    match = _HOOK_RE.match(text.lstrip()) if _LITERAL in text else None
    return f"{match['hook']} failed" if match else ""


def split_hooks(failed: list[Failed]) -> list[Failed]:
    """A test case's failures (outcome, attributes, text, tail), each text in which a file
    hook's failure follows the test's own split in two: the test's, then the hook's."""
    split: list[Failed] = []
    for one in failed:
        outcome, attrib, body, tail = one
        match = _HOOK_RE.search(body) if _LITERAL in body else None
        if match is None or not body[: match.start()].strip():
            split.append(one)
            continue
        split.append((outcome, attrib, body[: match.start()], ""))
        split.append((outcome, attrib, body[match.start() :], tail))
    return split

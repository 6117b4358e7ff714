"""common_test's tests skipped because their `init_per_testcase` failed.

cth_surefire writes such a test as `<skipped type="skip" message="Test t in m_SUITE skipped!">`
holding `{tc_auto_skip,{failed,{m_SUITE,init_per_testcase,{Reason,Stack}}}}`, and ct_run counts
it skipped; no test case of the report fails with that reason (an `init_per_group` or
`init_per_suite` that fails is a test case of its own, which fails). Read as a skip, the
setup's failure, a pool checkout timing out in it, was lost with nothing said: it is the
test's failure, as EUnit's cancelled tests are (`poolctl/logs/junit.py`).
"""

from __future__ import annotations

import re

_SKIPPED_RE = re.compile(r"^Test \S+ in \S+ skipped!$")
_SETUP_FAILED_RE = re.compile(
    r"^\{tc_auto_skip,\s*\{failed,\s*\{[\w@.']+,\s*init_per_testcase,\s*(?P<reason>.*)\}\}\}\s*$",
    re.S,
)
_STACK_RE = re.compile(r",\s*\n?\s*\[\{")  # where the reason ends and its stack begins
CANCELLED = "init_per_testcase"  # the `cancelled` mark of such a failure's outcome


def skipped_by_ct(attrib: dict[str, str]) -> bool:
    """Whether a `<skipped>` is cth_surefire's (its body says why)."""
    return attrib.get("type") == "skip" and bool(_SKIPPED_RE.match(attrib.get("message", "")))


def setup_failure(body: str) -> str | None:
    """The message of a test skipped because its `init_per_testcase` failed (`body`, the
    `<skipped>` element's text); None for any other skip."""
    found = _SETUP_FAILED_RE.match(body.strip())
    if found is None:
        return None
    reason = found["reason"].strip()
    if reason.startswith("{"):  # {Reason, Stack}: the reason alone
        reason = _STACK_RE.split(reason[1:], 1)[0].strip()
    return (
        f"init_per_testcase failed: {reason} (common_test skipped the test; its report says "
        "skipped)"
    )

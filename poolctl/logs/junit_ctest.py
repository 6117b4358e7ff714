"""CTest's JUnit report (`ctest --output-junit`, CMake 3.21+).

ctest writes a failed test as `<failure message=""/>` (the regular expression it matched, when
one failed the test) and the test's output, stdout and stderr merged, in the test case's own
`<system-out>`: that output is the only account of the failure. A test ctest could not run
(its executable missing, a fixture's setup or a test it depends on failed) is a `<skipped>`
under `status="notrun"`, counted skipped by the report, though ctest lists it among the tests
that FAILED and exits 8 on it; only a test skipped by its `SKIP_RETURN_CODE` or
`SKIP_REGULAR_EXPRESSION` (`SKIP_…` in the message) or disabled is a skip for ctest.
"""

from __future__ import annotations

CANCELLED = "ctest-not-run"  # the `cancelled` mark of such a failure's outcome


def not_run(case: dict[str, str], skipped: dict[str, str]) -> str | None:
    """The message of a test ctest could not run (`case`, its test case's attributes;
    `skipped`, its `<skipped>`'s), which it counts failed; None for a skip of ctest's."""
    if case.get("status") != "notrun":
        return None
    why = skipped.get("message", "").strip()
    if why.startswith("SKIP_") or why == "Disabled":
        return None
    return (
        f"ctest could not run the test: {why or 'not run'} (ctest counts it failed; its report "
        "says skipped)"
    )


def own_output(texts: dict[str, list[str]]) -> str:
    """The test's own output (`<system-out>`, `<system-err>`), read as the text of a failure
    that has none of its own, as ctest writes every failure."""
    streams = ("system-out", "system-err")
    return "\n".join("".join(texts.get(s, ())).strip("\n") for s in streams).strip("\n")

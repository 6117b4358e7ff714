"""The C++ doctest framework's XML reporter (`--reporters=xml`, `-r=xml`), read into `Failure`s
that classify as its console's do (`poolctl.logs.doctest_cpp_block`). One `<doctest>`
document: a `<TestSuite>` each, its `<TestCase name= filename= line=>`s, a failed assertion's
`<Expression success="false" type="CHECK" filename= line=>` (its `<Original>`, `<Expanded>` and
`<Info>`), an exception the test case did not catch (`<Exception crash="false">`, its message),
a `FAIL`'s `<Message type="ERROR">`, and its `<OverallResultsAsserts test_case_success="false"/>`;
the run's `<OverallResultsTestCases failures="7"/>` counts the failed test cases.

Each is named by the test case, grouped by its suite (its file where it is in none), placed and
said as its console places and says its first failure: an assertion at its line, of kind
AssertionError, `CHECK( … ) is NOT correct!` with its values and what was logged; an exception
at the test case's line, of none (doctest names no class), with its message. An exception
thrown in a SUBCASE is first a placeholder inside it, then the test case's own: the latter is
read.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from poolctl.logs.doctest_cpp_block import EXPECTATION, RUNNER, SOURCE
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "C++ doctest XML"  # what a log of it alone is said to be
# what doctest says inside a SUBCASE of an exception it says again once the test case exited
_DEFERRED = "exception thrown in subcase - will translate later"


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input, if it is doctest's XML report: its failures and its run into
    `out`. False when it is not one."""
    try:
        root = fromstring(text.lstrip())  # (a report after other lines: blank lines)
    except Exception:  # (defusedxml's refusals and expat's errors alike: not such a report)
        return False
    if root.tag != "doctest":
        return False
    failures = [
        _failure(case, suite, file)
        for suite in [root, *root.iter("TestSuite")]
        for case in suite.findall("TestCase")
        if _failed(case)
    ]
    out.failures.extend(failures)
    cases = root.find("OverallResultsTestCases")
    counted = int(cases.get("failures", "0")) if cases is not None else len(failures)
    passed = int(cases.get("successes", "0")) if cases is not None else 0
    out.summaries.append(
        RunSummary(
            file,
            text.count("\n", 0, max(text.find("<OverallResultsTestCases"), 0)) + 1,
            f'<OverallResultsTestCases failures="{counted}"/>',
            counted + passed,
            counted,
            read=len(failures),
            source=RUNNER,
        )
    )
    return out.read_whole(file, text, FORMAT, "C++ doctest's XML report (--reporters=xml)")


def _failed(case: Element) -> bool:
    result = case.find("OverallResultsAsserts")
    return result is not None and result.get("test_case_success") == "false"


def _text(node: Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def _failure(case: Element, suite: Element, file: str) -> Failure:
    failed = next((node for node in case.iter() if _is_failure(node)), None)
    defined = f"{case.get('filename', '')}:{case.get('line', '')}".strip(":")
    location, kind, message = defined, "", _text(failed)
    if failed is not None and failed.tag == "Expression":
        kind = EXPECTATION
        location = f"{failed.get('filename', '')}:{failed.get('line', '')}".strip(":")
        check = failed.get("type", "")
        message = "\n".join(
            [
                f"{check}( {_text(failed.find('Original'))} ) is NOT correct!",
                f"values: {check}( {_text(failed.find('Expanded'))} )",
                *(f"logged: {_text(info)}" for info in failed.findall("Info")),
            ]
        )
    elif failed is not None and failed.tag == "Message":
        location = f"{failed.get('filename', '')}:{failed.get('line', '')}".strip(":")
        message = _text(failed.find("Text"))
    return block_failure(
        SOURCE,
        file,
        [(1, "")],
        name=case.get("name", ""),
        group=suite.get("name", "") or case.get("filename", ""),
        location=location,
        kind=kind,
        message=message,
        details={"runner": RUNNER, "text": clip(message, MAX_FIELD)},
        frames=[],
    )


def _is_failure(node: Element) -> bool:
    """A failed assertion, a `FAIL`'s message, or an exception said for the test case (not a
    SUBCASE's placeholder for it)."""
    if node.tag == "Expression":
        return node.get("success") == "false"
    if node.tag == "Message":
        return node.get("type", "") in ("ERROR", "FATAL ERROR")
    return node.tag == "Exception" and not _text(node).startswith(_DEFERRED)

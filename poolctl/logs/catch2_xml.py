"""Catch2's XML reporter (`-r xml`), read into `Failure`s that classify as its console's do
(`poolctl.logs.catch2_block`). One `<Catch>` document: a `<TestCase>` each, its failed
assertions (`<Expression success="false" type="CHECK" filename= line=>`, its `<Original>` and
`<Expanded>`), the exception it did not catch (`<Exception filename= line=>`, its message) or the
signal it died of (`<FatalErrorCondition>`), in its `<Section>`s, and its `<OverallResult
success="false"/>`; the run's `<OverallResultsCases failures="7"/>` counts the failed test cases.

Each failed test case is named as its console names it (its name, then its sections': `name /
section`), grouped by its file, placed at its first failure, an assertion of kind AssertionError
with its expression and expansion as the console prints them, an exception or a signal of none
(Catch2 names no class) with its message.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from poolctl.logs.catch2_block import EXPECTATION, RUNNER, SOURCE
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "Catch2 XML"  # what a log of it alone is said to be
_FAILED = ("Expression", "Exception", "FatalErrorCondition")


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input, if it is Catch2's XML report: its failures and its run into
    `out`. False when it is not one."""
    try:
        root = fromstring(text.lstrip())  # (a report after other lines: blank lines)
    except Exception:  # (defusedxml's refusals and expat's errors alike: not such a report)
        return False
    if root.tag != "Catch":
        return False
    failures = [_failure(case, file) for case in root.iter("TestCase") if _failed(case)]
    out.failures.extend(failures)
    cases = root.find("OverallResultsCases")
    counted = int(cases.get("failures", "0")) if cases is not None else len(failures)
    passed = int(cases.get("successes", "0")) if cases is not None else 0
    out.summaries.append(
        RunSummary(
            file,
            1,
            f'<OverallResultsCases failures="{counted}"/>',
            counted + passed,
            counted,
            read=len(failures),
            source=RUNNER,
        )
    )
    return out.read_whole(file, text, FORMAT, "Catch2's XML report (-r xml)")


def _failed(case: Element) -> bool:
    result = case.find("OverallResult")
    return result is not None and result.get("success") == "false"


def _failure(case: Element, file: str) -> Failure:
    found = _first_failed(case, [])
    sections, failed = found if found else ([], None)
    name = " / ".join([case.get("name", ""), *sections])
    where = failed if failed is not None else case
    place = f"{where.get('filename', '')}:{where.get('line', '')}".strip(":")
    if failed is not None and failed.tag == "Expression":
        original = (failed.findtext("Original") or "").strip()
        expanded = [t.strip() for t in (failed.findtext("Expanded") or "").strip().splitlines()]
        message = "\n".join(
            [f"{failed.get('type', '')}( {original} )", "with expansion:", *expanded]
        )
        kind = EXPECTATION
    else:
        message, kind = (failed.text or "").strip() if failed is not None else "", ""
    return block_failure(
        SOURCE,
        file,
        [(1, "")],
        name=name,
        group=case.get("filename", ""),
        location=place,
        kind=kind,
        message=message,
        details={"runner": RUNNER, "text": clip(message, MAX_FIELD)},
        frames=[],
    )


def _first_failed(node: Element, sections: list[str]) -> tuple[list[str], Element] | None:
    """The first failed assertion, exception or signal under `node`, and the sections it is in."""
    for child in node:
        if child.tag in _FAILED and child.get("success", "false") == "false":
            return sections, child
        if child.tag == "Section":
            found = _first_failed(child, [*sections, child.get("name", "")])
            if found:
                return found
    return None

"""Boost.Test's XML log (`--log_format=XML`, or `--output_format=XML`), read into `Failure`s
that classify as its console's do (`poolctl.logs.boost_test_block`). Its log is one line:

    <TestLog><TestSuite name="pool"><TestSuite name="checkout" …><TestCase name="counts" …>
    <Error file="pool.cc" line="37"><![CDATA[check pool.size() == 3u has failed [2 != 3]]]></Error>
    <Exception file="unknown location" line="0"><![CDATA[CheckoutTimeout: checkout timed out …]]>
    <LastCheckpoint file="pool.cc" line="20"><![CDATA["counts" test entry]]></LastCheckpoint>
    </Exception> … </TestCase> … </TestLog>

An `<Error>`, `<FatalError>` or `<Exception>` each is a console's failure line: named by the
test case around it (at `--log_level=test_suite` and above) or by its last checkpoint's test
entry (the default level, `error`, writes no test case; a failed check there is named by its
place), grouped by its suites' path below the module's. Piped as CI prints it, the report on
stderr falls among its bytes (`*** 7 failures are detected …`, or `--output_format=XML`'s
`<TestResult>`): it is read for the count, as the console's closing line is, so the elements are
found by pattern, not by parsing the whole as XML.
"""

from __future__ import annotations

import html
import re

from poolctl.logs.ansi import strip_ansi
from poolctl.logs.boost_test_block import (
    CLEAN_RE,
    EXPECTATION,
    RUNNER,
    SOURCE,
    THROWN_RE,
    UNKNOWN,
    VERDICT_RE,
)
from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import block_failure
from poolctl.model import Failure

FORMAT = "Boost.Test XML"  # what a log of it alone is said to be
_LEVELS = {"Error": "error", "FatalError": "fatal error", "Exception": "fatal error"}
_TOKEN_RE = re.compile(
    r'<(?P<open>TestSuite|TestCase) name="(?P<name>[^"]*)"[^>]*?(?P<empty>/)?>'
    r"|</(?P<close>TestSuite|TestCase)>"
    r'|<(?P<tag>Error|FatalError|Exception) file="(?P<file>[^"]*)" line="(?P<line>\d+)">'
    r"(?P<body>.*?)</(?P=tag)>",
    re.S,
)
_CDATA_RE = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_CHECKPOINT_RE = re.compile(
    r'<LastCheckpoint file="(?P<file>[^"]*)" line="(?P<line>\d+)">(?P<text>.*?)</LastCheckpoint>',
    re.S,
)
_ENTRY_RE = re.compile(r'^"(?P<name>[^"]+)" test entry$')
_RESULT_RE = re.compile(r'<TestResult><TestSuite [^>]*?assertions_failed="(?P<failed>\d+)"')


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input that begins as Boost.Test's XML log: its failures and its
    run into `out`. False when no element of one is in it."""
    text = strip_ansi(text)
    failures = _failures(text, file)
    if not failures and "</TestLog>" not in text:
        return False
    out.failures.extend(failures)
    out.summaries.append(_run(text, file, len(failures)))
    if "</TestLog>" not in text:
        out.skipped.append(f"{file}: Boost.Test's XML log ends before </TestLog>: cut short")
    return out.read_whole(file, text, FORMAT, "Boost.Test's XML log (--log_format=XML)")


def _run(text: str, file: str, read: int) -> RunSummary:
    """The run its report counts: the console's closing line, or the XML report's module."""
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if verdict := VERDICT_RE.search(line):
            return RunSummary(
                file, number, verdict[0], None, int(verdict["failed"]), read=read, source=RUNNER
            )
        if CLEAN_RE.match(line):
            return RunSummary(file, number, line, None, 0, read=read, source=RUNNER)
    if result := _RESULT_RE.search(text):
        number = text.count("\n", 0, result.start()) + 1
        failed = int(result["failed"])
        text = f'assertions_failed="{failed}"'
        return RunSummary(file, number, text, None, failed, read=read, source=RUNNER)
    # a log sink's file holds no report: its elements are what it counts
    return RunSummary(file, 1, "<TestLog>", None, read, read=read, source=RUNNER)


def _failures(text: str, file: str) -> list[Failure]:
    failures = []
    suites: list[str] = []
    case = ""
    for token in _TOKEN_RE.finditer(text):
        if token["open"] == "TestSuite" and not token["empty"]:
            suites.append(html.unescape(token["name"]))
        elif token["open"] == "TestCase" and not token["empty"]:
            case = html.unescape(token["name"])
        elif token["close"] == "TestSuite":
            suites = suites[:-1]
        elif token["close"] == "TestCase":
            case = ""
        elif token["tag"]:
            number = text.count("\n", 0, token.start()) + 1
            failures.append(_failure(token, case, suites[1:], file, number))
    return failures


def _failure(token: re.Match[str], case: str, suites: list[str], file: str, number: int) -> Failure:
    body = token["body"]
    checkpoint = _CHECKPOINT_RE.search(body)
    message = "".join(_CDATA_RE.findall(body[: checkpoint.start()] if checkpoint else body))
    place = f"{html.unescape(token['file'])}:{token['line']}"
    kind = EXPECTATION
    if token["tag"] == "Exception":
        thrown = THROWN_RE.match(message)
        kind, message = (thrown["kind"], thrown["message"]) if thrown else ("", message)
        place = f"{html.unescape(checkpoint['file'])}:{checkpoint['line']}" if checkpoint else ""
    if not case and checkpoint:
        entry = _ENTRY_RE.match("".join(_CDATA_RE.findall(checkpoint["text"])))
        case = entry["name"] if entry else ""
    return block_failure(
        SOURCE,
        file,
        [(number, "")],
        name=case or place or f"{UNKNOWN}(0)",
        group="/".join(suites) or place.partition(":")[0],
        location=place,
        kind=kind,
        message=message.strip(),
        details={"runner": RUNNER, "level": _LEVELS[token["tag"]]},
        frames=[],
    )

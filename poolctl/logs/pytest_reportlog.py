"""pytest-reportlog's log (`pytest --report-log=FILE`), read as pytest's console is. One JSON
object a line: `{"pytest_version": "9.2.0", "$report_type": "SessionStart"}`, then each test's
stages and each collector as pytest serialises its reports (`TestReport`, `CollectReport`), and
`{"exitstatus": 1, "$report_type": "SessionFinish"}`, which counts nothing:

    {"location": ["checks/check_contract.py", 7, "test_fixture_pool_pid"], …, "outcome":
     "failed", "longrepr": {"reprcrash": {…}, "reprtraceback": {"reprentries": [{"type":
     "ReprEntry", "data": {"lines": ["    def test_fixture_pool_pid(pool_info):", …,
     "E       KeyError: 'pool_pid'"], "reprfileloc": {…}}}]}, "chain": […]}, "when": "call", …}

A failed report's `longrepr` (its text, or the entries of its exceptions' chain: each entry's
arguments, lines and place, as pytest's console prints them) is read by pytest's own parser
under the console's header (`pytest_json_report.read_block`): a call's as a failure, a setup's
or teardown's as an error, a collector's as a collection error. Its session's end is its
verdict: an exit status of 1 says tests failed, and the lines read count them.
"""

from __future__ import annotations

import json
import re

from poolctl.logs.pytest_json_report import read_block
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock

RUNNER = "pytest-reportlog"
# a report's line: a test's stage (its location first) or a collector that failed
TRIGGERS = (r'^\{"location": \["', r'^\{"outcome": "failed", "longrepr": ')
STARTS = ('{"location": ["', '{"outcome": "failed", "longrepr": ')
_FINISH = r'^\{"exitstatus": (?P<status>\d+), "\$report_type": "SessionFinish"\}'
VERDICT_RE = re.compile(_FINISH.replace(r"(?P<status>\d+)", r"(?P<failed>1)") + "$")
VERDICT_TRIGGER = _FINISH.replace(r"(?P<status>\d+)", "1")
CLEAN_RE = re.compile(_FINISH.replace(r"(?P<status>\d+)", "0") + "$")
_SEPARATOR = " ".join("_" * 40)  # between two entries of a long traceback


class ReportLine(RunnerBlock):
    """One report's line (a consumer of a text parser's scan): its failure, if it failed, goes
    to `done` at the next line."""

    def ends_before(self, text: str) -> bool:
        return True

    def close(self) -> Lines:
        number, text = self.lines[0]
        try:
            report = json.loads(text)
        except ValueError:
            return []  # a line cut short
        if not isinstance(report, dict) or report.get("outcome") != "failed":
            return []
        nodeid = str(report.get("nodeid", ""))
        path, _, name = nodeid.partition("::")
        when = report.get("when")
        if report.get("$report_type") == "CollectReport":
            section, header, path = "ERRORS", f"ERROR collecting {nodeid}", nodeid
        elif when == "call":
            section, header = "FAILURES", name.rpartition("::")[2]
        else:
            section, header = "ERRORS", f"ERROR at {when} of {name.rpartition('::')[2]}"
        body = console_text(report.get("longrepr"), report.get("sections"))
        failure = read_block(body, section, header, path, self.input_file, number, RUNNER)
        if failure is not None:
            self.done(failure, self.lines)
        return []


def console_text(longrepr: object, sections: object) -> str:
    """The block pytest's console prints for a serialised `longrepr` and its captured output."""
    if isinstance(longrepr, str):
        lines = [longrepr]
    elif isinstance(longrepr, dict):
        chain = longrepr.get("chain") or [
            [longrepr.get("reprtraceback"), longrepr.get("reprcrash"), None]
        ]
        lines = [t for element in chain for t in _element(element)]
    else:
        return ""
    for title, content in sections if isinstance(sections, list) else []:
        lines += [f"{'-' * 30} {title} {'-' * 30}", str(content).rstrip("\n")]
    return "\n".join(lines)


def _element(element: object) -> list[str]:
    """An exception's traceback in a chain, and what joins it to the next (`The above exception
    was the direct cause of the following exception:`)."""
    parts = [*element, None, None, None] if isinstance(element, list) else [None] * 3
    traceback, _, description = parts[:3]
    lines: list[str] = []
    entries = traceback.get("reprentries", []) if isinstance(traceback, dict) else []
    for at, entry in enumerate(entries):
        data = entry.get("data") or {}
        if at:
            lines.append(_SEPARATOR)
        if entry.get("type") == "ReprEntryNative":
            lines += [str(t).rstrip("\n") for t in data.get("lines", [])]
            continue
        args = (data.get("reprfuncargs") or {}).get("args") or []
        lines += [f"{name} = {value}" for name, value in args] + ([""] if args else [])
        lines += [str(t) for t in data.get("lines", [])]
        if place := data.get("reprfileloc"):
            lines += ["", f"{place.get('path')}:{place.get('lineno')}: {place.get('message')}"]
    if isinstance(traceback, dict) and traceback.get("extraline"):
        lines.append(str(traceback["extraline"]))
    if description:
        lines += ["", str(description), ""]
    return lines

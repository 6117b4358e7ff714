"""pytest-json-report's report (`pytest --json-report`, its `.report.json`), read into
`Failure`s that classify as pytest's console's do. One object: `created`, `duration`, `exitcode`,
`root`, `environment`, `summary` (`failed`, `error`, `passed`, …), `collectors` (each with its
`outcome` and, when it failed, its `longrepr`) and `tests`, each with its `nodeid`, `outcome`
and its `setup`, `call` and `teardown` stages:

    {"nodeid": "checks/check_contract.py::test_fixture_pool_pid", "outcome": "failed", …,
     "call": {"outcome": "failed", "crash": {…, "message": "KeyError: 'pool_pid'"},
              "longrepr": "…\\nE   KeyError: 'pool_pid'\\n\\nchecks/check_contract.py:9: KeyError"}}

A stage's `longrepr` is the block pytest's console prints for it: each failed stage (a test's
call, or its setup or teardown, an error) is read by pytest's own parser under the header the
console gives it (`___ test_x ___` under FAILURES, `___ ERROR at setup of test_x ___` under
ERRORS), and so is a collector that failed (`___ ERROR collecting m.py ___`). Counted by its
`summary`'s `failed` and `error`.
"""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.scan import MAX_FIELD, clip
from poolctl.model import Failure

RUNNER = "pytest"
FORMAT = "pytest-json-report"  # what a log of it alone is said to be
_STAGES = ("setup", "call", "teardown")


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input, if it is pytest-json-report's report: its failures and its
    run into `out`. False when it is not one."""
    try:
        report = json.loads(text)
    except ValueError:
        return False
    if not isinstance(report, dict) or not isinstance(report.get("summary"), dict):
        return False
    failures = []
    for collector in _dicts(report.get("collectors")):
        if collector.get("outcome") == "failed" and collector.get("longrepr"):
            path = str(collector.get("nodeid", ""))
            header = f"ERROR collecting {path}"
            failures.append(read_block(str(collector["longrepr"]), "ERRORS", header, path, file))
    for test in _dicts(report.get("tests")):
        failures.extend(_test_failures(test, file))
    read_ = [f for f in failures if f is not None]
    out.failures.extend(read_)
    summary = report["summary"]
    counted = sum(n for key in ("failed", "error") if isinstance(n := summary.get(key), int))
    total = summary.get("total")
    said = ", ".join(f"{k}: {summary[k]}" for k in ("failed", "error") if k in summary)
    out.summaries.append(
        RunSummary(
            file,
            1,
            f'"summary": {{{said or "failed: 0"}}}',
            total if isinstance(total, int) else None,
            counted,
            read=len(read_),
            source=RUNNER,
        )
    )
    return out.read_whole(file, text, FORMAT, "pytest-json-report's report (--json-report)")


def _dicts(items: object) -> list[dict[str, Any]]:
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _test_failures(test: dict[str, Any], file: str) -> list[Failure | None]:
    """A test's failed stages: its call's failure, its setup's or teardown's error."""
    path, _, name = str(test.get("nodeid", "")).partition("::")
    name = name.rpartition("::")[2]
    made = []
    for when in _STAGES:
        stage = test.get(when)
        if not isinstance(stage, dict) or stage.get("outcome") != "failed":
            continue
        longrepr = str(stage.get("longrepr") or "")
        if when == "call":
            made.append(read_block(longrepr, "FAILURES", name, path, file))
        else:
            made.append(read_block(longrepr, "ERRORS", f"ERROR at {when} of {name}", path, file))
    return made


def read_block(
    longrepr: str, section: str, header: str, path: str, file: str, line: int = 1, runner: str = ""
) -> Failure | None:
    """The failure pytest's parser reads from one block as its console prints it (the test's
    file, `path`, its group and place where the block names neither: a fixture not found), on
    line `line` of `file`; `runner` names the runner whose verdict counts it, if not pytest's."""
    from poolctl.logs.pytest_log import PytestParser

    scratch = ParsedLog()
    console = f"=== {section} ===\n___ {header} ___\n{longrepr}\n"
    PytestParser("<json-report>", scratch).parse(io.BytesIO(console.encode()), b"")
    if not scratch.failures:
        return None
    read = scratch.failures[0]
    return dataclasses.replace(
        read,
        group=read.group or path,
        location=read.location or path,
        # (the block's text, which the classifier reads where a console's lines would be)
        details={
            **read.details,
            "text": clip(longrepr, MAX_FIELD),
            **({"runner": runner} if runner else {}),
        },
        input_file=file,
        line_start=line,
        line_end=line,
    )

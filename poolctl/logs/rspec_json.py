"""RSpec's JSON formatter (`rspec --format json`, its stdout or `--out FILE`), read into
`Failure`s that classify as its console's do (`poolctl.logs.rspec_block`). One object on one
line: `version`, `messages` (what it said outside the examples: a spec file that did not load),
`examples` (each with its `full_description`, `status`, `file_path`, `line_number` and, when it
failed, its `exception`: `class`, `message`, `backtrace`), `summary` and `summary_line`:

    {"version":"3.12.0","examples":[…,{"id":"./spec/pool_spec.rb[1:2]","description":"lets a
     second caller check out within 200ms","full_description":"Pool lets a second caller …",
     "status":"failed","file_path":"./spec/pool_spec.rb","line_number":12,…,"exception":{
     "class":"CheckoutTimeout","message":"checkout timed out after 0.2s: …","backtrace":[…]}}],
     "summary":{"duration":0.78,"example_count":8,"failure_count":7,…},"summary_line":"…"}

Piped with stderr, what Ruby printed there (a thread's exception report) comes before it: the
object is read from the line it begins on. Each failed example is named by its full
description, grouped by its spec file, placed at its backtrace's first frame in a `_spec.rb`
file (else its own line), of its exception's class (a matcher's failed expectation, RSpec's
`ExpectationNotMetError`, of kind AssertionError, as its console names none); each message
saying an error occurred outside the examples is a failure of its spec file. Counted by its
`summary`'s `failure_count` and `errors_outside_of_examples_count`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from poolctl.logs.records import ParsedLog, RunSummary
from poolctl.logs.rspec_block import EXPECTATION, RUNNER, SOURCE
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

FORMAT = "RSpec JSON"  # what a log of it alone is said to be
START_RE = re.compile(r'^\{"version":"\d[^"]*","(?:messages|examples)":', re.M)
_NOT_MET = "RSpec::Expectations::ExpectationNotMetError"
_FRAME_RE = re.compile(r"^(?P<file>\S+?_spec\.rb):(?P<line>\d+)")
_OUTSIDE_RE = re.compile(
    r"An error occurred (?:while loading (?P<file>\S+)|in an? `[^`]+` hook)\.(?=\s|$)"
)


def read(text: str, file: str, out: ParsedLog) -> bool:
    """Read `text`, a whole input holding RSpec's JSON report from the start of one of its
    lines: its failures and its run into `out`. False when it holds none."""
    found = START_RE.search(text)
    if found is None:
        return False
    start = found.start()
    try:
        report, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return False
    if not isinstance(report, dict) or not isinstance(report.get("summary"), dict):
        return False
    number = text.count("\n", 0, start) + 1
    said = [str(m) for m in report.get("messages") or []]
    failures = [_outside(m, file, number) for m in said if _OUTSIDE_RE.search(m)]
    failures += [
        _failure(e, file, number)
        for e in report.get("examples") or []
        if isinstance(e, dict) and e.get("status") == "failed"
    ]
    out.failures.extend(failures)
    summary = report["summary"]
    counted = sum(
        n
        for key in ("failure_count", "errors_outside_of_examples_count")
        if isinstance(n := summary.get(key), int)
    )
    tests = summary.get("example_count")
    out.summaries.append(
        RunSummary(
            file,
            number,
            str(report.get("summary_line") or f"failure_count: {counted}"),
            tests if isinstance(tests, int) else None,
            counted,
            start=number,
            read=len(failures),
            source=RUNNER,
        )
    )
    if number > 1:
        out.skipped.append(f"{file}: lines 1-{number - 1}, before RSpec's JSON report: not read")
    return out.read_whole(file, text, FORMAT, "RSpec's JSON report (--format json)")


def _failure(example: dict[str, Any], file: str, number: int) -> Failure:
    raised = example.get("exception") if isinstance(example.get("exception"), dict) else {}
    assert isinstance(raised, dict)
    kind = str(raised.get("class") or "")
    message = str(raised.get("message") or "").strip()
    if kind == _NOT_MET:
        kind = EXPECTATION
        message = "\n".join(t.strip() for t in message.splitlines() if t.strip())
    frames = [str(f) for f in raised.get("backtrace") or []]
    spec = str(example.get("file_path", "")).removeprefix("./")
    mine = [m for f in frames if (m := _FRAME_RE.match(f))]
    own = f"{spec}:{example.get('line_number', '')}"
    place = f"{mine[0]['file']}:{mine[0]['line']}" if mine else own
    return block_failure(
        SOURCE,
        file,
        [(number, "")],
        name=str(example.get("full_description", "")),
        group=spec,
        location=_relative(place, spec),
        kind=kind,
        message=message,
        details={"runner": RUNNER, "text": clip(f"{kind}: {message}", MAX_FIELD)},
        frames=frames,
    )


def _relative(place: str, spec: str) -> str:
    """A frame's absolute path cut to the spec file's own (`/ci/spec/pool_spec.rb:15` of
    `spec/pool_spec.rb`)."""
    path, _, line = place.rpartition(":")
    return f"{spec}:{line}" if spec and path.endswith(f"/{spec}") else place


def _outside(message: str, file: str, number: int) -> Failure:
    """An error outside the examples (a spec file that did not load), as RSpec says it."""
    found = _OUTSIDE_RE.search(message)
    assert found is not None
    spec = (found["file"] or "").removeprefix("./")
    lines = [t for t in message.strip().splitlines() if t.strip()]
    named = next((i for i, t in enumerate(lines) if re.match(r"^[A-Z]\w*(?:::\w+)*:$", t)), None)
    kind = lines[named].rstrip(":") if named is not None else ""
    said = lines[named + 1].strip() if named is not None and named + 1 < len(lines) else ""
    frames = [t.strip().removeprefix("# ").removeprefix("./") for t in lines if t.startswith("# ")]
    mine = [m for f in frames if (m := _FRAME_RE.match(f))]
    return block_failure(
        SOURCE,
        file,
        [(number, "")],
        name=found[0].removesuffix("."),
        group=spec,
        location=f"{mine[0]['file']}:{mine[0]['line']}" if mine else spec,
        kind=kind,
        message=said,
        details={"runner": RUNNER, "text": clip(message.strip(), MAX_FIELD)},
        frames=frames,
    )

"""node's word of an uncaught error that ended a TAP producer's process, read as the failure of
the test it was in. tape runs every test in its own process and catches no synchronous throw:
the run stops there, its TAP stream with no plan nor count, and node prints the error last:

    # a sync throw
    file:///tmp/js/pool.mjs:65
      if (!('program_id' in config)) throw new Error("KeyError: 'program_id is required'");
                                     ^

    Error: KeyError: 'program_id is required'
        at startJob (file:///tmp/js/pool.mjs:65:40)
        at Test.<anonymous> (file:///tmp/js/tape.test.mjs:16:3)

    Node.js v20.20.2

The test is the last `# name` comment before it (tape heads each test so); the error's class
its kind, its message the failure's, its first frame outside packages and node its place.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Failure

RUNNER = "node"
_NODE_LAST = re.compile(r"^Node\.js v\d+\.\d+\.\d+$")
_ERROR = re.compile(r"^(?P<kind>[\w.$]*(?:Error|Exception)\w*)(?: \[[\w.$]+\])?: (?P<said>.*)$")
_FRAME = re.compile(r"^ {4}at (?:.* \()?(?:file://)?(?P<file>[^\s()]+):(?P<line>\d+):\d+\)?$")
_TEST = re.compile(r"^# (?P<name>\S.*)$")


def crashed(lines: Lines, input_file: str) -> tuple[Failure, Lines] | None:
    """The failure node's last word of an uncaught error in `lines` (a log's last lines, after
    its last failure block) says ended the run, and the lines it spans; None when they end with
    no such word."""
    ends = [i for i, (_, text) in enumerate(lines) if _NODE_LAST.match(text.strip())]
    errors = [i for i, (_, text) in enumerate(lines) if _ERROR.match(text.rstrip())]
    if not ends or not errors or errors[-1] > ends[-1]:
        return None
    error = errors[-1]
    found = _ERROR.match(lines[error][1].rstrip())
    assert found is not None  # (matched above)
    frames = [t.strip()[3:] for _, t in lines[error + 1 : ends[-1]] if _FRAME.match(t.rstrip())]
    places = [p for _, t in lines[error + 1 : ends[-1]] if (p := _FRAME.match(t.rstrip()))]
    mine = [p for p in places if "node_modules/" not in p["file"] and "node:" not in p["file"]]
    place = f"{mine[0]['file']}:{mine[0]['line']}" if mine else ""
    tests = [(i, m) for i, (_, t) in enumerate(lines[:error]) if (m := _TEST.match(t.rstrip()))]
    first = tests[-1][0] if tests else error
    span = lines[first : ends[-1] + 1]
    name = tests[-1][1]["name"] if tests else "the test it was in"
    failure = block_failure(
        "tap",
        input_file,
        span,
        name=name,
        group=place.rpartition(":")[0],
        location=place,
        kind=found["kind"],
        message=found["said"],
        details={"runner": RUNNER, "text": clip("\n".join(t for _, t in span), MAX_FIELD)},
        frames=frames,
    )
    return failure, span

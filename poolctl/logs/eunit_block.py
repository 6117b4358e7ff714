"""EUnit's text report (`erl -noshell -eval 'eunit:test(M)'`, `[verbose]` too), read into
`Failure`s so that they classify as any runner's failure does (its verdict, `Failed: 3.
Skipped: 0.  Passed: 1.`, and `One or more tests were cancelled.`, count them:
`poolctl.logs.other_verdicts`).

    pool2_tests: call_timeout_test...*failed*
    in function gen_server:call/3 (gen_server.erl, line 385)
    in call from pool2_tests:call_timeout_test/0 (pool2_tests.erl, line 13)
    **exit:{timeout,{gen_server,call,[<0.87.0>,slow,100]}}
      output:<<"">>

    pool2_tests: -slow_test_/0-fun-0-...*timed out*
    in function timer:sleep/1 (timer.erl, line 219)
    undefined

A block is its header (the module, the test: a function, or a generated test's fun with its
description in brackets; indented by two under `[verbose]`), its stack (`in function`, `in call
from`), and the error: its class (`error`, `exit`, `throw`) and reason, which may run over
several lines, up to the test's captured `output:`. A test cancelled past its timeout has no
error: it is of kind `timeout`. Its place is the first frame in the test's own module. A
fixture whose setup failed (`*** context setup failed ***`, then `**in function …` and
`**error:…`) cancels its tests: one failure, named for its module, counted by the cancelled
verdict as a timeout is. So is one whose cleanup failed (`*** context cleanup failed ***`), after
its tests ran (`Passed: 2.`, and `One or more tests were cancelled.`); named for its module when
a frame of its fun is printed.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_FIELD, MAX_TRACEBACK_LINES, clip
from poolctl.model import Failure, Source

RUNNER = "EUnit"
CANCELLED = "One or more tests were cancelled."  # its verdict of tests cancelled
SOURCE: Source = "eunit"
HEADER_RE = re.compile(  # (PropEr's progress dots may join EUnit's: `poolctl.logs.eunit_proper`)
    r"^(?: {2})?(?P<module>[a-z][\w@]*)(?::\d+)?: (?P<test>\S.*?)\.{3,}"
    r"\*(?P<how>failed|timed out)\*\s*$"
)
# a fixture's setup that failed (its tests cancelled), its cleanup (after its tests ran), or a
# generator that raised
_CONTEXT = r"context setup failed|context cleanup failed|instantiation of subtests failed"
CONTEXT_RE = re.compile(rf"^ *\*\*\* (?P<what>{_CONTEXT}) \*\*\*\s*$")
TRIGGERS = (
    r"(?:^\.*|\.\.\.)\*(?:failed|timed out)\*\s*$",  # (alone: [verbose], after PropEr)
    rf"^ *\*\*\* (?:{_CONTEXT}) \*\*\*",
)
_FRAME_RE = re.compile(  # (a BIF's frame, `in function erlang:map_get/2`, names no file)
    r"^(?:\*\*)?in (?:function|call from) (?P<module>'?[\w@]+'?):\S+"
    r"(?: \((?P<file>[^,()]+), line (?P<line>\d+)\))?$"
)
_ERROR_RE = re.compile(r"^\*\*(?P<kind>error|exit|throw):(?P<reason>.*)$")
_OUTPUT = "  output:<<"  # the test's captured output, the block's last line
_CALLED_AS = "  called as "  # under a BIF's frame: `called as map_get(k,#{…})`
_REPORT_RE = re.compile(r"^=[A-Z]+ REPORT={4} ")  # a Logger report the test's processes printed


class EunitBlock(RunnerBlock):
    """One EUnit failure block; the failure goes to `done` when it ends. `header`: its test's
    line, where its first is its result alone; `said_above`: what PropEr printed of it."""

    header = ""
    said_above = ""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if not text or HEADER_RE.match(text) or CONTEXT_RE.match(text) or text.startswith("==="):
            return False
        if len(self.lines) >= MAX_TRACEBACK_LINES:
            return True
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        header = HEADER_RE.match(self.header or self.lines[0][1])
        context = CONTEXT_RE.match(self.lines[0][1]) if header is None else None
        if header is None and context is None:
            return []
        frames: list[str] = []
        said: list[str] = []
        logged: list[str] = []  # an OTP report printed inside the block, after its error
        output = ""
        for _, text in self.lines[1:]:
            if text.lstrip(".").startswith(_OUTPUT):  # (PropEr's dot before it, [verbose])
                output = text.lstrip(".").strip()
            elif logged or (said and _REPORT_RE.match(text)):
                logged.append(text)
            elif _FRAME_RE.match(text) and not said:
                frames.append(text.removeprefix("**"))
            elif text.startswith(_CALLED_AS) and not said:
                continue  # a BIF's frame's arguments (kept in the block's text)
            else:
                said.append(text)
        module = header["module"] if header else _module(frames)
        error = _ERROR_RE.match(said[0]) if said else None
        if header is not None and header["how"] == "timed out":
            kind, message = "timeout", "the test was cancelled past its timeout (*timed out*)"
        elif error is not None:
            reason = " ".join([error["reason"], *said[1:]])
            kind, message = error["kind"], " ".join(reason.split())
        else:
            kind, message = "error", " ".join(said)
        if self.said_above:
            message = f"{message}\n{self.said_above}"  # PropEr's counterexample, shrunk
        cancelled = context is not None or kind == "timeout"  # counted by `CANCELLED`
        details = {
            "runner": RUNNER,
            "outcome": "cancelled" if cancelled else "failed",
            "text": clip("\n".join(t for _, t in self.lines[1:]), MAX_FIELD),
        }
        if logged:
            details["logged"] = clip("\n".join(logged), MAX_FIELD)
        if output not in ("", 'output:<<"">>'):
            details["captured output"] = clip(output, MAX_FIELD)
        failure = Failure(
            source=self.source,
            name=header["test"]
            if header
            else " ".join(filter(None, [module, context and context["what"]])),
            group=module,
            location=_place(frames, module),
            kind=kind,
            message=clip(message, MAX_FIELD),
            details=details,
            stacktrace=tuple(clip(f, 1_000) for f in frames),
            input_file=self.input_file,
            line_start=self.lines[0][0],
            line_end=self.lines[-1][0],
        )
        self.done(failure, self.lines)
        return []


def _module(frames: list[str]) -> str:
    """The module of a fixture's fun, that of its first frame in a fun (a setup's
    `sp_tests:'-setup_test_/0-fun-2-'/0`); "" when none is printed (a cleanup's `exit:noproc`
    from `proc_lib:stop/3`, its fun's frame gone by its tail call: the log names no module)."""
    for frame in frames:
        found = _FRAME_RE.match(frame)
        if found and ":'-" in frame:
            return found["module"].strip("'")
    return ""


def _place(frames: list[str], module: str) -> str:
    """`file:line` of the first frame in the test's module ("" when none is: a test cancelled
    in `timer:sleep`, its fun's own frame not printed)."""
    found = [m for f in frames if (m := _FRAME_RE.match(f))]
    ours = [m for m in found if m["module"].strip("'") == module and m["file"]]
    return f"{ours[0]['file']}:{ours[0]['line']}" if ours else ""


def counted_by(verdict: str, failure: Failure) -> bool:
    """Whether EUnit's `verdict` line counts `failure`: `Failed: N.` the tests that failed,
    `One or more tests were cancelled.` those cancelled (past their timeout, or by a fixture's
    setup that failed)."""
    return (failure.details.get("outcome") == "cancelled") == (verdict == CANCELLED)

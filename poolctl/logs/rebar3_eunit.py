"""rebar3's EUnit output (`rebar3 eunit`), read in a log taken for ExUnit's.

rebar3 prints EUnit's failures in a form of its own, and closes the run as ExUnit does (`14
tests, 7 failures`), so such a log is read by the ExUnit parser:

      1) pool_app_tests:checkout_timeout_test/0
         Failure/Error: {exit,
                            {timeout,{pool,checkout,[pool_a]}},
                            [{pool_app_tests,checkout_timeout_test,0, …}]}
         Output: checkout queued on pool_a: 0 of 1 workers ready, 3 waiting
      2) pool_app_tests:-titled_test_/0-fun-3-/0:24: adapter mode is port
         Failure/Error: ?assertEqual(port, pool)
           expected: port
                got: pool
         %% eunit_proc.erl:570:in `eunit_proc:run_group/2`
         Output:

A block is its header (module, then the test: a function and its arity, or a generated test's
fun, line and title) and the lines indented under it. Its failure is of the class the error term
names (`exit`, `error`, `throw`) with the reason alone as its message (the stack after it is the
stacktrace), or, for an assertion macro, the macro and its `expected:`/`got:` lines; `Output:`
lines are the test's captured output.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from poolctl.logs.records import Lines
from poolctl.logs.scan import MAX_FIELD, MAX_TRACEBACK_LINES, clip
from poolctl.model import Failure

# `  1) pool_app_tests:checkout_timeout_test/0` (a module starts lowercase, the test right
# after its colon: ExUnit's `N) Module: failure on setup_all` has a space there)
HEADER_RE = re.compile(r"^ {1,6}(?P<counter>\d{1,7})\) (?P<module>[a-z][\w@]*):(?P<test>\S.*)$")
_ERROR_START = "Failure/Error: "
_CLASS_RE = re.compile(r"^\{(?P<kind>exit|error|throw),\s*(?P<rest>.*)\}$", re.S)
_STACK_RE = re.compile(r",\s*\[\{")  # where an error term's reason ends and its stack begins
_OUTPUT = "Output: "
_FRAME = "%% "


class Rebar3EunitBlock:
    """A rebar3 EUnit failure block (a consumer of the ExUnit scan); the failure goes to `done`
    when the block ends."""

    def __init__(
        self,
        number: int,
        line: str,
        match: re.Match[str],
        input_file: str,
        done: Callable[[Failure, Lines], None],
    ) -> None:
        self.lines: Lines = [(number, line.rstrip())]
        self.match = match
        self.input_file = input_file
        self.done = done

    def feed(self, number: int, line: str) -> bool:
        if line.strip() and not line.startswith("     "):  # the next header, or `Pending:`
            return False
        if len(self.lines) < MAX_TRACEBACK_LINES:
            self.lines.append((number, line.rstrip()))
        return True

    def close(self) -> Lines:
        while self.lines[-1][1] == "":  # blank lines after the block are not its own
            self.lines.pop()
        said: list[str] = []  # the Failure/Error text, and the lines that go on under it
        output: list[str] = []
        frames: list[str] = []
        for _, text in self.lines[1:]:
            stripped = text.strip()
            if stripped.startswith(_OUTPUT) or stripped == _OUTPUT.strip():
                output.append(stripped.removeprefix(_OUTPUT.strip()).strip())
            elif stripped.startswith(_FRAME):
                frames.append(stripped.removeprefix(_FRAME))
            elif said or stripped.startswith(_ERROR_START):
                said.append(stripped.removeprefix(_ERROR_START))
        kind, message, stack = _error(said)
        details = {"text": clip("\n".join(t for _, t in self.lines[1:]), MAX_FIELD)}
        if any(output):
            details["captured output"] = clip("\n".join(o for o in output if o), MAX_FIELD)
        failure = Failure(
            source="exunit",
            name=self.match["test"],
            group=self.match["module"],
            location="",
            kind=kind,
            message=clip(message, MAX_FIELD),
            details=details,
            stacktrace=tuple(clip(f, 1_000) for f in (*stack, *frames)),
            input_file=self.input_file,
            line_start=self.lines[0][0],
            line_end=self.lines[-1][0],
        )
        self.done(failure, self.lines)
        return []


def _error(said: list[str]) -> tuple[str, str, tuple[str, ...]]:
    """The kind, message and stack of a block's `Failure/Error:` lines: an error term's class
    and reason, or an assertion macro with what it expected and got."""
    text = "\n".join(said)
    term = _CLASS_RE.match(text)
    if term is None:  # `?assertEqual(…)`, `expected: …`, `got: …`
        macro = re.match(r"\?(\w+)\(", text)
        return (macro[1] if macro else "error"), text, ()
    found = _STACK_RE.search(term["rest"])
    reason = term["rest"] if found is None else term["rest"][: found.start()]
    stack = "" if found is None else term["rest"][found.start() + 1 :]
    frames = tuple(s.strip() for s in stack.split("\n") if s.strip())
    return term["kind"], " ".join(reason.split()), frames

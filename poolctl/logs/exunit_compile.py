"""A `mix test` run that stopped before its tests: a file did not compile.

Mix prints `== Compilation error in file test/pool_test.exs ==`, then the error on one line,
`** (CompileError) test/pool_test.exs:2: module PoolCase is not loaded and could not be found`
(a `SyntaxError`, a `TokenMissingError`…), and no test runs: no failure block, no closing line.
Read as nothing, such a log was a clean run. It is one failure of the run, named after the file,
located where the error says, quoting the lines before it (Elixir 1.15 and later log each error
there, `error: …`, and end with `cannot compile module … (errors have been logged)`).
"""

from __future__ import annotations

import re

from poolctl.model import ContextLine, Failure

TRIGGER = r"^== Compilation error in file "
HEADER_RE = re.compile(r"^== Compilation error in file (?P<file>\S+) ==\s*$")
ERROR_RE = re.compile(r"^\*\* \((?P<kind>[A-Z][\w.]*)\) (?P<message>.*)$")
_WHERE_RE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+)(?::\d+)?: ")


def compile_failure(
    header: tuple[int, str],
    number: int,
    line: str,
    input_file: str,
    before: list[ContextLine],
) -> Failure | None:
    """The failure of a run whose `header` (line number, file) the error `line` (at `number`)
    follows; None when `line` is no `** (Error) …` line."""
    error = ERROR_RE.match(line.strip())
    if error is None:
        return None
    header_line, path = header
    message = error["message"]
    where = _WHERE_RE.match(message)
    location = f"{where['file']}:{where['line']}" if where else path
    return Failure(
        source="exunit",
        name=f"compilation of {path}",
        group="",
        location=location,
        kind=error["kind"].rsplit(".", 1)[-1],
        message=message,
        details={"phase": "compile", "file": path},
        context=tuple(before),
        input_file=input_file,
        line_start=header_line,
        line_end=number,
    )

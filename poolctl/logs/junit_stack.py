"""What a JUnit failure's text says beyond its message: the chained exceptions of a stack trace,
the frame in the test's own file, a worker traceback in captured output behind a tag."""

from __future__ import annotations

import re

# a JavaScript stack frame: node's `at fn (path:12:5)` or `at path:12:5`, vitest's `❯ fn path:12:5`
JS_FRAME_RE = re.compile(
    r"^\s*(?:at (?:[^\n(]*? \()?|❯ (?:\S+ )?)(?:file://)?(?P<path>[^\s()]+?):(?P<line>\d+):\d+\)?\s*$",
    re.M,
)
# a chained exception in a Java (or vitest) stack trace: `Caused by: pkg.SomeError: message`
CAUSED_BY_RE = re.compile(r"^Caused by: (?P<cause>\S.*)$", re.M)
SCRIPT_RE = re.compile(r"\.[cm]?[jt]sx?$")
MAX_CAUSES = 20


def caused_by(body: str) -> list[str]:
    """The exceptions a failure's stack trace says caused it (`Caused by: …` lines), outermost
    first: a service that wraps a pool's error in its own says what went wrong only there."""
    return [m.group("cause").strip() for m in CAUSED_BY_RE.finditer(body)][:MAX_CAUSES]


def frame_in_test_file(body: str, files: list[str]) -> str:
    """`path:line` of the first JavaScript stack frame in `body` in the test's own file (one
    of `files`, as the report names it); empty when no frame is in it."""
    if not files or ("at " not in body and "❯ " not in body):
        return ""
    for frame in JS_FRAME_RE.finditer(body):
        path = frame.group("path")
        if any(path == f or f.endswith("/" + path) or path.endswith("/" + f) for f in files):
            return f"{path}:{frame.group('line')}"
    return ""


def without_prefix(text: str, at: int) -> list[str]:
    """The lines of `text` from the traceback at `at` on. A pool that copies its workers' stderr
    into the test's output often tags each line (`[worker 4242] `): the traceback's lines are
    those with its first line's tag, read without it."""
    prefix = text[text.rfind("\n", 0, at) + 1 : at]
    lines = text[at:].split("\n")
    if not prefix.strip():
        return lines
    tagged = [lines[0]]
    for line in lines[1:]:
        if not line.startswith(prefix):
            break
        tagged.append(line[len(prefix) :])
    return tagged

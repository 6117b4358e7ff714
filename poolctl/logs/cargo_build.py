"""A `cargo test` whose tests did not compile: rustc's errors, then cargo's `error: could not
compile `pool` (lib test) due to 1 previous error`, its verdict of that build (no test of it
ran; counted as one failure), read into one `Failure`, as go's `[build failed]` is.

    error[E0308]: mismatched types
      --> src/lib.rs:92:27
       |
    92 |         start_job(&[("x", 1), ("name", "nightly")]).unwrap();
       |                           ^ expected `&str`, found integer

    For more information about this error, try `rustc --explain E0308`.
    error: could not compile `pool_blocks` (lib test) due to 1 previous error

The block is rustc's first coded error (`error[E0308]: …`) to cargo's line: named by the crate
and its target (`pool_blocks (lib test) (build)`), placed at the first error's `-->`, of kind
`build error`, its message each error's line, place and label.
"""

from __future__ import annotations

import re

from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "cargo test"
SOURCE: Source = "cargo"
TRIGGERS = (r"^error\[E\d{4}\]: ",)
STARTS = "error["
CODED_RE = re.compile(TRIGGERS[0])  # rustc's error of a code (`error[E0308]: mismatched types`)
_ERROR_RE = re.compile(r"^error(?:\[E\d{4}\])?: (?P<said>.+)$")
_PLACE_RE = re.compile(r"^ *--> (?P<file>\S+?):(?P<line>\d+):\d+$")
_LABEL_RE = re.compile(r"^ *\d* *\| *[\^\-~]+ (?P<label>\S.*)$")
COULD_NOT_RE = re.compile(
    r"^error: could not compile `(?P<crate>[^`]+)`(?: \((?P<target>[^)]+)\))?"
    r" due to (?P<failed>\d+) previous errors?"
)
VERDICT_TRIGGER = r"^error: could not compile `[^`]+`"
_ENDS = ("   Compiling ", "     Running ", "    Finished ", "test result: ")
# rustc's lines of its errors (and warnings): a line of no such shape is no part of them (a
# test's output that quotes an error, trybuild's: the block ends there, reading nothing)
_RUSTC_RE = re.compile(
    r"^(?:(?:error|warning)(?:\[\w+\])?: |\s*-->|\s*\d*\s*\||\s*= |\s*\.\.\.\s*$|$"
    r"|For more information about |Some errors have detailed explanations)"
)


class CargoBuildErrors(RunnerBlock):
    """rustc's errors to cargo's `could not compile` line (a consumer of a text parser's
    scan); its failure goes to `done` when it ends."""

    def begin(self, line: str) -> None:
        self.built: re.Match[str] | None = None  # cargo's line after them (the run's verdict)

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or text.startswith(_ENDS):
            return False  # (another target's build or run: no `could not compile` of these)
        if not _RUSTC_RE.match(text):
            return False
        if built := COULD_NOT_RE.match(text):
            self.built = built
            return False  # (read as the run's verdict)
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        built = self.built
        if built is None:
            return []  # (no cargo line after them: rustc's own, or a log cut in them)
        said: list[str] = []
        place = ""
        for _, text in self.lines:
            if _ERROR_RE.match(text) and not text.startswith("error: aborting"):
                said.append(text)
            elif found := _PLACE_RE.match(text):
                here = f"{found['file']}:{found['line']}"
                place = place or here
                said.append(f"  --> {here}")
            elif label := _LABEL_RE.match(text):
                said.append(f"  {label['label']}")
        target = f" ({built['target']})" if built["target"] else ""
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=f"{built['crate']}{target} (build)",
            group=built["crate"],
            location=place,
            kind="build error",
            message="\n".join(said),
            details={
                "runner": RUNNER,
                "text": clip("\n".join(t for _, t in self.lines), MAX_FIELD),
            },
            frames=[],
        )
        self.done(failure, self.lines)
        return []

"""ward's failure blocks, read into `Failure`s so that they classify as any runner's failure
does (its verdict, `│  3  Failures  (75.0%)  │` in its Results box, counts them:
`poolctl.logs.other_verdicts`). ward draws each with rich, padded to the terminal's width:

    ──────────────── a second checkout waits for the first ────────────────

      Failed at test_pool.py
      ╭──────────── Traceback (most recent call last) ─────────────╮
      │ /src/test_pool.py:12 in _                                   │
      │ ❱ 12 │   │   pool.checkout(0.2)                             │
      ╰─────────────────────────────────────────────────────────────╯
      TimeoutError: checkout timed out after 0.2s: pool pool_a has 0 idle workers,
      1 waiting

A block is its rule, titled with the test's description, `Failed at FILE[:LINE]`, the
traceback's box (its frames `path:N in func`) and the exception's line, wrapped; or, an
assertion, the code around it (`❱ 24     assert 1 + 1 == 3`) and the box of its two sides; up to
the next rule.
"""

from __future__ import annotations

import re

from poolctl.logs.pytest_summary import EXCEPTION_RE, short_type
from poolctl.logs.records import Lines
from poolctl.logs.runner_block import RunnerBlock
from poolctl.logs.scan import MAX_BLOCK_LINES, MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "ward"
SOURCE: Source = "ward"
RULE_RE = re.compile(r"^─{3,} (?P<title>\S.*?) ─{3,}$")
TRIGGERS = (r"^─{3,} \S.*? ─{3,}\s*$",)
# its Results box's line of failures: its verdict
VERDICT_RE = re.compile(r"^│ +(?P<failed>[1-9]\d*) +Failures +\([\d.]+%\) +│$")
VERDICT_TRIGGER = r"^│ +[1-9]\d* +Failures +\("
_FAILED_AT_RE = re.compile(r"^  Failed at (?P<file>\S+?)(?::(?P<line>\d+))?$")
_FRAME_RE = re.compile(r"^ *│ (?P<file>/\S+|\S+\.py):(?P<line>\d+) in (?P<func>\S+) +│$")
_ASSERTED_RE = re.compile(r"^ *❱ +\d+ +(?P<code>assert\b.*)$")
_NOT_A_TEST = ("Ward ", "FAILED in ", "PASSED in ")  # its header's rule, its closing rule's


class WardBlock(RunnerBlock):
    """One failure block (a consumer of a text parser's scan); the failure goes to `done` when
    the block ends."""

    def feed(self, number: int, line: str) -> bool:
        text = line.rstrip()
        if len(self.lines) >= MAX_BLOCK_LINES or text.startswith("────"):
            return False  # the next block's rule, or the Results' above the box
        self.lines.append((number, text))
        return True

    def close(self) -> Lines:
        rule = RULE_RE.match(self.lines[0][1])
        body = [t for _, t in self.lines[1:]]
        failed_at = next((m for t in body if (m := _FAILED_AT_RE.match(t))), None)
        if rule is None or failed_at is None or rule["title"].startswith(_NOT_A_TEST):
            return []
        while len(self.lines) > 1 and not self.lines[-1][1].strip():
            self.lines.pop()
        frames = [
            f"{m['file']}:{m['line']}: in {m['func']}" for t in body if (m := _FRAME_RE.match(t))
        ]
        kind, message = _said(body)
        location = f"{failed_at['file']}:{failed_at['line']}" if failed_at["line"] else ""
        if not location and frames:  # the test's frame, the traceback's first
            location = frames[0].split(": in ", 1)[0]
        failure = block_failure(
            self.source,
            self.input_file,
            self.lines,
            name=rule["title"],
            group=failed_at["file"],
            location=location or failed_at["file"],
            kind=kind,
            message=message,
            details={"runner": RUNNER, "text": clip("\n".join(body), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, self.lines)
        return []


def _said(body: list[str]) -> tuple[str, str]:
    """The kind and message of a block: the exception's line after the traceback's box, and the
    lines it wraps onto (indented as it is, up to a blank one), or an assertion's code."""
    for i, text in enumerate(body):
        said = text[2:] if text.startswith("  ") and text[2:3].strip() else ""
        if said[:1] in ("│", "╭", "╰", "") or said.startswith("Failed at "):
            continue
        raised = EXCEPTION_RE.match(said)
        if raised is None:
            continue
        wrapped = [said]
        for more in body[i + 1 :]:
            if not more.strip() or not more.startswith("  ") or more[2:3] in ("", " ", "│", "╭"):
                break
            wrapped.append(more.strip())
        return short_type(raised["type"]), " ".join(wrapped)
    asserted = next((m["code"] for t in body if (m := _ASSERTED_RE.match(t))), "")
    return ("AssertionError", asserted) if asserted else ("", "")

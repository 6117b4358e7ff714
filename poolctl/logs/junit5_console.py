"""JUnit 5's ConsoleLauncher (`junit-platform-console-standalone`, its tree, flat, verbose and
summary details alike): its `Failures (8):` section, read into `Failure`s so that they classify as
any runner's failure does, counted by its summary's `[         8 tests failed          ]`:

    Failures (8):
      JUnit Jupiter:worker pool:Requests:parseAnswersWithTheSize()
        MethodSource [className = 'com.example.pool.PoolJupiterTest$Requests', methodName = …]
        => com.example.pool.WorkerTimeoutException: worker pid 5641 sent no response within 500 ms
           com.example.pool.Worker.request(Worker.java:62)
           com.example.pool.PoolJupiterTest$Requests.parseAnswersWithTheSize(PoolJupiterTest.java:78)
           [...]

Each entry is the test's path of display names (its engine's, its classes', its own), where it
is declared (`MethodSource [className = …]`, or a container's `ClassSource`), then `=> ` the
exception's class and message, the message's further lines, and its frames. The test is named
by the path's last name, grouped by its class, placed at its frame in its class's file. A
container that failed (a `@BeforeAll` that threw) is an entry too: the summary counts it apart,
`[         1 containers failed     ]`, six lines above its tests: one run counts both
(`joins_containers`).
"""

from __future__ import annotations

import dataclasses
import re

from poolctl.logs.records import Lines, ParsedLog
from poolctl.logs.runner_block import EntriesSection
from poolctl.logs.scan import MAX_FIELD, block_failure, clip
from poolctl.model import Source

RUNNER = "JUnit 5"
SOURCE: Source = "junit5_console"
HEADING_RE = re.compile(r"^Failures \(\d+\):$")
TRIGGERS = (r"^Failures \(\d+\):\s*$",)
VERDICT_RE = re.compile(r"^\[ +(?P<failed>\d+) tests failed +\]$")
VERDICT_TRIGGER = r"^\[ +[1-9]\d* tests failed +\]"
CONTAINERS_RE = re.compile(r"^\[ +(?P<failed>\d+) containers failed +\]$")
CONTAINERS_TRIGGER = r"^\[ +[1-9]\d* containers failed +\]"
_CONTAINERS_ABOVE = 6  # lines from its containers' count to its tests' (`[ 12 tests found ]`…)
CLEAN_RE = re.compile(r"^\[ +0 tests failed +\]$")
_SOURCE_RE = re.compile(r"^(?:Method|Class)Source \[className = '(?P<cls>[^']+)'")
_THROWN_RE = re.compile(r"^=> (?P<kind>[\w.$]+)(?:: (?P<message>.*))?$")
_FRAME_RE = re.compile(r"^(?P<where>[\w.$/<>]+)\((?P<file>[\w$]+\.\w+):(?P<line>\d+)\)$")
_OTHER_FRAME_RE = re.compile(r"^(?:[\w.$/<>]+\((?:Native Method|Unknown Source)\)|\[\.\.\.\])$")


class Junit5Failures(EntriesSection):
    """The `Failures (N):` section (a consumer of a text parser's scan), begun at its heading;
    each entry goes to `done` as a failure when it ends."""

    def ends(self, text: str) -> bool:
        return bool(text) and not text.startswith("  ")

    def starts_entry(self, text: str) -> bool:
        return text.startswith("  ") and not text.startswith("   ")

    def read_entry(self, entry: Lines) -> None:
        texts = [t.strip() for _, t in entry]
        path = texts[0].split(":")
        declared = next((m for t in texts[1:3] if (m := _SOURCE_RE.match(t))), None)
        thrown_at = next((i for i, t in enumerate(texts) if _THROWN_RE.match(t)), None)
        if thrown_at is None:
            return
        thrown = _THROWN_RE.match(texts[thrown_at])
        assert thrown is not None
        rest = texts[thrown_at + 1 :]
        said = [thrown["message"] or ""]
        frames: list[str] = []
        for text in rest:
            if frames or _FRAME_RE.match(text) or _OTHER_FRAME_RE.match(text):
                frames.append(text)
            else:
                said.append(text)  # the message's further lines
        cls = declared["cls"] if declared else ""
        failure = block_failure(
            self.source,
            self.input_file,
            entry,
            name=path[-1],
            group=cls,
            location=place_in_class(cls, frames),
            kind=thrown["kind"],
            message="\n".join(said).strip(),
            details={"runner": RUNNER, "text": clip("\n".join(texts), MAX_FIELD)},
            frames=frames,
        )
        self.done(failure, entry)


def place_in_class(cls: str, frames: list[str]) -> str:
    """The first frame in the test's class (or a class nested in it, a lambda of it): its
    file and line; "" when none is."""
    outer = cls.split("$")[0]
    for frame in frames:
        found = _FRAME_RE.match(frame)
        if found and outer and found["where"].startswith(f"{outer}."):
            return f"{found['file']}:{found['line']}"
        if found and outer and found["where"].startswith(f"{outer}$"):
            return f"{found['file']}:{found['line']}"
    return ""


def joins_containers(out: ParsedLog, file: str, number: int, text: str, failed: int) -> bool:
    """The summary's count of failed tests on line `number` joins the run its count of failed
    containers just above it began, if it did: one run counts both (its note dropped:
    `read_verdict` says it again)."""
    last = out.summaries[-1] if out.summaries else None
    if last is None or last.file != file or last.source != RUNNER:
        return False
    if not 0 < number - last.line <= _CONTAINERS_ABOVE or not CONTAINERS_RE.match(last.text):
        return False
    out.summaries[-1] = dataclasses.replace(
        last,
        line=number,
        start=number,  # (`verdicts_read.finish` sets it)
        text=f"{last.text} … {text}",
        failures=(last.failures or 0) + failed,
    )
    at = f"{file}:{last.line}: "
    out.skipped[:] = [n for n in out.skipped if not n.startswith(at)]
    return True

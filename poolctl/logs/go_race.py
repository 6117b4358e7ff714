"""The race detector's report in a go test's output (`go test -race`): a test during which it
saw a data race fails with only `testing.go:1319: race detected during execution of test`, a
place in go's own testing package; the report printed before it says where:

    ==================
    WARNING: DATA RACE
    Read at 0x00c000018108 by goroutine 8:
      example.com/race/pool.(*Pool).Checkout()
          /src/pool/pool.go:11 +0x77
    ...
    Previous write at 0x00c000018108 by goroutine 9:
    ...
    ==================

Each access (`Read at`, `Previous write at`…) is quoted with its first frame outside go's own
sources: the first access's place is the failure's."""

from __future__ import annotations

import re

START = "WARNING: DATA RACE"
RULE = "=" * 18
TRIGGER = r"^WARNING: DATA RACE\s*$"
SAID = "race detected during execution of test"
KIND = "data race"
_ACCESS_RE = re.compile(
    r"^(?P<what>(?:Previous )?(?:[Rr]ead|[Ww]rite)) at 0x[0-9a-f]+ by (?P<who>.+):$"
)
_FRAME_FILE_RE = re.compile(r"^\s+(?P<file>\S+\.go):(?P<line>\d+)(?: \+0x[0-9a-f]+)?$")
# go's own sources (its runtime, sync, testing packages): not where a project's race is
_GOROOT_RE = re.compile(r"/go(?:-[\d.]+)?/src/|^\$GOROOT/")
MAX_ACCESSES = 2


def race(lines: list[str]) -> tuple[str, str] | None:
    """The report's accesses, one line each (`read by goroutine 8 at FILE:LINE in FUNC`), and
    the first one's place; None when `lines` hold no report."""
    if START not in (t.strip() for t in lines):
        return None
    accesses: list[str] = []
    place = ""
    access: re.Match[str] | None = None
    function = ""
    for text in lines:
        found = _ACCESS_RE.match(text.strip())
        if found is not None:
            access, function = found, ""
            continue
        if access is None:
            continue
        frame = _FRAME_FILE_RE.match(text)
        if frame is None:
            function = text.strip() if text.strip() else function
            continue
        if _GOROOT_RE.search(frame["file"]):
            continue
        where = f"{frame['file']}:{frame['line']}"
        accesses.append(f"{access['what'].lower()} by {access['who']} at {where} in {function}")
        place = place or where
        access = None
        if len(accesses) >= MAX_ACCESSES:
            break
    return ("\n".join(accesses), place) if accesses else None

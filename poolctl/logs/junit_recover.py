"""Reading a JUnit report past what expat refuses in it.

Real reporters write what XML does not allow: node's JUnit reporter writes a worker's ANSI
colour codes raw (read as spaces, byte for byte) and a message's `]]>` as it is, in the text of
a `<failure>`, where XML forbids it; reports are also concatenated (`cat reports/*.xml`). expat
stops at the first such byte and cannot go on, so reading starts again at the next test case or
suite boundary after it, in a new parser given the start tags of the suites still open: what
lies between is skipped (the test case it was in is lost, and its suite's count then says one
failure was not read), and the report says where. In a report cut short, what was read whole
before the cut is kept, its counts partial (`junit_suites`).
"""

from __future__ import annotations

import pyexpat
import re
from collections.abc import Callable

_ANSI_BYTES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]")
_XML_INVALID = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# where reading may start again: a test case, a suite, or the end of one
_RESYNC_RE = re.compile(rb"<testcase[\s/>]|<testsuites?[\s/>]|</testsuites?\s*>")
SUITE_TAGS = ("testsuite", "testsuites")
MAX_RESUMES = 100  # past this many, the report is refused
MAX_SKIPPED = 64 << 20  # bytes read looking for a place to start again
# expat's error code (its `errors` module names each error by its message)
_JUNK_AFTER_DOCUMENT = pyexpat.errors.codes[pyexpat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]


def xml_safe(data: bytes) -> tuple[bytes, int]:
    """`data` with the characters XML 1.0 forbids (the C0 controls but tab and newlines; a whole
    ANSI colour code at once) made spaces, byte for byte, so that expat's offsets stay right;
    and how many there were."""
    if _XML_INVALID.search(data) is None:
        return data, 0
    found = 0

    def blank(match: re.Match[bytes]) -> bytes:
        nonlocal found
        found += 1
        return b" " * len(match.group())

    return _XML_INVALID.sub(blank, _ANSI_BYTES.sub(blank, data)), found


def next_document(error: Exception, window: bytes, at: int | None) -> bytes | None:
    """After a document's end, the next one (from its `<`, at offset `at` of `window`); None
    when the error is anything else."""
    if getattr(error, "code", None) != _JUNK_AFTER_DOCUMENT or at is None:
        return None
    rest = window[at:]
    return rest if rest.startswith(b"<") else None


def not_xml(head: bytes, read: bool) -> bool:
    """Whether an input that expat refused is no XML at all (a runner's console output given as
    JUnit XML, `--log-format junit`), not XML cut short: it does not begin with a tag, and no
    element was `read` (nor reading started again past a fault)."""
    return not read and head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"<"


def error_message(error: Exception) -> str:
    """expat's words for `error`, without its position (which counts from where it began)."""
    code = getattr(error, "code", None)
    return pyexpat.ErrorString(code) if isinstance(code, int) else str(error)


def reopening(stack: list[str]) -> int:
    """How many of the open elements `stack` holds are kept when reading starts again: those up
    to the innermost suite (what is inside it, a test case, is lost)."""
    return max((i + 1 for i, tag in enumerate(stack) if tag in SUITE_TAGS), default=0)


def resync(window: bytes, at: int, more: Callable[[], bytes]) -> tuple[bytes, int, int] | None:
    """Where reading may start again after the error at offset `at` of `window`, reading
    `more` from the input while none is in it: the input from there, the newlines skipped over
    and the bytes read, with no input left when it ends first (it was cut short); None when too
    much is skipped."""
    start = at + 1
    read = 0
    while True:
        found = _RESYNC_RE.search(window, start)
        if found is not None:
            return window[found.start() :], window.count(b"\n", at, found.start()), read
        chunk = more()
        if not chunk:
            return b"", window.count(b"\n", at), read
        if len(window) > MAX_SKIPPED:
            return None
        start = max(at + 1, len(window) - 16)  # a tag may straddle two reads
        read += len(chunk)
        window += xml_safe(chunk)[0]

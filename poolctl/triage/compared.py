"""The string values a failed pytest comparison of two strings shows: the test's data, no event.

`assert 'checkout timed out after 5s' == 'checkout timed out after 3s'` (and the `- `/`+ `/`? `
diff pytest prints under it) says that two strings differ: a test of a message's wording, or a
value the test built. A pattern's phrase inside those strings is no checkout that timed out, no
process that was missing. A signal's match that lies wholly inside them does not fire; one that
spans the comparison itself (`assert 'ThreadBackend' == 'ProcessBackend'`, two class names
compared) still does. Only comparisons of two string literals count: a dict or a tuple compared
may be a worker's answer (`{'error': 'Program ID is required', …}`), which is an event.
"""

from __future__ import annotations

import re
from functools import lru_cache

# a string literal as pytest prints it; the last one may be cut (`'abc...` at the line's end)
_STR = r"(?:'[^'\n]*'|\"[^\"\n]*\")"
_CUT = r"(?:'[^'\n]*|\"[^\"\n]*)\.\.\.$"
_COMPARISON_RE = re.compile(
    rf"(?m)^[ \t]*(?:E[ \t]+)?(?:AssertionError: )*assert (?P<left>{_STR}) "
    rf"(?:==|!=|in|not in) (?P<right>{_STR}|{_CUT})[ \t]*$"
)
# pytest's explanation under it: its diff lines, and the lines that say how it is shown
_DIFF_RE = re.compile(r"[ \t]*(?:E[ \t]+)?(?:[-+?](?: .*)?|Full diff:|Skipping \d+ identical .*|)$")
_LIMIT = 64 * 1024  # longer texts are not searched for comparisons


def inside(spans: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    """Whether [start, end) lies wholly inside one of `spans`."""
    return any(a <= start and end <= b for a, b in spans)


@lru_cache(maxsize=512)
def compared_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where `text` shows the strings of a failed comparison of two strings, and their diff."""
    if "assert " not in text or len(text) > _LIMIT:
        return ()
    spans: list[tuple[int, int]] = []
    for m in _COMPARISON_RE.finditer(text):
        spans += [m.span("left"), m.span("right")]
        pos = m.end() + 1
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            if not _DIFF_RE.match(text, pos, end):
                break
            spans.append((pos, end))
            pos = end + 1
    return tuple(spans)

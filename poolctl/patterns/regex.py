"""The knowledge base's regexes: RE2 (linear time, cannot hang), Python's `re` only for what RE2
lacks, and a literal prefilter derived from each regex when it loads.

RE2 (the `google-re2` package) matches in time linear in the text, whatever the regex: a user's
`(a+)+$` costs milliseconds where a backtracking engine takes minutes. It has no lookarounds and
no backreferences; a regex that needs them (or any other construct RE2 refuses) runs on Python's
`re` under a budget of CPU time (`BUDGET` seconds per failure, by `SIGVTALRM` in the main
thread: the time it computes, not the time a loaded machine leaves it waiting), and
the reason RE2 refused it is kept in `KbRegex.fallback` for the loader to name.

The prefilter: from the parsed regex, a set of literal strings at least one of which any match
contains (`required_literals`); a text holding none of them cannot match, and the regex is not
run on it. Case-insensitive regexes compare casefolded literals with the casefolded text.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import re2

BUDGET = 0.05  # seconds of CPU a failure may spend in fallback (`re`) regexes
MAX_LITERALS = 16  # alternatives kept in a required set
MAX_PRODUCT = 64  # strings an exact set may grow to while concatenating


class RegexTimeout(Exception):
    """A fallback regex ran past the failure's time budget (it is treated as an error of its
    pattern on that failure: the pattern is skipped and the report says so)."""


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False
    return options


_OPTIONS = _re2_options()
_OPTIONS_NO_CAPTURE = _re2_options()
_OPTIONS_NO_CAPTURE.never_capture = True


# --- the prefilter ---------------------------------------------------------------------------
@dataclass
class _Info:
    """What a regex part tells: `exact`, the finite set of strings it matches (None when not
    finite or too many); `required`, a set of which one occurs in any match (None: unknown)."""

    exact: set[str] | None
    required: set[str] | None = None


def _best(*sets: set[str] | None) -> set[str] | None:
    """The most selective of several required sets: the longest shortest member, then fewest."""
    candidates = [s for s in sets if s and all(s) and len(s) <= MAX_LITERALS]
    if not candidates:
        return None

    # longer literals are rarer; past a dozen characters, fewer ones are cheaper to look for
    def rank(found: set[str]) -> tuple[int, int, int]:
        shortest = min(len(x) for x in found)
        return (min(12, shortest), -len(found), shortest)

    return max(candidates, key=rank)


def _seq(items: list[tuple[Any, Any]]) -> _Info:
    """A sequence: runs of exact parts concatenate; a run ends at a part that is not exact (its
    strings are then required: the run matched contiguously), and the best required set wins."""
    required: set[str] | None = None
    run: set[str] = {""}
    whole = True  # every part exact so far: the sequence is `run`
    for op, av in items:
        info = _node(op, av)
        required = _best(required, run)  # what the run holds so far is required already
        if info.exact is not None and len(run) * len(info.exact) <= MAX_PRODUCT:
            run = {a + b for a in run for b in info.exact}
            continue
        whole = False
        required = _best(required, run, info.required, info.exact)
        run = set(info.exact) if info.exact is not None else {""}
    return _Info(run if whole else None, _best(required, run))


def _node(op: Any, av: Any) -> _Info:
    if op is sre.LITERAL:
        return _Info({chr(av)})
    if op is sre.IN:
        chars = [chr(v) for o, v in av if o is sre.LITERAL]
        if len(chars) == len(av) and 0 < len(chars) <= 4:
            return _Info(set(chars))
        return _Info(None)
    if op is sre.SUBPATTERN:
        return _seq(list(av[-1]))
    if op is sre.BRANCH:
        infos = [_seq(list(branch)) for branch in av[1]]
        if all(i.exact is not None for i in infos):
            union: set[str] = set().union(*(i.exact for i in infos if i.exact is not None))
            if len(union) <= MAX_PRODUCT:
                return _Info(union)
        parts = [_best(i.required, i.exact) for i in infos]
        if all(parts):
            merged: set[str] = set().union(*(p for p in parts if p))
            return _Info(None, merged if len(merged) <= MAX_LITERALS else None)
        return _Info(None)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, high, body = av
        inner = _seq(list(body))
        if low == high and low <= 4 and inner.exact is not None:
            exact = {""}
            for _ in range(low):
                exact = {a + b for a in exact for b in inner.exact}
                if len(exact) > MAX_PRODUCT:
                    return _Info(None, _best(inner.required, inner.exact))
            return _Info(exact)
        if low >= 1:
            return _Info(None, _best(inner.required, inner.exact))
        if high == 1 and inner.exact is not None:
            return _Info({"", *inner.exact})  # `s?`: both spellings
        return _Info(None)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _Info({""})  # zero width: adds nothing, needs nothing
    return _Info(None)  # any character, a class, a backreference: no literal known


def required_literals(pattern: str) -> tuple[tuple[str, ...], bool]:
    """Literals one of which every match of `pattern` contains, and whether they are casefolded
    (the regex ignores case somewhere); `()` when nothing is required."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return (), False
    folded = bool(parsed.state.flags & re.IGNORECASE) or "(?i" in pattern
    info = _seq(list(parsed))
    found = _best(info.required, info.exact)
    if not found:
        return (), folded
    literals = {s.casefold() for s in found} if folded else found
    # a literal holding another is implied by it: keep the shortest ones
    minimal = {s for s in literals if not any(o != s and o in s for o in literals)}
    return tuple(sorted(minimal)), folded


# --- the time budget of fallback regexes -------------------------------------------------------
class _Budget(threading.local):
    left: float | None = None


_BUDGET = _Budget()


@contextmanager
def budget(seconds: float = BUDGET) -> Iterator[None]:
    """Every fallback regex run inside shares `seconds` (one failure's budget)."""
    before = _BUDGET.left
    _BUDGET.left = seconds
    try:
        yield
    finally:
        _BUDGET.left = before


def _on_alarm(signum: int, frame: object) -> None:
    raise RegexTimeout()


def _bounded(source: str, call: Any, *args: Any) -> Any:
    """`call(*args)` within what is left of the budget (the whole `BUDGET` outside one)."""
    left = _BUDGET.left if _BUDGET.left is not None else BUDGET
    if left <= 0:
        raise RegexTimeout(_timeout_message(source))
    if threading.current_thread() is not threading.main_thread():
        # the signal reaches the main thread only: an unbounded backtracking run is refused
        raise RegexTimeout(
            f"{source!r} needs Python's re, which is bounded in the main thread only"
        )
    # CPU time, not wall time: on a loaded machine (a busy CI runner) a regex that takes 2 ms
    # could wait past 50 ms for a CPU and be treated as not matching, its failure classified
    # otherwise than on a quiet one
    previous = signal.signal(signal.SIGVTALRM, _on_alarm)
    # unblocked here: poolctl as the program blocks it for its signal thread (a worker's kill()
    # of it), which cannot take the GIL from a match running in C until the match ends
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGVTALRM})
    start = time.thread_time()
    try:
        signal.setitimer(signal.ITIMER_VIRTUAL, left)
        return call(*args)
    except RegexTimeout:
        raise RegexTimeout(_timeout_message(source)) from None
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGVTALRM, previous)
        if _BUDGET.left is not None:
            _BUDGET.left -= time.thread_time() - start


def _timeout_message(source: str) -> str:
    return (
        f"regex {source!r} (Python's re: RE2 cannot run it) went past the "
        f"{BUDGET * 1000:.0f} ms budget of a failure; it is treated as not matching there"
    )


# --- RE2, called directly ------------------------------------------------------------------------
# google-re2's `re`-like wrapper costs tens of microseconds a call (it re-encodes the text and
# builds its match in Python); the classifier runs a regex on many short texts, so the compiled
# RE2 object is called as it is and a match converts its byte offsets only when asked.
_UNANCHORED = re2._Anchor.UNANCHORED
_NO_SPAN = (-1, -1)


_ANCHOR_START = re2._Anchor.ANCHOR_START


class Re2Match:
    """A match of `Re2Regex`: `start`, `end`, `span`, `group`, `groupdict`, as `re.Match`. Its
    groups are found only when one is asked for (the whole match needs no more than RE2's DFA)."""

    __slots__ = ("_data", "_regex", "_spans", "_text")

    def __init__(self, text: str, data: bytes, span: tuple[int, int], regex: Re2Regex) -> None:
        self._text = text
        self._data = data
        self._spans: list[tuple[int, int]] = [span]
        self._regex = regex

    def _offset(self, at: int) -> int:
        if at < 0 or len(self._data) == len(self._text):  # ASCII: bytes are characters
            return at
        return len(self._data[:at].decode("utf-8", "surrogatepass"))

    def _span(self, group: int | str) -> tuple[int, int]:
        number = self._regex.groupindex[group] if isinstance(group, str) else group
        if number and len(self._spans) == 1:  # the groups, from where the match starts
            start, size = self._spans[0][0], len(self._data)
            self._spans = self._regex._groups.Match(_ANCHOR_START, self._data, start, size)
        return self._spans[number]

    def span(self, group: int | str = 0) -> tuple[int, int]:
        start, end = self._span(group)
        if start < 0:
            return _NO_SPAN
        return self._offset(start), self._offset(end)

    def start(self, group: int | str = 0) -> int:
        return self.span(group)[0]

    def end(self, group: int | str = 0) -> int:
        return self.span(group)[1]

    def group(self, group: int | str = 0) -> str | None:  # one group: all the KB asks for
        start, end = self._span(group)
        if start < 0:
            return None
        return self._data[start:end].decode("utf-8", "surrogatepass")

    def __getitem__(self, group: int | str) -> str | None:
        return self.group(group)

    def groupdict(self) -> dict[str, str | None]:
        return {name: self.group(number) for name, number in self.groupindex.items()}

    @property
    def groupindex(self) -> dict[str, int]:
        return self._regex.groupindex


class Re2Regex:
    """A regex compiled by RE2, searched over the UTF-8 bytes of a text: without its groups
    first (RE2's DFA, fast whatever the counted repetitions), with them only when asked. Each
    of the two compiles when first needed: a knowledge base read back from the cache holds
    about 200 regexes, and a run uses few of them."""

    __slots__ = ("_find_re", "_groupindex", "_groups_re", "pattern")

    def __init__(self, pattern: str, *, check: bool = True) -> None:
        """`check`: compile now, raising `re2.error` when RE2 refuses `pattern`."""
        self.pattern = pattern
        self._find_re: Any = None
        self._groups_re: Any = None
        self._groupindex: dict[str, int] | None = None
        if check:
            self._compile(_OPTIONS)

    def _compile(self, options: Any) -> Any:
        compiled = re2._re2.RE2(self.pattern.encode("utf-8"), options)
        if not compiled.ok():
            raise re2.error(compiled.error())
        if options is _OPTIONS:
            self._groups_re = compiled
        else:
            self._find_re = compiled
        return compiled

    @property
    def _groups(self) -> Any:
        found = self._groups_re
        return found if found is not None else self._compile(_OPTIONS)

    @property
    def _find(self) -> Any:
        found = self._find_re
        return found if found is not None else self._compile(_OPTIONS_NO_CAPTURE)

    @property
    def groupindex(self) -> dict[str, int]:
        if self._groupindex is None:
            pairs = self._groups.NamedCapturingGroups()
            self._groupindex = {name.decode(): number for name, number in pairs}
        return self._groupindex

    def search(self, text: str) -> Re2Match | None:
        data = text.encode("utf-8", "surrogatepass")
        find = self._find_re  # read directly: the classifier's hot path
        if find is None:
            find = self._find
        span = find.Match(_UNANCHORED, data, 0, len(data))[0]
        if span[0] < 0:
            return None
        return Re2Match(text, data, span, self)

    def finditer(self, text: str) -> Iterator[Re2Match]:
        data = text.encode("utf-8", "surrogatepass")
        pos, size = 0, len(data)
        find = self._find
        while pos <= size:
            start, end = span = find.Match(_UNANCHORED, data, pos, size)[0]
            if start < 0:
                return
            yield Re2Match(text, data, span, self)
            if end > start:
                pos = end
            else:  # an empty match: on past the next character
                pos = end + 1
                while pos < size and (data[pos] & 0xC0) == 0x80:
                    pos += 1


# --- the regex -------------------------------------------------------------------------------
@dataclass
class Timing:
    """Time spent in one regex while timing is on (`poolctl patterns test`)."""

    calls: int = 0
    seconds: float = 0.0


_TIMING: dict[str, Timing] = {}
_TIMING_ON = [False]


@contextmanager
def timing() -> Iterator[dict[str, Timing]]:
    """Time every knowledge-base regex run inside; yields the times by regex source."""
    _TIMING.clear()
    _TIMING_ON[0] = True
    try:
        yield _TIMING
    finally:
        _TIMING_ON[0] = False


@dataclass(eq=False)
class KbRegex:
    """A compiled knowledge-base regex with the `re.Pattern` methods the classifier uses."""

    pattern: str
    engine: str  # "re2" or "re"
    fallback: str = ""  # why RE2 refused it ("" on RE2)
    literals: tuple[str, ...] = ()
    folded: bool = False
    _compiled: Any = field(default=None, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its source and what was derived from it: compiled again when read."""
        return (_recompiled, (self.pattern, self.engine, self.fallback, self.literals, self.folded))

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self._compiled.groupindex)

    def may_match(self, text: str, folded: str | None = None) -> bool:
        """False when `text` holds none of the literals every match holds (a cheap test first)."""
        if not self.literals:
            return True
        haystack = (folded if folded is not None else text.casefold()) if self.folded else text
        for literal in self.literals:  # noqa: SIM110 (a loop: any() of a generator is slower here)
            if literal in haystack:
                return True
        return False

    def search(self, text: str) -> Any:
        if _TIMING_ON[0]:
            return self._timed(self._search, text)
        return self._search(text)

    def finditer(self, text: str) -> Iterator[Any]:
        if _TIMING_ON[0]:
            return iter(self._timed(lambda t: list(self._finditer(t)), text))
        return self._finditer(text)

    def _search(self, text: str) -> Any:
        if self.engine == "re2":
            return self._compiled.search(text)
        return _bounded(self.pattern, self._compiled.search, text)

    def _finditer(self, text: str) -> Iterator[Any]:
        if self.engine == "re2":
            return self._compiled.finditer(text)  # type: ignore[no-any-return]
        return iter(_bounded(self.pattern, lambda t: list(self._compiled.finditer(t)), text))

    def _timed(self, call: Any, text: str) -> Any:
        start = time.perf_counter()
        try:
            return call(text)
        finally:
            spent = _TIMING.setdefault(self.pattern, Timing())
            spent.calls += 1
            spent.seconds += time.perf_counter() - start


def compile_regex(pattern: str) -> KbRegex:
    """`pattern` on RE2 when RE2 takes it, else on Python's re (`re.error` if neither does)."""
    literals, folded = required_literals(pattern)
    try:
        compiled = Re2Regex(pattern)
    except re2.error as exc:
        python = re.compile(pattern)  # raises re.error: not a regex at all
        reason = _reason(pattern, str(exc))
        return KbRegex(pattern, "re", reason, literals, folded, python)
    return KbRegex(pattern, "re2", "", literals, folded, compiled)


def _recompiled(
    pattern: str, engine: str, fallback: str, literals: tuple[str, ...], folded: bool
) -> KbRegex:
    """A pickled `KbRegex` read back: compiled by the engine that took it, literals kept."""
    compiled = Re2Regex(pattern, check=False) if engine == "re2" else re.compile(pattern)
    return KbRegex(pattern, engine, fallback, literals, folded, compiled)


def _reason(pattern: str, error: str) -> str:
    """Why RE2 refused `pattern`, in words."""
    lacks = []
    if re.search(r"\(\?<?[=!]", pattern):
        lacks.append("a lookahead or lookbehind")
    if re.search(r"\\[1-9]|\(\?P=", pattern):
        lacks.append("a backreference")
    return " and ".join(lacks) if lacks else (error.strip() or "a construct RE2 lacks")

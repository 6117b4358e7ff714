"""Keep API keys, tokens and passwords out of everything poolctl prints or writes.

Three kinds of secret are found. The values of environment variables whose names look secret
(a word ending in `KEY`, `TOKEN`, `SECRET`, `PASSWORD`, `PASS`, `PWD`, `CREDENTIAL`, `AUTH`…),
from poolctl's own environment and from every worker environment a run starts, and the values
of secret-looking options in a worker's command (`--api-key X`, `--token=X`): replaced by
`[redacted:NAME]`. Well-known token shapes (bearer tokens, `sk-…` keys, GitHub, Slack and AWS
keys, JWTs, private keys, passwords inside URLs), and what follows `password=`, `secret:` or
`Authorization:` in prose and headers: replaced by `[redacted]`.

What a run learns (the worker environments, `--keep-secrets`) lives in its `Secrets`, never in
this module: two runs in one process know only their own.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import json
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import re2

from poolctl.holes import data_ranges, has_holes
from poolctl.secret_shapes import (
    LITERAL,
    SHAPES,
    local_spans,
    may_hold,
    secret_span,
    substitute,
    substitute_all,
)

# A word of the name ending in one of these: API_KEY, GITHUB_TOKEN, CLIENTSECRET, DB_PASSWORD,
# DB_PASS, MYSQL_PWD, SSH_PRIVATE_KEY, AWS_CREDENTIALS, BASIC_AUTH; not KEYRING or
# GIT_AUTHOR_NAME (a word that only starts so).
SECRET_WORD = re.compile(
    r"(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|PASSPHRASE|CREDENTIAL|AUTH|AUTHORIZATION)S?$",
    re.IGNORECASE,
)
# Names that end so and hold no secret: the shell's working directories, askpass programs.
NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})
NOT_SECRET_WORDS = ("ASKPASS", "BYPASS")
# Shorter values ("1", "true", "dev") are everywhere in a report: redacting them would shred
# the output and protect nothing, so a secret-named variable shorter than this is left alone.
MIN_SECRET_LEN = 6
MARK = "[redacted]"
KEEP_NOTE = (
    "--keep-secrets: secrets were NOT redacted; this output may hold API keys and tokens "
    "from the environment, the workers' output and the logs: do not publish it"
)
# Files are redacted in chunks of this size; a secret cut by a chunk's end is read whole with
# the next one, as long as it is shorter than the overlap (a private-key block is ~3 KB).
FILE_CHUNK = 1 << 20
FILE_OVERLAP = 64 << 10
BIG_TEXT = 64 << 10  # a text longer than this is redacted as bytes, a line at a time


T = TypeVar("T")


def secret_name(name: str) -> bool:
    """Whether a variable of this name holds a secret (`OPENAI_API_KEY`, `GH_TOKEN`, `DB_PASS`)."""
    if name.upper() in NOT_SECRET_NAMES:
        return False
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    return any(SECRET_WORD.search(w) and not w.upper().endswith(NOT_SECRET_WORDS) for w in words)


def secret_values(env: Mapping[str, str]) -> dict[str, str]:
    """`{value: name}` of the variables in `env` whose names look secret."""
    found: dict[str, str] = {}
    for name, value in sorted(env.items()):
        if secret_name(name) and len(value.strip()) >= MIN_SECRET_LEN:
            found.setdefault(value, re.sub(r"[^A-Za-z0-9_.-]", "_", name))
    return found


def argv_secrets(argv: Sequence[str]) -> dict[str, str]:
    """`{value: option}` of the secret-looking options of a command: `--api-key X`,
    `--token=X`, `--password X` (an option whose name looks like a secret variable's)."""
    found: dict[str, str] = {}
    for i, arg in enumerate(argv):
        if not arg.startswith("--") or len(arg) < 4:
            continue
        name, eq, value = arg.partition("=")
        if not secret_name(name[2:]):
            continue
        if not eq:
            following = argv[i + 1] if i + 1 < len(argv) else ""
            value = following if not following.startswith("-") else ""
        if len(value.strip()) >= MIN_SECRET_LEN:
            found.setdefault(value, name)
    return found


def _variants(value: str) -> list[str]:
    """The forms a value takes in poolctl's outputs: as is, JSON-escaped, and repr-escaped
    (bytes evidence is quoted with `repr`)."""
    forms = [
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        repr(value.encode("utf-8", "surrogateescape"))[2:-1],
    ]
    return [f for f in dict.fromkeys(forms) if len(f) >= MIN_SECRET_LEN]


class Redactor:
    """Replaces known secret values and token shapes in text, bytes, files and reports."""

    def __init__(self, named: Mapping[str, str] | None = None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.named: dict[str, str] = {}  # every form of a value -> its variable's name
        for value, name in (named or {}).items():
            for form in _variants(value):
                self.named.setdefault(form, name)
        ordered = sorted(self.named, key=len, reverse=True)  # the longest form wins
        self._text = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._bytes = (
            re.compile(b"|".join(re.escape(v.encode("utf-8", "surrogateescape")) for v in ordered))
            if ordered
            else None
        )
        self._named_bytes = {k.encode("utf-8", "surrogateescape"): v for k, v in self.named.items()}
        # the needles of short texts: the shapes' words in any case (`apiKey`), the values
        words = "|".join(map(re.escape, sorted({n for s in SHAPES for n in s.needles}, key=len)))
        values = [re.escape(v) for v in sorted(self.named, key=len)]
        self._any = re.compile("|".join([f"(?i:{words})", *values]))

    # --- text and bytes -------------------------------------------------------------------
    def may_hold_text(self, value: str) -> bool:
        """False when `text(value)` would certainly return `value` as it is: none of the
        needles it starts from is in it (one search over a failure's joined text, by RE2)."""
        if not self.enabled or not value:
            return False
        if len(value) > BIG_TEXT:  # redacted as bytes, with their own test: no shortcut
            return True
        return self._has_needle(value)

    def _has_needle(self, value: str) -> bool:
        try:
            return self._any_fast.search(value) is not None
        except UnicodeEncodeError:  # a lone surrogate: RE2 takes UTF-8 only
            return self._any.search(value) is not None

    @functools.cached_property
    def _any_fast(self) -> Any:
        """`_any` on RE2 (a linear pass, several times faster on a long clean text), or `_any`
        itself for a needle RE2 cannot take (a value with a lone surrogate)."""
        try:
            return re2.compile(self._any.pattern)
        except Exception:  # re2.error, or a text that is not UTF-8
            return self._any

    def may_hold(self, data: builtins.bytes) -> bool:
        """Whether `data` could hold a secret: a needle of a shape, a named value."""
        named = self._bytes is not None and self._bytes.search(data) is not None
        return named or may_hold(data)

    def may_hold_any(self, values: Sequence[str]) -> bool:
        """False when `text` would return each of `values` as it is: one search over them
        joined (by RE2) instead of a search each; a value longer than `BIG_TEXT` says True."""
        if not self.enabled or not values:
            return False
        if max(map(len, values)) > BIG_TEXT:
            return True
        return self._has_needle("\n".join(values))

    def text(self, value: str) -> str:
        """`value` with every secret replaced (`[redacted:NAME]` or `[redacted]`)."""
        if len(value) > BIG_TEXT and self.enabled:  # a whole report: the fast path of bytes
            raw = value.encode("utf-8", "surrogateescape")
            clean = self.bytes(raw)
            return value if clean is raw else clean.decode("utf-8", "surrogateescape")
        if not self.enabled or not value or self._any.search(value) is None:
            return value
        original = value
        if self._text is not None:
            value = self._text.sub(lambda m: f"[redacted:{self.named[m.group(0)]}]", value)
        for shape in SHAPES:
            if shape.in_text(value):
                value = substitute(shape, value, _keep_around(MARK))
        return original if value == original else value

    def bytes(self, data: bytes, *, same_length: bool = False) -> bytes:
        """`data` with every secret replaced; `same_length` keeps every byte offset (a framed
        stdout transcript stays decodable: frame lengths still hold)."""
        if not self.enabled or not data:
            return data
        if self._bytes is not None:

            def named(m: re.Match[bytes]) -> bytes:
                mark = f"[redacted:{self._named_bytes[m.group(0)]}]".encode()
                return _fit(mark, len(m.group(0))) if same_length else mark

            data = self._bytes.sub(named, data)
        return substitute_all(data, _keep_around_bytes(same_length))

    def split(self, data: builtins.bytes, at: int) -> tuple[builtins.bytes, builtins.bytes]:
        """`data` redacted whole, then cut at byte `at` (same-length marks keep every offset):
        a secret written across `at` (half before a worker's stdin closed, half after) is
        found whole, where either half alone is no secret. A cut inside a mark moves to its
        start, so that the mark is read whole after it."""
        clean = self.bytes(data, same_length=True)
        at = min(at, len(data))
        while 0 < at < len(data) and clean[at - 1] != data[at - 1] and clean[at] != data[at]:
            at -= 1
        return clean[:at], clean[at:]

    def cut(self, value: str, limit: int) -> str:
        """`value` cut to at most `limit` characters, never inside a secret: a secret the cut
        would halve (and no longer recognize) is left out whole. Redact the result."""
        if len(value) <= limit:
            return value
        return value[: self.cut_point(value, limit)]

    def cut_point(self, value: str, limit: int) -> int:
        """The largest offset <= `limit` that no secret spans."""
        at = limit
        window_start = max(0, limit - FILE_OVERLAP)
        window_end = limit + FILE_OVERLAP
        # only a secret around the cut matters: the search stops at the window's end
        if not self.enabled or self._any.search(value, window_start, window_end) is None:
            return at
        window = value[window_start:window_end]
        for start, end in self._spans_text(window):
            if window_start + start < at < window_start + end:
                at = window_start + start
        return at

    def _spans_text(self, value: str) -> Iterator[tuple[int, int]]:
        if self._text is not None:
            yield from (m.span() for m in self._text.finditer(value))
        for shape in SHAPES:
            if shape.in_text(value):
                yield from (m.span() for m in shape.text_regex.finditer(value))

    def _spans_bytes(self, data: builtins.bytes) -> Iterator[tuple[int, int]]:
        if self._bytes is not None:
            yield from (m.span() for m in self._bytes.finditer(data))
        for shape in LITERAL:
            yield from (m.span() for m in shape.bytes_regex.finditer(data))
        yield from local_spans(data)

    # --- files ----------------------------------------------------------------------------
    def file(
        self,
        path: Path,
        *,
        chunk: int = FILE_CHUNK,
        overlap: int = FILE_OVERLAP,
        deadline: float | None = None,
    ) -> bool:
        """Redact one file in place, reading it in chunks (a 500 MB stderr is never held
        whole); `.bin` transcripts keep their length. True if it changed. At `deadline`
        (`time.monotonic`) TimeoutError is raised between two chunks, the file left as it was
        (a `.bin`, partly redacted)."""
        if not self.enabled:
            return False
        try:
            if not self._holds_needle(path, chunk, overlap, deadline):
                return False
            if path.suffix == ".bin" or has_holes(path):  # offsets hold: a transcript's, and
                # the range a capped stderr log dropped (the report names it), left a hole
                return self._rewrite_in_place(path, chunk, overlap, deadline)
            return self._rewrite_to_copy(path, chunk, overlap, deadline)
        except TimeoutError:
            raise
        except OSError:
            return False

    def _holds_needle(self, path: Path, chunk: int, overlap: int, deadline: float | None) -> bool:
        """A quick pass: could the file hold a secret at all?"""
        with open(path, "rb") as f:
            for start, end in _data(f):
                tail = b""
                reader = _Reader(f, start, end)
                while block := reader.read(chunk):
                    window = tail + block
                    if self.may_hold(window):
                        return True
                    tail = window[-overlap:]
                    _in_time(deadline)
        return False

    def _pieces(
        self, f: Any, chunk: int, overlap: int, deadline: float | None
    ) -> Iterator[builtins.bytes]:
        """The file's bytes in pieces that no secret spans: each piece ends where the next
        chunk cannot change what it holds."""
        carry = b""
        while True:
            _in_time(deadline)
            block = f.read(chunk)
            data = carry + block
            if not block:
                if data:
                    yield data
                return
            at = _after_separator(data, max(0, len(data) - overlap))
            window = max(0, at - overlap)  # a secret that crosses `at` starts after this
            # a secret's span from the bytes its shape looks back at (`\nsk-…`): a cut between
            # them would leave the next piece reading `nsk-…` as a word; again until none is cut
            spans = [
                (_guarded(data, window + s), window + e)
                for s, e in self._spans_bytes(data[window:])
            ]
            while at > 0 and (cut := [start for start, end in spans if start < at < end]):
                at = min(cut)
            if at == 0 and len(data) > 2 * overlap:
                at = len(data) - overlap  # a "secret" longer than the overlap: cut it anyway
            carry = data[at:]
            if at:
                yield data[:at]

    def _rewrite_in_place(
        self, path: Path, chunk: int, overlap: int, deadline: float | None
    ) -> bool:
        changed = False
        with open(path, "r+b") as f:
            for offset, end in _data(f):
                for piece in self._pieces(_Reader(f, offset, end), chunk, overlap, deadline):
                    clean = self.bytes(piece, same_length=True)
                    if clean != piece:
                        f.seek(offset)
                        f.write(clean)
                        changed = True
                    offset += len(piece)
        return changed

    def _rewrite_to_copy(
        self, path: Path, chunk: int, overlap: int, deadline: float | None
    ) -> bool:
        changed = False
        partial = path.with_name(f".{path.name}.redacting")
        try:
            with open(path, "rb") as src, open(partial, "wb") as dst:
                for piece in self._pieces(_Reader(src, 0, _size(src)), chunk, overlap, deadline):
                    clean = self.bytes(piece)
                    changed = changed or clean != piece
                    dst.write(clean)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        if changed:
            os.chmod(partial, path.stat().st_mode & 0o7777)
            os.replace(partial, path)
        else:
            partial.unlink()
        return changed

    def tree(
        self, folder: Path, *, deadline: float | None = None, skip: Collection[Path] = ()
    ) -> list[Path]:
        """Redact every file under `folder` (reports, captured output, trace, stack dumps)
        but poolctl's own markers and `skip`; raise TimeoutError at `deadline`
        (`time.monotonic`)."""
        if not self.enabled or not folder.is_dir():
            return []
        changed = []
        for p in sorted(folder.rglob("*")):
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"redaction of {folder} stopped at {p}")
            mine = p.name.startswith(".poolctl-") or p in skip
            if p.is_file() and not mine and self.file(p, deadline=deadline):
                changed.append(p)
        return changed

    # --- records --------------------------------------------------------------------------
    def value(self, obj: T) -> T:
        """A copy of `obj` (dataclasses, mappings, sequences, strings) with every string
        redacted; mapping keys too."""
        if not self.enabled:
            return obj
        return self._walk(obj)  # type: ignore[no-any-return]

    def _walk(self, obj: Any) -> Any:
        """`obj` itself when nothing in it changes: a clean 20,000-failure report is not copied."""
        if isinstance(obj, str):
            return self.text(obj)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {}
            for f in dataclasses.fields(obj):
                old = getattr(obj, f.name)
                new = self._walk(old)
                if new is not old and f.init:
                    changes[f.name] = new
            return dataclasses.replace(obj, **changes) if changes else obj
        if isinstance(obj, Mapping):
            pairs = [(k, v, self._walk(k), self._walk(v)) for k, v in obj.items()]
            if all(k2 is k and v2 is v for k, v, k2, v2 in pairs):
                return obj
            return {k2: v2 for _, _, k2, v2 in pairs}
        if isinstance(obj, tuple | list):
            items = [self._walk(v) for v in obj]
            if all(a is b for a, b in zip(items, obj, strict=True)):
                return obj
            return tuple(items) if isinstance(obj, tuple) else items
        return obj


# The most bytes before a secret that its shape reads (`(?<=\\[nrt]sk.)`, `(?<![\w/.-])`): a
# piece cut where no separator is near must not start between them and the secret.
LOOKBEHIND = 4
# Bytes no token nor what a token is glued to (a word, `\n`, a colour code) is made of: a
# piece cut just after one reads the same to every shape as the whole does.
_SEPARATORS = frozenset(b" \t\r\n\x00\"'`,|()<>{}")


def _guarded(data: bytes, start: int) -> int:
    """Where a cut before a secret starting at `start` may fall: just after a separator within
    the `LOOKBEHIND` bytes its shape reads, else before those bytes."""
    for i in range(start, max(0, start - LOOKBEHIND), -1):
        if data[i - 1] in _SEPARATORS:
            return i
    return max(0, start - LOOKBEHIND)


def _after_separator(data: bytes, at: int, reach: int = 512) -> int:
    """The offset just after the last separator at or before `at` (within `reach`), else `at`."""
    for i in range(at, max(0, at - reach), -1):
        if data[i - 1] in _SEPARATORS:
            return i
    return at


def _in_time(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise TimeoutError("redaction stopped at its deadline")


def _size(f: Any) -> int:
    return os.fstat(f.fileno()).st_size


def _data(f: Any) -> list[tuple[int, int]]:
    """The ranges of the open file `f` that hold data: a hole is no text to redact."""
    return data_ranges(f.fileno(), _size(f))


class _Reader:
    """Reads `[at, end)` of a file from where the last read ended, whatever was written in
    between (an in-place rewrite seeks back to write)."""

    def __init__(self, f: Any, at: int, end: int) -> None:
        self.f = f
        self.at = at
        self.end = end

    def read(self, n: int) -> bytes:
        self.f.seek(self.at)
        data: bytes = self.f.read(max(0, min(n, self.end - self.at)))
        self.at += len(data)
        return data


def _fit(mark: bytes, length: int) -> bytes:
    """`mark` padded with `*` (or cut down to `[redacted]`, or stars) to exactly `length`."""
    for candidate in (mark, MARK.encode()):
        if len(candidate) <= length:
            return candidate + b"*" * (length - len(candidate))
    return b"*" * length


def _keep_around(mark: str) -> Any:
    def sub(m: re.Match[str]) -> str:
        s, e = secret_span(m)
        whole = m.group(0)
        return whole[: s - m.start()] + mark + whole[e - m.start() :]

    return sub


def _keep_around_bytes(same_length: bool) -> Any:
    def sub(m: re.Match[bytes]) -> bytes:
        s, e = secret_span(m)
        whole = m.group(0)
        mark = _fit(MARK.encode(), e - s) if same_length else MARK.encode()
        return whole[: s - m.start()] + mark + whole[e - m.start() :]

    return sub


@functools.lru_cache(maxsize=32)
def _redactor_for(named: tuple[tuple[str, str], ...], enabled: bool) -> Redactor:
    """Building a redactor compiles its regexes: one per distinct set of secrets (a pure
    function of its arguments, so the cache holds no state of any run)."""
    return Redactor(dict(named), enabled=enabled)


def environment() -> Redactor:
    """The redactor of poolctl's own environment and the token shapes: what any output is
    redacted with when no run's secrets are at hand."""
    return _redactor_for(tuple(sorted(secret_values(dict(os.environ)).items())), True)


def redact(text: str) -> str:
    """`text` through the environment's redactor."""
    return environment().text(text)


class Secrets:
    """What one run knows about secrets: poolctl's environment when the run began, the secret
    values of every worker and service environment and command it started, and
    `--keep-secrets`.

    Safe to share between threads; `on_change` callbacks hear of every new value (the run
    folders keep them in their markers until scrubbed)."""

    def __init__(self, *, keep: bool = False, environ: Mapping[str, str] | None = None) -> None:
        self.keep = keep
        self._environ = secret_values(dict(os.environ if environ is None else environ))
        self._remembered: dict[str, str] = {}
        self._lock = threading.Lock()
        self._redactor: Redactor | None = None  # rebuilt when a secret is learnt
        self.on_change: list[Callable[[Mapping[str, str]], None]] = []

    def remember(self, values: Mapping[str, str]) -> None:
        """Note secret values (`{value: name}`) to redact from every output of the run."""
        with self._lock:
            new = {v: n for v, n in values.items() if v not in self._remembered}
            self._remembered.update(new)
            snapshot = dict(self._remembered)
            if new:
                self._redactor = None
        if new:
            for callback in list(self.on_change):
                callback(snapshot)

    def remember_env(self, env: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        """The secret-named values of an environment a worker or service is started with."""
        items = env.items() if isinstance(env, Mapping) else env
        self.remember(secret_values(dict(items)))

    def remember_command(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        """A worker's command (its secret options) and its environment."""
        self.remember({**secret_values(dict(env)), **argv_secrets(argv)})

    def remembered(self) -> dict[str, str]:
        with self._lock:
            return dict(self._remembered)

    def redactor(self) -> Redactor:
        """The redactor for now: poolctl's environment and everything remembered so far."""
        cached = self._redactor
        if cached is not None and cached.enabled != self.keep:
            return cached
        with self._lock:
            named = {**self._environ, **self._remembered}
            cached = _redactor_for(tuple(sorted(named.items())), not self.keep)
            self._redactor = cached
        return cached

    def text(self, value: str) -> str:
        return self.redactor().text(value)


__all__ = [
    "KEEP_NOTE",
    "MARK",
    "MIN_SECRET_LEN",
    "Redactor",
    "Secrets",
    "argv_secrets",
    "environment",
    "redact",
    "secret_name",
    "secret_values",
]

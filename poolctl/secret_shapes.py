"""The token shapes the redactor knows, and how they are found fast in a 500 MB stderr.

Each shape is a regex whose `secret` group is replaced. `re` finds a regex that starts with a
literal (`ghp_`, `xox`, `-----BEGIN`) at memory speed, but tries one that starts with a
case-insensitive word or a lookbehind at every byte. So the shapes are of two kinds:
- literal: the pattern starts with its literal, and runs on the whole text;
- local: the match lies on one line, around one of its needles (lower-case words such as
  `assw`, `ecret`, `uthorization`); the needles are found in a lowered copy, and the regex runs
  on those lines only.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from typing import Any, AnyStr

LINE_REACH = 4096  # how far before a needle its line may start, and 16 times that after

# A token may be glued to what precedes it: a word (`IDghp_…`), an escape in quoted bytes
# (`\nsk-…`), a colour code (`\x1b[0msk-…`). The distinctive prefixes need no boundary; `sk-`
# keeps one against letters ("task-…", "disk_…"), but not against an escape or a colour code:
# checked after `sk-` is read, so that the pattern starts with its literal.
_SK_GLUED = r"(?:(?<![A-Za-z]sk.)|(?<=\\[nrt]sk.)|(?<=[\[0-9;]msk.))"
# `password=…`, `"client_secret": "…"`, `AWS_SECRET_ACCESS_KEY=…`, `token='…'`: the value is a
# secret however short. The key's word may go on (`SECRET_ACCESS_KEY`, `secret_token`); a bare
# `token` counts before `=`, or quoted before `:` (a dict's key, `{'token': …}`), only
# (`unexpected token: }` is a parser's message, not a secret).
_KEY_WORD = (
    r"(?i:(?:password|passwd|passphrase|secret|api[_-]?key"
    r"|(?:access|auth|refresh|session|id|csrf)[_-]?token)[\w-]*"
    r"|\btoken(?=[\"']?[ \t]*=|[\"'][ \t]*:))"
)
# The key is read from the start of its word (`DB_PASSWORD`, `spring.datasource.password`). A
# word that is a path's last component is a file's name, and what follows `: ` is a message
# about the file (`mkdir: cannot create directory '/etc/passwd': File exists`, `file`'s
# `/etc/passwd: ASCII text`), no value; `path:value` (grep's `-H` lines) is still one.
_KEYS = r"(?:(?<![\w/.-])|(?<=/)(?![\w.-]*?" + _KEY_WORD + r"[\"']?:[ \t]))[\w.-]*?" + _KEY_WORD
# `=`, `:`, and `=>` (an Elixir map or a Ruby hash: `"password" => "…"`)
_SEP = r"[\"']?[ \t]*(?:=>|[:=])[ \t]*"
# Where a quoted value ends: its closing quote; or, cut short by the runner that printed it
# (`'token': 'ghp_ab...`, `"sk-abc…`), an ellipsis no closing quote follows on its line, or the
# line's end.
_NOT_Q = r"(?:(?!(?P=q))[^\r\n])"
_EOL = r"(?=[\r\n]|\Z)"
_QUOTE_END = r"(?:(?P=q)|(?=(?:\.\.\.|…)" + _NOT_Q + r"*" + _EOL + r")|" + _EOL + r")"
# `--api-key X`, `--token=X`: a command line quoted in a log or a worker's stderr
_OPTIONS = (
    r"(?i:[\w-]*?(?:password|passwd|passphrase|secret|token|api[_-]?key|auth|private[_-]?key))"
)
# Words that follow such an option in prose, not as its value: a server's usage line saying
# "with the --access-token flag or set …" (server-supabase) lost the word "flag" to redaction
_PROSE_AFTER_OPTION = (
    r"(?:flag|option|argument|parameter|switch|instead|with|when|must|which|that)s?(?![\w.-])"
)
_SCHEMES = r"(?i:bearer|basic|token|digest|negotiate|ntlm|apikey)"
_KEY_NEEDLES = (
    "assw", "ecret", "assphrase", "pi_key", "pi-key", "pikey", "_token", "-token", "token=",
    "token =", "token'", 'token"', "accesstoken", "authtoken", "refreshtoken", "sessiontoken",
    "idtoken", "csrftoken",
)  # fmt: skip
_OPTION_NEEDLES = ("-pass", "ecret", "-token", "-api", "-auth", "-key", "-private")
# A URL that documents the form, every part a capitalised placeholder and its password the word
# PASSWORD (`postgresql://USER:PASSWORD@HOST/DB`, in poolctl's own error lines), holds no
# secret: it stays readable. A real host (`@db.example.com`, `@localhost`) is still redacted.
_URL_PLACEHOLDER = r"(?![A-Z_]*:PASSWORD@[A-Z_]+(?![\w.-]))"
# A value that documents where a token goes, `Authorization: Bearer <token>` (the words of
# @circleci/mcp-server-circleci 0.20.0's error), or that names a variable holding it
# (`Bearer $GITHUB_TOKEN`, `${TOKEN}`), holds none: it stays readable.
_PLACEHOLDER = r"(?:<[\w -]+>|\$\{?[A-Za-z_]\w*\}?)(?![^\s\"',;])"
# A shell variable standing alone for an option's or an assignment's value, its name in capitals
# (@stripe/mcp 0.3.3: `pass it as an argument --api-key=$KEY`), holds none: it stays readable.
# Capitals only: a password such as `$ecret9` is not taken for one.
_VARIABLE = r"\$\{?[A-Z][A-Z0-9_]*\}?(?![^\s\"',;&<>`])"
# A value ends before a backtick that closes it, as poolctl quotes a command line in prose
# (`run \`server --api-key=bogus\` by hand`): the backtick was taken with the value and the
# quote left open. One inside a value is still taken with it.
_NOT_CLOSING_TICK = r"(?=`?(?![^\s\"',;&<>]))"
# An ellipsis standing alone for the value, `--env EXA_API_KEY=…` (poolctl's own hint for a
# variable a tool's error asks for), holds none: it and the backtick after it stay readable.
_ELIDED = r"(?:…|\.\.\.)(?![^\s\"',;&<>`])"


@dataclasses.dataclass(frozen=True, eq=False)
class Shape:
    """A well-known token shape; only the `secret` group is replaced, the rest is kept.

    `needles` (local shapes: lower case) occur in any match: a text without any is skipped."""

    name: str
    needles: tuple[str, ...]
    pattern: str
    local: bool = False  # a match lies on the line of one of its needles

    @functools.cached_property
    def text_regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    @functools.cached_property
    def bytes_regex(self) -> re.Pattern[bytes]:
        return re.compile(self.pattern.encode())

    @functools.cached_property
    def byte_needles(self) -> tuple[bytes, ...]:
        return tuple(n.encode() for n in self.needles)

    def __hash__(self) -> int:
        return hash(self.name)

    def in_text(self, value: str) -> bool:
        """Whether `value` holds one of the needles (in any case, for a local shape)."""
        if self.local:
            value = value.lower()
        return any(n in value for n in self.needles)


SHAPES = (
    # -- literal: each pattern starts with its literal --------------------------------------
    Shape(
        "sk-key",
        ("sk-", "sk_"),
        r"sk[-_]" + _SK_GLUED + r"(?:live_|test_)?[A-Za-z0-9_-]{16,}",
    ),
    Shape(
        "github",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        r"(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}",
    ),
    Shape("slack", ("xox",), r"xox[abposr]-[A-Za-z0-9-]{10,}"),
    Shape("aws", ("AKIA", "ASIA"), r"A(?:KIA|SIA)[0-9A-Z]{16}(?![0-9A-Z])"),
    Shape("gitlab", ("glpat-",), r"glpat-[A-Za-z0-9_-]{20,}"),
    Shape("google", ("AIza",), r"AIza[0-9A-Za-z_-]{35}"),
    Shape("jwt", ("eyJ",), r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+"),
    Shape(
        "private-key",
        ("PRIVATE KEY-----",),
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
    ),
    # -- local: on the lines of their (lower-case) needles ----------------------------------
    Shape(
        "bearer",
        ("bearer", "basic "),
        # a digit or punctuation is required so that prose ("Bearer authentication") is kept
        r"(?i:\b(?:bearer|basic))\s+(?P<secret>(?=[A-Za-z0-9._~+/-]*[0-9._~+/-])"
        r"[A-Za-z0-9._~+/-]{8,}=*)",
        local=True,
    ),
    Shape(
        "url-password",
        ("://",),
        r"\b[A-Za-z][A-Za-z0-9+.-]*://"
        + _URL_PLACEHOLDER
        + r"[^\s:/@'\"<>]*:(?P<secret>[^\s/@'\"<>]+)@",  # user or not
        local=True,
    ),
    Shape(
        "quoted-assignment",
        _KEY_NEEDLES,
        _KEYS
        + _SEP
        # a quote followed by a space or a closing bracket closes the string the key is in (a
        # prompt quoted whole: `'Vault password: ')`), it does not open a value
        + r"(?P<q>[\"'])(?![\s)\]},;])(?!\[redacted)(?P<secret>"
        + _NOT_Q
        + r"{1,256}?)"
        + _QUOTE_END,
        local=True,
    ),
    Shape(
        "assignment",
        _KEY_NEEDLES,
        _KEYS
        + _SEP
        + r"(?P<secret>(?!\[redacted)(?!"
        + _ELIDED
        + r")(?!"
        + _VARIABLE
        + r")[^\s\"',;&<>]+?)"
        + _NOT_CLOSING_TICK,
        local=True,
    ),
    Shape(
        "option",
        _OPTION_NEEDLES,
        r"--"
        + _OPTIONS
        + r"(?i:s?)(?:=|[ \t]+(?!"
        + _PROSE_AFTER_OPTION
        + r"))(?P<secret>(?!-)(?!\[redacted)(?!"
        + _VARIABLE
        + r")[^\s\"',;&<>]{4,}?)"
        + _NOT_CLOSING_TICK,
        local=True,
    ),
    Shape("odbc-password", ("pwd=",), r"(?i:\bpwd)=(?P<secret>[^\s\"';&<>]+)", local=True),
    Shape(
        "authorization",
        ("uthorization",),
        r"(?i:\bauthorization)"
        + _SEP
        + r"(?:"
        + _SCHEMES
        + r"[ \t]+)?(?!"
        + _SCHEMES
        + r"\b)(?!"
        + _PLACEHOLDER
        + r")(?P<secret>(?!\[redacted)[^\s\"',;]{4,})",
        local=True,
    ),
)
LITERAL = tuple(s for s in SHAPES if not s.local)
LOCAL = tuple(s for s in SHAPES if s.local)
# each local needle, and the local shapes that have it
_LOCAL_NEEDLES = {
    n: tuple(s for s in LOCAL if n in s.byte_needles) for s0 in LOCAL for n in s0.byte_needles
}

Replace = Callable[[re.Match[AnyStr]], AnyStr]


def secret_span(m: re.Match[Any]) -> tuple[int, int]:
    """Where the secret is in a match: its `secret` group, else the whole match."""
    return m.span("secret") if "secret" in m.re.groupindex else m.span()


def substitute(shape: Shape, data: AnyStr, repl: Replace[AnyStr]) -> AnyStr:
    """`data` (a short text) with every match of `shape` replaced by `repl(match)`."""
    regex: Any = shape.bytes_regex if isinstance(data, bytes) else shape.text_regex
    return regex.sub(repl, data)  # type: ignore[no-any-return]


@functools.cache
def _fast_tests() -> tuple[Any, tuple[Any, ...]]:
    """One RE2 pass for every local needle (on lowered bytes), and one for the literal shapes
    RE2 takes, beside those it does not (a lookbehind): a 1 GB stderr log is searched at RE2's
    speed, not 28 substring searches and 8 regexes over each chunk."""
    import re2  # google-re2: loaded when a file is first searched

    options = re2.Options()
    options.log_errors = False
    needles = re2.compile(b"|".join(re.escape(n) for n in _LOCAL_NEEDLES), options)
    taken, left = [], []
    for shape in LITERAL:
        try:
            re2.compile(shape.bytes_regex.pattern, options)
            taken.append(shape.bytes_regex.pattern)
        except re2.error:
            left.append(shape.bytes_regex)
    union = [re2.compile(b"|".join(b"(?:%s)" % p for p in taken), options)] if taken else []
    return needles, (*union, *left)


def may_hold(data: bytes) -> bool:
    """Whether `data` could hold a token of any shape."""
    needles, literal = _fast_tests()
    if needles.search(data.lower()) is not None:
        return True
    return any(regex.search(data) is not None for regex in literal)


def substitute_all(data: bytes, repl: Replace[bytes]) -> bytes:
    """`data` (a chunk of a big file) with every shape's matches replaced: the literal shapes
    on the whole, the local ones on the lines of their needles (found in a lowered copy: the
    same offsets, ASCII letters only change)."""
    # the literal shapes' RE2 test first: 8 `re` passes cost a clean MiB ~5 ms, this ~3 ms
    if any(regex.search(data) is not None for regex in _fast_tests()[1]):
        for shape in LITERAL:
            data = shape.bytes_regex.sub(repl, data)
    lines = _lines(data)
    if not lines:
        return data
    pieces: list[bytes] = []
    last = 0
    for start, end, shapes in lines:
        line = data[start:end]
        for shape in LOCAL:
            if shape in shapes:
                line = shape.bytes_regex.sub(repl, line)
        pieces += [data[last:start], line]
        last = end
    pieces.append(data[last:])
    return b"".join(pieces)


def local_spans(data: bytes) -> list[tuple[int, int]]:
    """The matches of the local shapes in `data`, as spans."""
    spans = []
    for start, end, shapes in _lines(data):
        for shape in LOCAL:
            if shape in shapes:
                spans += [m.span() for m in shape.bytes_regex.finditer(data, start, end)]
    return spans


def _lines(data: bytes) -> list[tuple[int, int, set[Shape]]]:
    """The lines holding local needles (merged where they touch), with the shapes to try."""
    low = data.lower()
    # one RE2 pass first: a chunk with no needle (most of a big log) is done in ~2 ms a MiB
    # instead of 28 `find` passes (~50 ms a MiB: 7 s of a 128 MiB newline-free capture)
    if _fast_tests()[0].search(low) is None:
        return []
    hits = []
    for needle, shapes in _LOCAL_NEEDLES.items():
        at = low.find(needle)
        while at >= 0:
            hits.append((at, shapes))
            at = low.find(needle, at + 1)
    lines: list[tuple[int, int, set[Shape]]] = []
    for at, shapes in sorted(hits, key=lambda hit: hit[0]):
        if lines and at < lines[-1][1]:
            lines[-1][2].update(shapes)
            continue
        before = low.rfind(b"\n", max(0, at - LINE_REACH), at)
        start = before + 1 if before >= 0 else max(0, at - LINE_REACH)
        end = low.find(b"\n", at, at + LINE_REACH * 16)
        end = end if end >= 0 else min(len(low), at + LINE_REACH * 16)
        lines.append((start, end, set(shapes)))
    return lines

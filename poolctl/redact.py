"""Keep API keys and tokens out of everything poolctl prints or writes.

Two kinds of secret are found: the values of environment variables whose names look secret
(a word ending in `KEY`, `TOKEN`, `SECRET`, `PASSWORD`, `CREDENTIAL`, `AUTH`), from poolctl's own
environment and from every worker environment it starts (`remember_env`), replaced by
`[redacted:NAME]`; and well-known token shapes (bearer tokens, `sk-…` keys, GitHub, Slack and
AWS keys, JWTs, passwords inside URLs), replaced by `[redacted]`. `--keep-secrets` turns it
off (`set_keep`), and the report says so.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import re2

# A word of the name ending in one of these: API_KEY, GITHUB_TOKEN, CLIENTSECRET, DB_PASSWORD,
# AWS_CREDENTIALS, BASIC_AUTH; not KEYRING or GIT_AUTHOR_NAME (a word that only starts so).
SECRET_WORD = re.compile(
    r"(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|AUTHORIZATION)S?$",
    re.IGNORECASE,
)
# Shorter values ("1", "true", "dev") are everywhere in a report: redacting them would shred
# the output and protect nothing, so a secret-named variable shorter than this is left alone.
MIN_SECRET_LEN = 6
MARK = "[redacted]"
KEEP_NOTE = (
    "--keep-secrets: secrets were NOT redacted; this output may hold API keys and tokens "
    "from the environment, the workers' output and the logs: do not publish it"
)


@dataclasses.dataclass(frozen=True)
class Shape:
    """A well-known token shape; only the `secret` group is replaced, the rest is kept."""

    name: str
    needles: tuple[str, ...]  # one of these occurs in any match: a cheap test before the regex
    pattern: str


SHAPES = (
    Shape(
        "bearer",
        ("earer", "EARER", "asic ", "ASIC "),
        # a digit or punctuation is required so that prose ("Bearer authentication") is kept
        r"(?i:\b(?:bearer|basic))\s+(?P<secret>(?=[A-Za-z0-9._~+/-]*[0-9._~+/-])"
        r"[A-Za-z0-9._~+/-]{8,}=*)",
    ),
    Shape("sk-key", ("sk-", "sk_"), r"\b(?P<secret>sk[-_](?:live_|test_)?[A-Za-z0-9_-]{16,})"),
    Shape(
        "github",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        r"\b(?P<secret>(?:gh[pousr]_|github_pat_)\w{20,})",
    ),
    Shape("slack", ("xox",), r"\b(?P<secret>xox[abposr]-[A-Za-z0-9-]{10,})"),
    Shape("aws", ("AKIA", "ASIA"), r"\b(?P<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b"),
    Shape("gitlab", ("glpat-",), r"\b(?P<secret>glpat-[A-Za-z0-9_-]{20,})"),
    Shape("google", ("AIza",), r"\b(?P<secret>AIza[0-9A-Za-z_-]{35})"),
    Shape("jwt", ("eyJ",), r"\b(?P<secret>eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+)"),
    Shape(
        "url-password",
        ("://",),
        r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"<>]+:(?P<secret>[^\s/@'\"<>]+)@",
    ),
    Shape(
        "private-key",
        ("PRIVATE KEY-----",),
        r"(?P<secret>-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)",
    ),
)
_TEXT_SHAPES = [(s, re.compile(s.pattern)) for s in SHAPES]
_BYTES_SHAPES = [(s, re.compile(s.pattern.encode())) for s in SHAPES]

T = TypeVar("T")


def secret_name(name: str) -> bool:
    """Whether a variable of this name holds a secret (`OPENAI_API_KEY`, `GH_TOKEN`)."""
    return any(SECRET_WORD.search(word) for word in re.split(r"[^A-Za-z0-9]+", name) if word)


def secret_values(env: Mapping[str, str]) -> dict[str, str]:
    """`{value: name}` of the variables in `env` whose names look secret."""
    found: dict[str, str] = {}
    for name, value in sorted(env.items()):
        if secret_name(name) and len(value.strip()) >= MIN_SECRET_LEN:
            found.setdefault(value, re.sub(r"[^A-Za-z0-9_.-]", "_", name))
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
        needles = sorted({n for s in SHAPES for n in s.needles} | set(self.named), key=len)
        # the same test on RE2 (one linear pass, whatever the text's length): see may_hold_secret
        self._any_fast = re2.compile("|".join(map(re2.escape, needles))) if needles else None
        self._any = re.compile("|".join(map(re.escape, needles)))
        self._any_bytes = re.compile(
            b"|".join(re.escape(n.encode("utf-8", "surrogateescape")) for n in needles)
        )

    # --- text and bytes -------------------------------------------------------------------
    def may_hold_secret(self, value: str) -> bool:
        """False when `value` certainly holds nothing to redact: none of the needles `text`
        starts from is in it (a search by RE2, several times faster on a long clean text)."""
        if not self.enabled or self._any_fast is None:
            return self.enabled
        return self._any_fast.search(value) is not None

    def text(self, value: str) -> str:
        """`value` with every secret replaced (`[redacted:NAME]` or `[redacted]`)."""
        if not self.enabled or not value or self._any.search(value) is None:
            return value
        original = value
        if self._text is not None:
            value = self._text.sub(lambda m: f"[redacted:{self.named[m.group(0)]}]", value)
        for shape, regex in _TEXT_SHAPES:
            if any(n in value for n in shape.needles):
                value = regex.sub(_keep_around(MARK), value)
        return original if value == original else value

    def bytes(self, data: bytes, *, same_length: bool = False) -> bytes:
        """`data` with every secret replaced; `same_length` keeps every byte offset (a framed
        stdout transcript stays decodable: frame lengths still hold)."""
        if not self.enabled or not data or self._any_bytes.search(data) is None:
            return data
        if self._bytes is not None:

            def named(m: re.Match[bytes]) -> bytes:
                mark = f"[redacted:{self._named_bytes[m.group(0)]}]".encode()
                return _fit(mark, len(m.group(0))) if same_length else mark

            data = self._bytes.sub(named, data)
        for shape, regex in _BYTES_SHAPES:
            if any(n.encode() in data for n in shape.needles):
                data = regex.sub(_keep_around_bytes(same_length), data)
        return data

    # --- files ----------------------------------------------------------------------------
    def file(self, path: Path) -> bool:
        """Redact one file in place; `.bin` transcripts keep their length. True if changed."""
        try:
            data = path.read_bytes()
        except OSError:
            return False
        clean = self.bytes(data, same_length=path.suffix == ".bin")
        if clean == data:
            return False
        path.write_bytes(clean)
        return True

    def tree(self, folder: Path) -> list[Path]:
        """Redact every file under `folder` (reports, captured output, trace, stack dumps)."""
        if not self.enabled or not folder.is_dir():
            return []
        return [p for p in sorted(folder.rglob("*")) if p.is_file() and self.file(p)]

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


def _fit(mark: bytes, length: int) -> bytes:
    """`mark` padded with `*` (or cut down to `[redacted]`, or stars) to exactly `length`."""
    for candidate in (mark, MARK.encode()):
        if len(candidate) <= length:
            return candidate + b"*" * (length - len(candidate))
    return b"*" * length


def _keep_around(mark: str) -> Any:
    def sub(m: re.Match[str]) -> str:
        s, e = m.span("secret")
        whole = m.group(0)
        return whole[: s - m.start()] + mark + whole[e - m.start() :]

    return sub


def _keep_around_bytes(same_length: bool) -> Any:
    def sub(m: re.Match[bytes]) -> bytes:
        s, e = m.span("secret")
        whole = m.group(0)
        mark = _fit(MARK.encode(), e - s) if same_length else MARK.encode()
        return whole[: s - m.start()] + mark + whole[e - m.start() :]

    return sub


# --- the process's redactor ----------------------------------------------------------------
_REMEMBERED: dict[str, str] = {}  # secret values of the worker environments started so far
_STATE: dict[str, Any] = {"keep": False, "cached": None, "key": None}


def remember_env(env: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
    """Note the secret-named values of an environment a worker or service is started with."""
    items = env.items() if isinstance(env, Mapping) else env
    for value, name in secret_values(dict(items)).items():
        _REMEMBERED.setdefault(value, name)


def set_keep(keep: bool) -> None:
    """`--keep-secrets`: turn redaction off (True) or on (False) for this process."""
    _STATE["keep"] = keep


def keeping() -> bool:
    """Whether `--keep-secrets` is in effect."""
    return bool(_STATE["keep"])


def active() -> Redactor:
    """The redactor for now: poolctl's environment and every worker environment seen."""
    named = {**secret_values(dict(os.environ)), **_REMEMBERED}
    key = (keeping(), tuple(sorted(named.items())))
    if _STATE["key"] != key:
        _STATE["cached"] = Redactor(named, enabled=not keeping())
        _STATE["key"] = key
    redactor: Redactor = _STATE["cached"]
    return redactor


def redact(text: str) -> str:
    """`text` through the active redactor."""
    return active().text(text)

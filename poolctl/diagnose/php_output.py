"""What a PHP worker prints on stdout without meaning to: its own warnings, shown there while
`display_errors` is on (PHP's CLI shows them on stdout, each after a blank line: `\\nWarning:
Undefined array key "user" in /w/worker.php on line 9\\n`), and the text after a file's closing
`?>` tag (PHP drops one newline right after the tag and prints the rest where the file runs:
a settings file ending `?>` and a blank line prints a newline before the first answer)."""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass
from pathlib import Path

from poolctl.executable import read_head

_PHP = re.compile(r"^php(\d+(\.\d+)?)?(-cli)?$")  # php, php8.2, php-cli
# PHP's display format for an error (html_errors off, as in its CLI)
_WARNING = re.compile(
    rb"^(?:PHP )?(?P<level>Warning|Notice|Deprecated|Fatal error|Parse error|"
    rb"Recoverable fatal error|Strict Standards|User (?:Warning|Notice|Deprecated)):\s+"
    rb"(?P<message>.+?) in (?P<file>\S.*?) on line (?P<line>\d+)\r?$",
    re.MULTILINE,
)
_LOOKED_AT = 200  # PHP files of the script's folder read for a closing tag, at most
_FILE_BYTES = 256 * 1024  # read no more of a file than this


@dataclass(frozen=True)
class PhpWarning:
    text: bytes  # `Warning: Undefined array key "user" in /w/worker.php on line 9`
    level: str  # `Warning`
    file: str
    line: int


def is_php(argv: tuple[str, ...], cwd: str | None) -> bool:
    """Whether the worker's command runs PHP: `php …`, or a script whose `#!` names it."""
    if not argv:
        return False
    if _PHP.match(os.path.basename(argv[0])):
        return True
    head = read_head(str(Path(cwd or ".") / argv[0]), 256)
    words = head[2:].split(b"\n", 1)[0].split() if head.startswith(b"#!") else []
    if words and os.path.basename(words[0]) == b"env":
        words = [w for w in words[1:] if w != b"-S"]
    return bool(words) and _PHP.match(os.path.basename(words[0]).decode("latin-1")) is not None


def php_warning(data: bytes) -> PhpWarning | None:
    """PHP's first error message shown in `data` (the start of a worker's stdout), if any."""
    found = _WARNING.search(data[:16384])
    if found is None:
        return None
    return PhpWarning(
        found.group(0).strip(),
        found["level"].decode(),
        found["file"].decode("utf-8", "replace"),
        int(found["line"]),
    )


WARNING_FIX_START = "PHP shows its errors on stdout while `display_errors` is on"
CLOSING_TAG_FIX_START = "Leave out the closing `?>` at the end of files that hold only PHP"


def warning_fix(warning: PhpWarning) -> str:
    return (
        f"{WARNING_FIX_START} (a development "
        f"php.ini, `ini_set('display_errors', '1')`, `php -d display_errors=1`): show them on "
        f"stderr with `ini_set('display_errors', 'stderr')` (or `php -d "
        f"display_errors=stderr`), or log them instead (`display_errors=0`, `log_errors=1`); "
        f"and mend what the {warning.level.lower()} says, at {warning.file} line {warning.line}."
    )


def closing_tags(argv: tuple[str, ...], cwd: str | None) -> list[str]:
    """The PHP files of the worker's script folder that print text after their last `?>`
    (whitespace past the one newline PHP drops): those print it wherever they run."""
    script = _script(argv, cwd) if is_php(argv, cwd) else None
    if script is None:
        return []
    found = []
    for path in [script, *sorted(script.parent.glob("*.php"))[:_LOOKED_AT]]:
        if path in found or not path.is_file():
            continue
        text = read_head(str(path), _FILE_BYTES)
        end = text.rfind(b"?>")
        if end < 0 or len(text) == _FILE_BYTES:
            continue
        after = text[end + 2 :]
        after = after.removeprefix(b"\r\n") if after.startswith(b"\r\n") else after
        after = after.removeprefix(b"\n")
        if after and not after.strip():  # no more PHP nor HTML after the tag: stray spaces
            found.append(path)
    return [str(p) for p in found]


def _named(files: list[str]) -> str:
    """The first three files, and how many more."""
    return ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")


def closing_tag_fix(files: list[str]) -> str:
    named = _named(files)
    return (
        f"{CLOSING_TAG_FIX_START} ({named}): PHP "
        "prints what follows the tag (here a blank line or spaces, past the one newline it "
        "drops) where the file runs, before the worker's first message."
    )


BOM_FIX_START = "Save the PHP file(s) as UTF-8 without a byte order mark"


def bom_files(argv: tuple[str, ...], cwd: str | None) -> list[str]:
    """The PHP files of the worker's script folder that begin with a UTF-8 byte order mark:
    PHP prints the three bytes before `<?php` as text wherever the file runs."""
    script = _script(argv, cwd) if is_php(argv, cwd) else None
    if script is None:
        return []
    paths = [script, *sorted(script.parent.glob("*.php"))[:_LOOKED_AT]]
    found = {str(p) for p in paths if p.is_file() and read_head(str(p), 3) == codecs.BOM_UTF8}
    return sorted(found, key=lambda p: (p != str(script), p))  # the script first


def bom_fix(files: list[str]) -> str:
    named = _named(files)
    return (
        f"{BOM_FIX_START} ({named}): PHP prints the three bytes before `<?php` to stdout as "
        "text (an editor's 'UTF-8 with BOM'; `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE` takes "
        "them off)."
    )


def _script(argv: tuple[str, ...], cwd: str | None) -> Path | None:
    """The PHP script the worker runs: the first `.php` argument, or argv[0] run by `#!`."""
    base = Path(cwd or ".")
    if not argv:
        return None
    if not _PHP.match(os.path.basename(argv[0])):
        return base / argv[0]
    named = next((a for a in argv[1:] if a.endswith(".php")), None)
    return base / named if named is not None else None

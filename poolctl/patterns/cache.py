"""Compiled pattern files kept on disk between runs, so that a command reads the knowledge base
without validating it again.

Checking a pattern file against its schema builds the schema's pydantic models, and deriving
each regex's required literals comes on top: about a fifth of a second, and 7 MB, at every
start, for files that rarely change between two runs. A compiled `Pattern` is pickled under a
key made of the file's path and bytes and of poolctl's own loader code, so that an edited file,
or another poolctl, compiles afresh; the entry of the file's previous content is removed then.

The folder is `$POOLCTL_CACHE_DIR` (empty: no cache), else `$XDG_CACHE_HOME/poolctl`, else
`~/.cache/poolctl`, made private. A pickle runs code when it is read, so a folder owned by
someone else or writable by others is not used. Any problem with the cache only means compiling
again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

CACHE_ENV = "POOLCTL_CACHE_DIR"
# the modules whose code shapes a compiled pattern: a change to any of them is a new key
_CODE = ("loader.py", "shared.py", "regex.py", "schema.py", "cache.py")


def folder() -> Path | None:
    """The cache folder, or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "poolctl"


@functools.cache
def _code_key() -> bytes:
    digest = hashlib.sha256(sys.version.encode())
    here = Path(__file__).resolve().parent
    for name in _CODE:
        digest.update((here / name).read_bytes())
    return digest.digest()


def _entry(root: Path, path: str, content: bytes) -> tuple[str, Path]:
    """The prefix every entry of `path` shares, and the entry of this content."""
    prefix = "pattern-" + hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    key = hashlib.sha256(_code_key() + content).hexdigest()[:32]
    return prefix, root / f"{prefix}-{key}.pickle"


def _private(root: Path) -> bool:
    """Owned by this user and writable by no one else."""
    info = root.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def get(path: str, content: bytes) -> object | None:
    """The compiled pattern an earlier run kept for `path` with this `content`, or None."""
    root = folder()
    if root is None:
        return None
    try:
        if not _private(root):
            return None
        _, entry = _entry(root, path, content)
        found: object = pickle.loads(entry.read_bytes())
        return found
    except Exception:  # missing, unreadable, truncated or from another version: compile again
        return None


def put(path: str, content: bytes, pattern: object) -> None:
    """Keep `pattern` for the next run, in place of the entry of an earlier content of `path`."""
    root = folder()
    if root is None:
        return
    with contextlib.suppress(Exception):
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(root):
            return
        prefix, entry = _entry(root, path, content)
        for old in root.glob(f"{prefix}-*.pickle"):
            with contextlib.suppress(OSError):
                old.unlink()
        fd, temp = tempfile.mkstemp(dir=root, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump(pattern, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, entry)  # readers see the whole entry or none
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)

"""The language of the worker `doctor` checks, from its resolved command (its Target): a Python
interpreter named directly or on its `#!` line, else the launchers and interpreters
poolctl/languages.py knows, with how a worker in that language flushes each frame."""

from __future__ import annotations

from poolctl.languages import (
    GENERIC_FLUSH,
    PYTHON,
    Language,
    binary_language,
    flush_remedy,
    language_named,
    launched_language,
)

from .target import Target, shebang_of

__all__ = ["GENERIC_FLUSH", "PYTHON", "Language", "flush_remedy", "worker_language"]


def worker_language(target: Target) -> Language | None:
    """The worker's language when its command or its launcher names it, else None (a shell
    script, a binary)."""
    if target.python is not None:
        return PYTHON
    if (launched := launched_language(target.spec.argv, target.cwd)) is not None:
        return launched  # `npx -y PKG`, `uv run x.py`, `bundle exec rackup`
    if (built := binary_language(target.head)) is not None:
        return built  # a Go binary
    named = [target.program]  # `perl w.pl`; else the `#!` line's program (`./w.pl`)
    named += (shebang_of(target.head) or [])[:1]
    found = language_named(named)
    return found if found is not PYTHON else None  # Python is told by target.python alone

"""A server started through `npx` whose package npx was still fetching when the answer was due:
`npx -y PKG`, PKG not in npx's cache (`~/.npm/_npx`, or `$npm_config_cache/_npx`), downloads and
installs it before it starts the server's command, and on a fresh cache (a CI machine, a
container) that takes seconds: `npx -y @modelcontextprotocol/server-sequential-thinking` took
7.3 s here against ping's 5 s timeout. Its one process was npm's, no child of it running: the
server had not started. It was called stuck in initialization for want of a CPU."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from poolctl.model import Evidence

if TYPE_CHECKING:
    from .observe import Observations

# npx's options that take a value (`-p PKG`, `--package PKG`, `-c CMD`, `--call CMD`)
_WITH_VALUE = frozenset({"-p", "--package", "-c", "--call", "--cache", "--registry"})


@dataclass(frozen=True)
class NpxFetch:
    """npm's process `pid`, the package it fetches, where it looked, and when (seconds after
    the worker started) the package reached npx's cache, if it did."""

    pid: int
    comm: str
    package: str
    cache: str
    cached_after: float | None

    def said(self) -> str:
        where = (
            f"npx put it in its cache {self.cached_after:.1f} s after the worker started"
            if self.cached_after is not None
            else f"it is still not in npx's cache ({self.cache})"
        )
        return (
            f"it is npx fetching the package {self.package}: pid {self.pid} ({self.comm}) ran "
            f"no process of the server when the answer was due, and {where}"
        )

    def evidence(self) -> Evidence:
        return Evidence(
            f"pid {self.pid} ({self.comm}) with no child process; {self.package} "
            + (
                f"installed in {self.cache} {self.cached_after:.1f} s after the worker started"
                if self.cached_after is not None
                else f"not in {self.cache}"
            ),
            f"/proc, {self.cache}",
            "npx had not started the server: it was getting its package",
        )

    def fix(self, measured: str) -> str:
        return (
            f"Install {self.package} before the pool starts it (`npm install -g {self.package}`, "
            "then its own command as the worker's), or fill npx's cache once with the same "
            "command before the run; or raise the init timeout "
            f"{measured}: npx downloads the package again on every fresh cache."
        )


def npx_fetching(obs: Observations) -> NpxFetch | None:
    """Whether the worker is npx (or `npm exec`) that had not started its package's command
    when the answer was due, the package new to its cache; None otherwise."""
    live = obs.live
    leader = live.leader if live is not None else None
    if live is None or leader is None:
        return None
    if [p for p in live.processes if p.state != "Z"] != [leader]:  # its server runs
        return None
    spec = obs.worker.spec
    package = _package(list(spec.argv))
    if package is None:
        return None
    if spec.cwd and Path(spec.cwd, "node_modules", _name(package), "package.json").is_file():
        return None  # the project's own install, which npx runs without fetching
    env = spec.environment()
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    cache = Path(env.get("npm_config_cache") or env.get("NPM_CONFIG_CACHE") or home / ".npm")
    cache /= "_npx"
    started = time.time() - obs.worker.elapsed()  # the worker's start, on the wall clock
    found = [m for m in cache.glob(f"*/node_modules/{_name(package)}/package.json") if m.is_file()]
    if any(_mtime(m) < started for m in found):  # there before it started: no fetch
        return None
    cached_after = min(_mtime(m) for m in found) - started if found else None
    return NpxFetch(leader.pid, leader.comm, package, str(cache), cached_after)


def _package(argv: list[str]) -> str | None:
    """The package `npx [OPTIONS] PKG …` or `npm exec [OPTIONS] -- PKG …` runs; None for
    another command."""
    program = Path(argv[0]).name if argv else ""
    if program == "npx":
        rest = argv[1:]
    elif program == "npm" and len(argv) > 1 and argv[1] in ("exec", "x"):
        rest = argv[2:]
    else:
        return None
    for i, arg in enumerate(rest):
        if arg.startswith("--package="):
            return arg.split("=", 1)[1]
        if arg in ("-p", "--package") and i + 1 < len(rest):
            return rest[i + 1]
    skip = False
    for arg in rest:
        if skip:
            skip = False
        elif arg in _WITH_VALUE:
            skip = True
        elif arg != "--" and not arg.startswith("-"):
            return arg
    return None


def _name(package: str) -> str:
    """`@scope/name@1.2` -> `@scope/name`; `name@latest` -> `name`."""
    at = package.find("@", 1)
    return package[:at] if at > 0 else package


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0

"""Python stack dumps of a live worker with py-spy, and where they say the worker is.

py-spy reads another process's memory without running code in it, so it works on a worker
that is stuck in an import or a `sleep` (it needs ptrace rights: root, or the same user with
`kernel.yama.ptrace_scope` 0). Anything else gets a `NoStack` with the reason.
"""

from __future__ import annotations

import contextlib
import json
import linecache
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from poolctl.children import Children
from poolctl.errors import PoolctlError

IMPORT_FRAMES = ("_find_and_load", "_find_and_load_unlocked")
_IMPORT_STMT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\b|import\s+([\w.]+))")


@dataclass(frozen=True)
class Frame:
    """One Python frame."""

    function: str
    filename: str
    line: int

    @property
    def frozen(self) -> bool:
        return self.filename.startswith("<")

    def source(self) -> str:
        """The source line the frame is at, when the file can be read."""
        if self.frozen:
            return ""
        return linecache.getline(self.filename, self.line).strip()

    def location(self, cwd: str | None = None) -> str:
        return f"{short_path(self.filename, cwd)}:{self.line}"


@dataclass(frozen=True)
class ThreadStack:
    """One thread's stack, innermost frame first."""

    os_thread_id: int | None
    name: str | None
    active: bool
    frames: tuple[Frame, ...]


@dataclass(frozen=True)
class PyStack:
    """A py-spy dump of one process."""

    pid: int
    threads: tuple[ThreadStack, ...]

    @property
    def main(self) -> ThreadStack | None:
        for t in self.threads:
            if t.os_thread_id == self.pid:
                return t
        return self.threads[0] if self.threads else None

    def text(self, cwd: str | None = None) -> str:
        """The dump as a human reads it: threads, frames, source lines."""
        out = [f"Python stack of pid {self.pid} (py-spy dump):"]
        for t in self.threads:
            label = f"Thread {t.os_thread_id} ({'active' if t.active else 'idle'})"
            out.append(label + (f" {t.name}" if t.name else ""))
            for f in t.frames:
                out.append(f"    {f.function} ({f.location(cwd)})")
                src = f.source()
                if src:
                    out.append(f"        {src}")
        return "\n".join(out)


NOT_PYTHON = "not a Python process"


@dataclass(frozen=True)
class NoStack:
    """No Python stack could be taken, and why."""

    pid: int
    reason: str


@dataclass(frozen=True)
class Whereabouts:
    """Where a thread is, in words: inside an import, or at a source line."""

    summary: str
    importing: str | None  # the module whose import is running
    location: str  # file:line of the innermost frame


def short_path(path: str, cwd: str | None = None) -> str:
    """`path` from its package root (`pkg/mod.py`, as py-spy shows it), else relative to
    `cwd` (or the current directory) when it lies below it, else as is."""
    if path.startswith("<"):
        return path
    folder = Path(path).parent
    if (folder / "__init__.py").exists():
        root = folder
        while (root.parent / "__init__.py").exists() and root.parent != root:
            root = root.parent
        return os.path.relpath(path, root.parent)
    for base in (cwd, os.getcwd()):
        if base:
            rel = os.path.relpath(path, base)
            if not rel.startswith(".."):
                return rel
    return path


def py_spy_path() -> str | None:
    """py-spy next to this interpreter (a venv need not be on PATH), else on PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    if beside.exists():
        return str(beside)
    return shutil.which("py-spy")


def dump(pid: int, timeout: float = 3.0, children: Children | None = None) -> PyStack | NoStack:
    """The Python stacks of `pid`, or why they could not be taken; py-spy runs as one of the
    run's `children`."""
    tool = py_spy_path()
    if tool is None:
        return NoStack(pid, "py-spy is not installed (pip install py-spy)")
    children = children if children is not None else Children()
    argv = [tool, "dump", "--json", "--full-filenames", "--pid", str(pid)]
    try:
        proc = children.spawn(
            argv,
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except (OSError, PoolctlError) as exc:
        return NoStack(pid, f"py-spy could not run: {exc}")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return NoStack(pid, f"py-spy did not finish within {timeout:g} s")
    finally:
        children.forget(proc)
    done = subprocess.CompletedProcess(
        argv, proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    )
    if done.returncode != 0:
        first = next((ln for ln in done.stderr.splitlines() if ln.strip()), "no output")
        if "Failed to find python version" in first:
            return NoStack(pid, f"{NOT_PYTHON} (py-spy found no interpreter in it)")
        return NoStack(pid, f"py-spy: {first.removeprefix('Error: ')}")
    try:
        return parse_dump(pid, json.loads(done.stdout))
    except (ValueError, KeyError, TypeError) as exc:
        return NoStack(pid, f"py-spy printed something unexpected ({exc})")


def parse_dump(pid: int, data: object) -> PyStack:
    """Read `py-spy dump --json` output."""
    threads = []
    for t in data if isinstance(data, list) else []:
        frames = tuple(
            Frame(str(f["name"]), str(f["filename"]), int(f["line"])) for f in t["frames"]
        )
        threads.append(
            ThreadStack(t.get("os_thread_id"), t.get("thread_name"), bool(t.get("active")), frames)
        )
    return PyStack(pid, tuple(threads))


def whereabouts(stack: ThreadStack, cwd: str | None = None) -> Whereabouts | None:
    """Say where a thread is: `inside import X (file:line)` or `in func (file:line): source`."""
    frames = [f for f in stack.frames]
    if not frames:
        return None
    user = [f for f in frames if not f.frozen]
    inner = user[0] if user else frames[0]
    at = f"{inner.location(cwd)} in `{inner.function}`"
    src = inner.source()
    loaders = [i for i, f in enumerate(frames) if f.function in IMPORT_FRAMES and f.frozen]
    if loaders:
        outer = max(loaders)
        importer = frames[outer + 1] if outer + 1 < len(frames) else None
        module = None
        if importer is not None:
            match = _IMPORT_STMT.match(importer.source())
            if match:
                module = match.group(1) or match.group(2)
        if module is None:
            mods = [f for f in frames[:outer] if f.function == "<module>" and not f.frozen]
            if mods:
                module = Path(mods[-1].filename).stem
        if module:
            by = f", imported at {importer.location(cwd)}" if importer is not None else ""
            return Whereabouts(f"inside `import {module}` ({at}{by})", module, inner.location(cwd))
    return Whereabouts(f"in {at}" + (f": `{src}`" if src else ""), None, inner.location(cwd))


def commonest(places: list[Whereabouts]) -> tuple[Whereabouts, int] | None:
    """The place most of `places` (stack samples, oldest first) found a thread, and in how many:
    one dump may catch a quick import on its way to the slow one. Samples inside the same
    import, or at the same line, count as one place; a tie goes to the later place, where the
    start-up had got to. The summary is the latest sample's of that place."""
    counts: dict[str, int] = {}
    latest: dict[str, Whereabouts] = {}
    for place in places:
        key = place.importing or place.location
        counts[key] = counts.get(key, 0) + 1
        latest.pop(key, None)  # re-inserted last: dict order is then "last seen"
        latest[key] = place
    if not counts:
        return None
    best = max(reversed(latest), key=lambda k: counts[k])  # max keeps the first of a tie
    return latest[best], counts[best]

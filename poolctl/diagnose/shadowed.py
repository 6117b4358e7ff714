"""A Python worker whose import of an installed package found another module of that name first
on its `sys.path`: a `mcp.py` in the directory `python -m mcp_server_fetch` is started from
(`-m` and `-c` put the working directory first, a script its own directory, PYTHONPATH comes
next). Its error names the name, not the file: `ModuleNotFoundError: No module named
'mcp.server'; 'mcp' is not a package`, or `ImportError: cannot import name 'X' from 'mcp'
(/work/mcp.py)`. Read as a dependency's release mismatch, the fix was to install another release
of a package that was never imported."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from poolctl.model import Evidence
from poolctl.worker_types import WorkerSpec

# `No module named 'mcp.server'`, and with `; 'mcp' is not a package` when a plain module hid it
_NO_SUBMODULE = re.compile(
    r"^ModuleNotFoundError: No module named '(?P<module>(?P<top>\w+)\.[\w.]+)'.*", re.M
)
_FROM_FILE = re.compile(
    r"^ImportError: cannot import name '(?P<name>\w+)' from '(?P<module>[\w.]+)' "
    r"\((?P<file>[^)]+\.py)\)",
    re.M,
)
_INSTALLED = ("site-packages", "dist-packages")


@dataclass(frozen=True)
class Shadowed:
    """The module that took an installed package's name, and where it sits on `sys.path`."""

    top: str  # the package's name (`mcp`)
    wanted: str  # what the worker imported (`mcp.server`, `Server from mcp`)
    file: str  # the module that was imported instead
    place: str  # why its directory comes first (`its working directory: ...`)
    line: str  # the error, as it said it

    def why(self) -> str:
        return (
            f"`{self.top}` was imported from {self.file} (in {self.place}), which hides the "
            f"installed `{self.top}` package: that file has no {self.wanted}"
        )

    def fix(self) -> str:
        path = Path(self.file)
        shown = path.parent if path.name == "__init__.py" else path  # a package: its folder
        return (
            f"Rename or move {shown} (its name, {shown.name}, hides the installed `{self.top}` "
            "package from the worker), or start the worker from another directory: no release "
            "of the package needs changing."
        )

    def evidence(self) -> Evidence:
        return Evidence(
            self.file, self.place, f"a module named `{self.top}`, found before the installed one"
        )


def shadowed_module(stderr: str, spec: WorkerSpec) -> Shadowed | None:
    """The module that hid an installed package from the worker, when its import error and the
    directories first on its `sys.path` show it (None otherwise)."""
    last = None
    for m in _NO_SUBMODULE.finditer(stderr):
        last = m
    if last is not None:
        top = last["top"]
        for folder, place in _first_on_path(spec):
            package = folder / top / "__init__.py"  # a regular package; a bare folder is none
            for candidate in (folder / f"{top}.py", package, *sorted(folder.glob(f"{top}.*.so"))):
                if candidate.is_file() and not _installed(folder, candidate):
                    return Shadowed(top, f"module {last['module']}", str(candidate), place,
                                    last.group(0))  # fmt: skip
        return None
    found = None
    for m in _FROM_FILE.finditer(stderr):
        found = m
    if found is None:
        return None
    file = Path(found["file"])
    top = found["module"].split(".")[0]
    named = file.stem == top or (file.stem == "__init__" and file.parent.name == top)
    if not named or any(part in _INSTALLED for part in file.parts):
        return None
    folder = file.parent if file.stem == top else file.parent.parent
    place = next((p for f, p in _first_on_path(spec) if f == folder), str(folder))
    return Shadowed(top, f"`{found['name']}`", str(file), place, found.group(0))


def _installed(folder: Path, file: Path) -> bool:
    """Whether `file` is a distribution's, installed in `folder` (a site directory on
    PYTHONPATH): the package itself, not what hides it."""
    if any(part in _INSTALLED for part in folder.parts):
        return True
    relative = file.relative_to(folder).as_posix()
    try:
        found = metadata.distributions(path=[str(folder)])
        return any(p.as_posix() == relative for d in found for p in d.files or ())
    except (OSError, ValueError):
        return False


def _first_on_path(spec: WorkerSpec) -> list[tuple[Path, str]]:
    """The directories Python puts on `sys.path` before the installed packages, for the
    worker's command, each with why it is there."""
    env = spec.environment()
    cwd = Path(spec.cwd or os.getcwd())
    argv = list(spec.argv)
    if not argv:
        return []
    found: list[tuple[Path, str]] = []
    program = Path(argv[0]).name
    safe = bool(env.get("PYTHONSAFEPATH"))
    if program.startswith("python"):
        rest = argv[1:]
        flags = [a for a in rest if a.startswith("-")]
        if "-P" in flags or "-I" in flags or safe:
            pass  # no directory of its own is put first
        elif any(a in ("-m", "-c") or a.startswith(("-m", "-c")) for a in flags[:4]):
            found.append((cwd, f"its working directory {cwd}, first on sys.path with -m or -c"))
        else:
            script = next((a for a in rest if not a.startswith("-")), None)
            if script is not None:
                path = (cwd / script).resolve().parent
                found.append((path, f"the directory of its script, {path}, first on sys.path"))
    elif not safe:  # a console script: its own directory comes first
        where = shutil.which(argv[0], path=env.get("PATH")) if "/" not in argv[0] else argv[0]
        if where is not None:
            path = (cwd / where).parent
            found.append((path, f"the directory of its script, {path}, first on sys.path"))
    for entry in (env.get("PYTHONPATH") or "").split(os.pathsep):
        if entry:
            path = cwd / entry
            found.append((path, f"a PYTHONPATH entry, {path}, before the installed packages"))
    return found

"""A virtualenv beside the worker that its command does not use: the newcomer's worker installed
in the project's `.venv`, started as `my-worker` or `python3 -m my_worker` from a shell where the
virtualenv is not activated. Its console script is then on no PATH, and the Python the command
names has no such module. Found on disk (a folder with a `pyvenv.cfg` in the worker's folder or
one of its parents), the fix names the virtualenv's own program or interpreter."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# what marks a project's root folder: the search goes no higher (a shared /tmp beside a clone
# held another project's virtualenv, which a fix named)
PROJECT_ROOT = (".git", "pyproject.toml", "setup.py", "setup.cfg")
SHARED = ("/", "/tmp", "/var/tmp", "/dev/shm")  # and the temporary folder: never searched


def virtualenvs(cwd: str | None) -> Iterator[Path]:
    """The virtualenvs in the worker's folder and in each of its parents up to its project's
    root (or the home folder, or below a shared temporary folder), nearest first."""
    start = Path(cwd or ".").resolve()
    home = Path.home()
    shared = {Path(tempfile.gettempdir()).resolve(), *map(Path, SHARED)}
    for folder in (start, *start.parents):
        if folder in shared:  # anyone's scratch virtualenvs, none the worker's project's
            return
        try:
            children = sorted(folder.iterdir())
        except OSError:
            continue
        for child in children:
            if (child / "pyvenv.cfg").is_file():
                yield child
        if folder == home or any((folder / marker).exists() for marker in PROJECT_ROOT):
            return


def program_in_venv(program: str, cwd: str | None) -> Path | None:
    """The program `program` (a name, not a path) in a virtualenv near the worker's folder."""
    if "/" in program:
        return None
    for venv in virtualenvs(cwd):
        found = venv / "bin" / program
        if found.is_file() and os.access(found, os.X_OK):
            return found
    return None


def python_with_module(module: str, cwd: str | None) -> Path | None:
    """The interpreter of a virtualenv near the worker's folder whose site-packages hold
    `module`'s top-level package (installed, or an editable install's `.pth` folder)."""
    top = module.split(".")[0]
    for venv in virtualenvs(cwd):
        for site in venv.glob("lib/python3*/site-packages"):
            if any(_holds(folder, top) for folder in (site, *_pth_folders(site))):
                python = venv / "bin" / "python"
                return python if python.exists() else None
    return None


def _holds(folder: Path, top: str) -> bool:
    return (folder / top).is_dir() or (folder / f"{top}.py").is_file()


def _pth_folders(site: Path) -> list[Path]:
    """The folders the `.pth` files of `site` add to the path (an editable install's source)."""
    folders = []
    for pth in site.glob("*.pth"):
        try:
            lines = pth.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        folders += [Path(ln.strip()) for ln in lines if ln.strip().startswith("/")]
    return folders


def not_activated(found: Path, cwd: str | None) -> str:
    """The words naming `found` (in a virtualenv near the worker) as what to start, relative to
    the worker's folder when it lies under it."""
    try:
        shown = "./" + str(found.relative_to(Path(cwd or ".").resolve()))
    except ValueError:
        shown = str(found)
    return shown


def venv_program_hint(program: str, cwd: str | None) -> str:
    """' (./.venv/bin/my-worker is there, in a virtualenv not activated: …)' for a program found
    on no PATH that a virtualenv near the worker holds, else ''."""
    found = program_in_venv(program, cwd)
    if found is None:
        return ""
    return (
        f" ({not_activated(found, cwd)} is there, in the virtualenv {found.parent.parent}, which "
        "is not activated: give that path, or activate the virtualenv where poolctl runs)"
    )

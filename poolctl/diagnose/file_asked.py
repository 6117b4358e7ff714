"""A server that exits asking for a file to be put in a folder it names:
@gongrzhe/server-gmail-autoauth-mcp 1.1.11 with no OAuth client file throws `Error: OAuth keys
file not found. Please place gcp-oauth.keys.json in current directory or /root/.gmail-mcp`. The
current directory is the one it was started in (the worker's cwd); each folder named is looked at
once it has exited."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence

_PLACE = re.compile(
    r"\b(?:place|put|copy|save|add) (?:a |the |your )?[`'\"]?(?P<file>[\w.-]+\.[A-Za-z]\w*)[`'\"]? "
    r"(?:in|into|at|under) (?P<where>[^;\n]+?)\.?\s*$",
    re.I,
)
_HERE = re.compile(r"^(?:the )?(?:current|working|current working) (?:directory|folder|dir)$", re.I)


@dataclass(frozen=True)
class FileAsked:
    file: str
    folders: tuple[str, ...]  # as it names them, the current one as the worker's cwd
    said: str

    def why(self) -> str:
        places = " or ".join(self.folders)
        return f"it asks for {self.file} in {places}, and none of them holds it"

    def fix(self) -> str:
        places = " or in ".join(self.folders)
        return (
            f"Place {self.file} in {places}, as it asks (`{self.said}`): it exits at start-up "
            "without it (in a pool, the worker's `cwd` is the folder it works in)."
        )

    def evidence(self) -> Evidence:
        looked = ", ".join(str(Path(f, self.file)) for f in self.folders)
        return Evidence(f"not there: {looked}", "the file system", "looked at once it had exited")


def file_asked(exc: str, cwd: str | None) -> FileAsked | None:
    """The file `exc` asks to be placed, and the folders it names, when none of them holds it."""
    found = _PLACE.search(exc)
    if found is None:
        return None
    here = cwd or os.getcwd()
    folders = []
    for place in re.split(r",\s*(?:or\s+)?|\s+or\s+", found["where"]):
        place = place.strip().strip("`'\"")
        folder = here if _HERE.match(place) else place
        if not folder.startswith(("/", "~")) and folder != here:
            return None  # words, not a folder
        folders.append(folder)
    file = found["file"]
    if not folders or any(Path(os.path.expanduser(f), file).exists() for f in folders):
        return None
    return FileAsked(file, tuple(folders), exc.removeprefix("Error: "))

"""A Node server that exits on a file call its stderr shows failing with ENOENT, and which of
the paths that call named is not there, looked at once it has exited:
@gongrzhe/server-gmail-autoauth-mcp 1.1.11, finding gcp-oauth.keys.json in the folder it works
in, copies it into ~/.gmail-mcp, a folder it does not create, and logs `Error loading
credentials: Error: ENOENT: no such file or directory, copyfile '<cwd>/gcp-oauth.keys.json' ->
'<HOME>/.gmail-mcp/gcp-oauth.keys.json'` before it exits with code 1: the file is there, the
folder it copies it to is not."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence

_ENOENT = re.compile(
    r"^.*\bENOENT: no such file or directory, (?P<call>\w+) '(?P<path>[^'\n]+)'"
    r"(?: -> '(?P<dest>[^'\n]+)')?.*$",
    re.M,
)


@dataclass(frozen=True)
class NodeEnoent:
    line: str
    call: str
    missing: str  # the path that is not there
    folder: str  # its folder, when that is what is missing; "" when the folder is there

    def why(self) -> str:
        if self.folder:
            return (
                f", after its `{self.call}` failed with ENOENT: the folder of {self.missing}, "
                f"{self.folder}, does not exist"
            )
        return f", after its `{self.call}` failed with ENOENT: {self.missing} does not exist"

    def fix(self) -> str:
        if self.folder:
            return (
                f"Create {self.folder} (`mkdir -p {self.folder}`) before it starts: it writes "
                f"{self.missing} there and does not create the folder (`{self.line}`)."
            )
        return (
            f"Give it {self.missing}, which its `{self.call}` found missing (`{self.line}`), or "
            "point it at the file where it is."
        )

    def evidence(self, origin: str) -> Evidence:
        return Evidence(self.line, origin, "the file call that failed, its paths looked at after")


def node_enoent(stderr: str, cwd: str | None) -> NodeEnoent | None:
    """The last file call on `stderr` that failed with ENOENT, and what of it is missing now;
    None when there is none, or each path it named is there (it may have been made since)."""
    found = list(_ENOENT.finditer(stderr))
    if not found:
        return None
    m = found[-1]
    line = m.group(0).strip()[:300]
    base = Path(cwd or os.getcwd())
    for path in (m["path"], m["dest"]) if m["dest"] else (m["path"],):
        where = base / path
        if where.exists():
            continue
        # a destination (copyfile's, rename's) is written: its folder is what must be there
        written = path == m["dest"] and not where.parent.exists()
        return NodeEnoent(line, m["call"], path, str(Path(path).parent) if written else "")
    return None

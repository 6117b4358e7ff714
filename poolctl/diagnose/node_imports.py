"""A Node server that dies on an ES module import naming a file without its extension: Node's
ES module loader takes the path as written, while CommonJS and bundlers add `.js`. The error
names the path it looked for (`Cannot find module '…/sdk/dist/esm/server/mcp' imported from
…/dist/index.js`: heroku-mcp-server 1.2.8 imports `@modelcontextprotocol/sdk/server/mcp`, which
the SDK's exports map to that path); the file system shows the file beside it with `.js`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from poolctl.model import Evidence

_NOT_FOUND = re.compile(r"Cannot find module '(?P<module>/[^']+)' imported from (?P<importer>\S+)")
_EXTENSIONS = (".js", ".mjs", ".cjs")


@dataclass(frozen=True)
class Unextended:
    """The import that named a file without its extension, and the file that is there."""

    module: str
    importer: str
    found: str

    def why(self) -> str:
        return (
            f"`{self.module}` is not there, `{self.found}` is: the import leaves out the "
            "file's extension, which Node's ES module loader does not add"
        )

    def fix(self) -> str:
        return (
            f"Its own code ({self.importer}) imports a module that Node resolves to "
            f"`{self.module}`, without `{self.ext}`, and Node runs ES modules only with the file "
            "named whole: a fault of this release of the server, not of how it is started. Use a "
            "release whose imports name the file, or report it to its authors."
        )

    @property
    def ext(self) -> str:
        return self.found[len(self.module) :]

    def evidence(self) -> Evidence:
        return Evidence(
            f"{self.found} exists; {self.module} does not",
            "the file system",
            "the module it looked for, and the file beside it",
        )


def extensionless_import(exc: str) -> Unextended | None:
    """The import behind a `Cannot find module '/path' imported from …` error, when the path is
    missing and a file of the same name with a JavaScript extension is there."""
    m = _NOT_FOUND.search(exc)
    if m is None or os.path.exists(m["module"]):
        return None
    for ext in _EXTENSIONS:
        if os.path.isfile(m["module"] + ext):
            return Unextended(m["module"], m["importer"], m["module"] + ext)
    return None

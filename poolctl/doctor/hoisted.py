"""A file a Node server looks for inside its own package's node_modules, which npm's hoisting
moved up a level. @cucumber/language-server 1.7.0's bin loads its parsers from
`<its package>/node_modules/@cucumber/language-service/dist/*.wasm`; a default (hoisted) npm
install puts @cucumber/language-service beside it, so it logs `Failed to load …/java.wasm:
ENOENT` nine times as it starts, and answers without them (no step definitions read). Installed
with `npm install --install-strategy=nested` it finds them, and starts silent (tried here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from poolctl.model import Evidence

# `<A>/node_modules/<package>/node_modules/<dependency>/<rest>`, either name scoped or not
_NESTED = re.compile(
    r"(?P<above>/[^\s'\"]*?)/node_modules/(?P<package>(?:@[\w.-]+/)?[\w.-]+)"
    r"/node_modules/(?P<dependency>(?:@[\w.-]+/)?[\w.-]+)(?P<rest>/[^\s'\":,]*)"
)


@dataclass(frozen=True)
class Hoisted:
    """A path an error line names, not there, and where the same file is."""

    line: str
    missing: str
    found: str
    package: str
    dependency: str

    def why(self) -> str:
        return (
            f"; it looks for {self.missing}, which is not there, while {self.found} is: npm "
            f"hoisted {self.dependency} out of {self.package}'s own node_modules, where the "
            "server looks for it"
        )

    def fix(self) -> str:
        return (
            f"Install {self.package} with its dependencies nested, where it looks for them: "
            f"`npm install --install-strategy=nested {self.package}`"
        )

    def evidence(self, origin: str) -> list[Evidence]:
        return [
            Evidence(self.line.strip(), origin, "the error it logs as it starts"),
            Evidence(self.found, "the file system", f"the file, where npm put {self.dependency}"),
        ]


def hoisted(lines: list[str]) -> Hoisted | None:
    """The first error line naming a file under a package's own node_modules that is not there,
    whose hoisted place holds it (None: no such line)."""
    for line in lines:
        for found in _NESTED.finditer(line):
            missing = found.group(0)
            moved = f"{found['above']}/node_modules/{found['dependency']}{found['rest']}"
            if not Path(missing).exists() and Path(moved).exists():
                return Hoisted(line, missing, moved, found["package"], found["dependency"])
    return None

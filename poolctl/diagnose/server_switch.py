"""A program that is a language server only when told so, started without its switch: it does
its other work (a checker's run over the current project) and exits. pylyzer without `--server`
exits with code 1 saying `No entry file found in the current project`; `zuban` without its
`server` subcommand prints its usage and exits with code 2; `biome` without `lsp-proxy` prints
its usage on stdout and exits with code 0. Their help names the switch, in an entry whose words
say it starts a language server (`--server  start the Language Server`, `server  Starts an LSP
server`, `lsp-proxy  … forwards Language Server Protocol messages …`); the switch is read there,
never guessed."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from poolctl.model import Evidence
from poolctl.worker_types import WorkerSpec

from .transport_help import read_help

SPEAK_LSP = "`poolctl ping --protocol lsp`; in a pool, `worker.protocol: lsp`"

# an entry of a help: an option or a subcommand, a gap of two spaces or more, its description
# (a subcommand's placeholder may follow its name: fish-lsp's `start [options]  start the lsp`)
_ENTRY = re.compile(
    r"^\s{1,16}(?P<name>--?[A-Za-z][\w-]*|[a-z][\w-]*)(?:[,/|]\s*\S+)*"
    r"(?: (?:\[[^\]\n]+\]|<[^>\n]+>))*\s{2,}(?P<said>\S.*)$"
)
# what the description of a language server's switch says it does: start or run one (fish-lsp's
# `env  generate environment variables for lsp configuration` names the protocol, and no server;
# biome's `lsp-proxy` forwards LSP's messages to its daemon, its `start` starts the daemon alone;
# postgrestools' `lsp-proxy` `Acts as a server for the Language Server Protocol`)
_SERVES = re.compile(
    r"\b(?:(?:start|run|launch|serve|forward)s?|acts? as an? server)\b.{0,40}?"
    r"\b(?:language[ -]server|lsp)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Switch:
    """The option or subcommand its help names as the language server's, and where it was
    read."""

    name: str  # `--server`, `server`
    said: str  # the help's entry for it, stripped
    where: str  # `its usage on stderr`, or `its \`--help\` (\`pylyzer --help\`)`
    origin: str  # the file or command the words came from

    def clause(self) -> str:
        kind = "option" if self.name.startswith("-") else "subcommand"
        return (
            f"; it was started without its {kind} `{self.name}`, which {self.where} names as "
            f"starting a language server (`{self.said}`)"
        )

    def fix(self, spec: WorkerSpec, lsp: bool = True) -> str:
        argv = shlex.join([*spec.argv, self.name])
        speak = "" if lsp else f" and speak lsp to it ({SPEAK_LSP})"
        return (
            f"Start it with `{self.name}` (`{argv}`){speak}, as {self.where} says: without it, "
            "it is not a language server and does not serve on its stdin and stdout. Whether "
            "it serves with it is untested: no fresh process was started so."
        )

    def evidence(self) -> Evidence:
        return Evidence(self.said, self.origin, "the entry of its help naming the language server")


def named_switch(text: str, argv: tuple[str, ...]) -> tuple[str, str] | None:
    """The entry of a help `text` whose description says it starts a language server, its
    name not already in `argv`: (name, the entry's line stripped)."""
    for line in text.splitlines():
        entry = _ENTRY.match(line)
        if entry is None or not _SERVES.search(entry["said"]):
            continue
        if entry["name"] in argv[1:] or entry["name"].lower() in ("help", "-h", "--help"):
            return None  # given already: the switch is not what it lacks
        return entry["name"], re.sub(r"\s{2,}", "  ", line.strip())
    return None


def server_switch(
    spec: WorkerSpec,
    usages: list[tuple[str, str, str]],
    may_run: bool,
    kept: dict[tuple[str, ...], str] | None = None,
) -> Switch | None:
    """The language server's switch it was started without: from the usage it printed
    (`usages`: its text, `its usage on stderr` or `… on stdout`, the file it is in), else
    (when `may_run`: experiments allowed) from its `--help`, run once (`read_help`, `kept`)."""
    for text, where, origin in usages:
        if (found := named_switch(text, spec.argv)) is not None:
            return Switch(*found, where, origin)
    if not may_run:
        return None
    command = shlex.join([*spec.argv, "--help"])
    found = named_switch(read_help(spec, kept), spec.argv)
    if found is None:
        return None
    return Switch(*found, f"its `--help` (`{command}`)", f"`{command}`")

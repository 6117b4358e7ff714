"""A server whose command line lacks what its own error names: a subcommand (@cloudflare/
mcp-server-cloudflare 0.2.0 started bare throws `Error: Unknown command: undefined. Expected
'init' or 'run'.`, JavaScript's `undefined` for the argument it did not get) or an argument its
usage shows (`run` alone: `Error: Missing account ID. Usage: npx @cloudflare/mcp-server-cloudflare
run [account_id]`). Either is read from the exception line, whatever logged it."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from poolctl.model import Evidence

_UNKNOWN = re.compile(
    r"\bUnknown (?:sub)?command:? [`'\"]?(?P<given>[^\s`'\".]*)[`'\"]?\.? Expected (?P<choices>"
    r"[`'\"][\w-]+[`'\"](?:, [`'\"][\w-]+[`'\"])*(?:,? or [`'\"][\w-]+[`'\"])?)",
    re.I,
)
_CHOICE = re.compile(r"[`'\"]([\w-]+)[`'\"]")
_MISSING = re.compile(r"\bMissing (?P<what>[\w -]{1,40}?)\.? Usage: (?P<usage>[^\n]+?)\s*$", re.I)


@dataclass(frozen=True)
class CommandLack:
    """What the command line (`argv`) lacks, in the server's words."""

    argv: str
    why_text: str
    fix_text: str

    def why(self) -> str:
        return self.why_text

    def fix(self) -> str:
        return self.fix_text

    def evidence(self) -> Evidence:
        return Evidence(self.argv, "the worker's command", "the command line it was started with")


def command_lack(exc: str, argv: Sequence[str]) -> CommandLack | None:
    """What the exception line says the command line lacks, or None."""
    found = _UNKNOWN.search(exc)
    if found is not None:
        choices = _CHOICE.findall(found["choices"])
        named = " or ".join(f"`{c}`" for c in choices)
        given = found["given"]
        got = (
            "it was started with no subcommand (`undefined`: JavaScript's word for an argument "
            "not given)"
            if given in ("undefined", "null", "")
            else f"its subcommand `{given}` is none it knows"
        )
        return CommandLack(
            shlex.join(argv),
            f"{got}, and it expects {named}",
            f"Start it with the subcommand it expects ({named}) after its command (after `--`; "
            "in a pool, in the worker's `command`): its README says which one serves on its "
            "stdin and stdout (untested here).",
        )
    found = _MISSING.search(exc)
    if found is not None:
        usage = found["usage"].rstrip(".")
        return CommandLack(
            shlex.join(argv),
            f"its command line lacks its {found['what']}, which its usage puts there (`{usage}`)",
            f"Give it its {found['what']} on its command line as its usage shows (`{usage}`; "
            "in a pool, in the worker's `command`).",
        )
    return None

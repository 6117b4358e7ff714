"""What a worker whose argument parser refused its command line is told to do: an argument the
parser does not take is dropped (argparse's `unrecognized arguments: --stdio`, as
robotframework_ls and esbonio, which serve on stdio by default, refuse the switch; clap's
`Found argument '--stdio' which wasn't expected` or `unexpected argument '--stdio' found`;
commander's `unknown option '--stdio'`; click's `No such option: --stdio`; bpaf's
`` `--stdio` is not expected in this context``; xflags' ``unexpected flag: `--stdio` ``, as
rust-analyzer, which serves on stdio with no switch, refuses it); anything else it asks for is
given. A required argument whose choices the usage shows with `stdio` among them is given that:
excel-mcp-server 2.2.2 without its transport, `usage: excel-mcp-server [-h] [--version]
{stdio,streamable-http} ...` and `error: the following arguments are required: transport`."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

# the arguments the parser names as not its own
_UNTAKEN = re.compile(
    r"unrecognized arguments?: (?P<argparse>[^\n]+?)\s*$"
    r"|Found argument '(?P<clap>[^'\n]+)' which wasn't expected"
    r"|unexpected argument '(?P<clap4>[^'\n]+)' found"
    r"|unknown option '(?P<commander>[^'\n]+)'"
    r"|No such option: (?P<click>[^\s.]+)"
    r"|`(?P<bpaf>[^`\n]+)` is not expected in this context"
    r"|^unexpected (?:flag|argument): `(?P<xflags>[^`\n]+)`",
    re.I,
)
# argparse's usage line's choices of a positional or subcommand, `{stdio,streamable-http}`
_CHOICES = re.compile(r"\{(?P<choices>[\w-]+(?:,[\w-]+)+)\}")
_USAGE_LINE = re.compile(r"^usage: [^\n]*(?:\n[ \t]+[^\n]*)*", re.M)


def refusal_fix(error: str, stderr: str = "", argv: Sequence[str] = ()) -> str:
    """The remediation for the parser's `error` line (`stderr`, all it wrote, holds its usage;
    `argv` is the command it refused)."""
    found = _UNTAKEN.search(error)
    if found is None and (choices := _stdio_among(error, stderr)) is not None:
        command = shlex.join([*argv, "stdio"]) if argv else "… stdio"
        return (
            f"Start it with `stdio` (`{command}`): its parser requires an argument (`{error}`) "
            f"whose choices its usage shows as {{{choices}}}, and `stdio` is the one that names "
            "the stdin and stdout a pool talks over. Whether it serves so is untested: no fresh "
            "process was started so."
        )
    if found is None:  # an argument it requires, a value it rejects: its own words say what
        return f"Give it the arguments it asks for (`{error}`); its `--help` lists them."
    untaken = next(group for group in found.groups() if group)
    return (
        f"Drop `{untaken}` from its command line: its parser does not take it (`{error}`); its "
        "`--help` lists what it takes."
    )


def _stdio_among(error: str, stderr: str) -> str | None:
    """The choices, `stdio` among them, of the usage printed with a refusal for a missing
    argument; None otherwise."""
    if "arguments are required" not in error:
        return None
    usage = _USAGE_LINE.search(stderr)
    choices = _CHOICES.findall(usage.group(0)) if usage is not None else []
    return next((c for c in choices if "stdio" in c.split(",")), None)

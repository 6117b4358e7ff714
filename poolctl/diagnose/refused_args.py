"""What a worker whose argument parser refused its command line is told to do: an argument the
parser does not take is dropped (argparse's `unrecognized arguments: --stdio`, as
robotframework_ls and esbonio, which serve on stdio by default, refuse the switch; clap's
`Found argument '--stdio' which wasn't expected` or `unexpected argument '--stdio' found`;
commander's `unknown option '--stdio'`; click's `No such option: --stdio`; bpaf's
`` `--stdio` is not expected in this context``; xflags' ``unexpected flag: `--stdio` ``, as
rust-analyzer, which serves on stdio with no switch, refuses it); anything else it asks for is
given."""

from __future__ import annotations

import re

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


def refusal_fix(error: str) -> str:
    """The remediation for the parser's `error` line."""
    found = _UNTAKEN.search(error)
    if found is None:  # an argument it requires, a value it rejects: its own words say what
        return f"Give it the arguments it asks for (`{error}`); its `--help` lists them."
    untaken = next(group for group in found.groups() if group)
    return (
        f"Drop `{untaken}` from its command line: its parser does not take it (`{error}`); its "
        "`--help` lists what it takes."
    )

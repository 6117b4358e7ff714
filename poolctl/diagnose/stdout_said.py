"""What a worker that exited said of its command line on its stdout rather than its stderr: a
parser's refusal (clap's `error: Found argument '--stdio' which wasn't expected`, as taplo's
WebAssembly build writes it) or its usage (bash-language-server's `Usage:`, the `USAGE:` under
clap's help)."""

from __future__ import annotations

import re
from typing import NamedTuple

from .readings import USAGE_ERROR
from .refused_args import refusal_fix

# a usage line or heading at the start of a line, anywhere in what it wrote (clap's help puts
# its name and summary first)
USAGE_SAID = re.compile(r"^usage:", re.M | re.I)


class Refusal(NamedTuple):
    clause: str  # said after the verdict's exit
    fix: str
    usage: bool  # its usage printed, not a parser's error: a switch or subcommand is missing


def stdout_refusal(pending: bytes) -> Refusal | None:
    """What a worker whose stdout (`pending`) refuses its command line or prints its usage is
    told; None when it says neither."""
    said = pending.decode("utf-8", "replace")
    refused = USAGE_ERROR.search(said)
    if refused is not None:
        line = refused.group(0).strip()
        return Refusal(
            f", refusing its command line on stdout: `{line}`",
            refusal_fix(line),
            usage=False,
        )
    if USAGE_SAID.search(said):
        return Refusal(
            ", after printing its usage to stdout: its command line lacks what it needs",
            "Give it the arguments its usage (quoted) asks for.",
            usage=True,
        )
    return None

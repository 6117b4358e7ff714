"""A tool error that asks for an option of the server's own command line: mcp-server-fetch
2026.10.24 refuses to fetch a loopback or private address with `Start the server with
--allow-private-ips to allow private, loopback and link-local addresses.` The option goes in the
scenario's `worker.command`, not in the tool's arguments. So does chrome-devtools-mcp 1.11.0's,
when another worker of the pool holds the browser profile they share: `The browser is already
running for /root/.cache/chrome-devtools-mcp/chrome-profile. Use --isolated to run multiple
browser instances.`"""

from __future__ import annotations

import re
from collections.abc import Sequence

# `Start the server with --x`, `run it with \`--x\``, `restart mcp-foo with '--x'`
_ASKS = re.compile(
    r"\b(?:re)?(?:start|run|launch)(?:s|ed)?\b[^.;:\n]{0,40}?\bwith\s+[`'\"]?"
    r"(?P<option>--[A-Za-z][\w-]*)",
    re.IGNORECASE,
)
# `Use --x to …`: an option offered for what failed
_OFFERS = re.compile(r"\buse\s+[`'\"]?(?P<option>--[A-Za-z][\w-]*)[`'\"]?\s+to\b", re.IGNORECASE)


def asked_option(error: str, argv: Sequence[str]) -> str:
    """What the finding adds when the error asks the server be started with an option its
    command does not give ("" otherwise)."""
    found = _ASKS.search(error) or _OFFERS.search(error)
    if found is None:
        return ""
    option = found["option"]
    given = re.compile(rf"(?<![\w-]){re.escape(option)}(?![\w-])")
    if any(given.search(arg) for arg in argv[1:]):  # given already (or in a `sh -c` script)
        return ""
    return (
        f"; it asks to be started with `{option}`, which the scenario's `worker.command` does "
        f"not give: add `{option}` to that command (an option of the server, not of the tool)"
    )

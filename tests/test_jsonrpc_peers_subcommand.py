"""A real MCP server started without what its command line needs, saying so in an exception
its own handler logs at DEBUG level and exiting with code 0: @cloudflare/mcp-server-cloudflare
0.2.0 (npm, pinned in the Makefile's NPM_PEERS_ALONE). Its verdict names what is lacking."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, Processes
from tests.test_jsonrpc_peers import WAIT, confirmed, verdict

pytestmark = pytest.mark.slow

CLOUDFLARE = (
    REPO / ".peers/alone/@cloudflare/mcp-server-cloudflare/node_modules/.bin/mcp-server-cloudflare"
)
needs_cloudflare = pytest.mark.skipif(
    not CLOUDFLARE.exists(),
    reason=f"{CLOUDFLARE.relative_to(REPO)} is missing: run `make peers` (npm)",
)


@needs_cloudflare
def test_a_server_started_without_its_subcommand_is_told_the_ones_it_expects(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """Started bare, it logs `[DEBUG …] Uncaught exception: Error: Unknown command: undefined.
    Expected 'init' or 'run'.` and exits with code 0: the line was quoted as the end of its
    stderr, with no exception named, and it was told to run it by hand."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", str(CLOUDFLARE))
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "exited with code 0, after the exception `Error: Unknown command: undefined. Expected "
        "'init' or 'run'.`; it was started with no subcommand (`undefined`: JavaScript's word "
        "for an argument not given), and it expects `init` or `run`"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Start it with the subcommand it expects (`init` or `run`) after its command"
    ), d["remediation"]
    assert "untested" in d["remediation"]


@needs_cloudflare
def test_a_server_whose_usage_names_a_missing_argument_is_told_to_give_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`mcp-server-cloudflare run` logs `… Uncaught exception: Error: Missing account ID.
    Usage: npx @cloudflare/mcp-server-cloudflare run [account_id]` and exits with code 0."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", str(CLOUDFLARE), "run")
    assert confirmed(d) == ["crashed"]
    usage = "npx @cloudflare/mcp-server-cloudflare run [account_id]"
    assert d["cause"].endswith(
        f"; its command line lacks its account ID, which its usage puts there (`{usage}`)"
    ), d["cause"]
    assert d["remediation"] == (
        f"Give it its account ID on its command line as its usage shows (`{usage}`; in a pool, "
        "in the worker's `command`)."
    )

"""A server started with another transport whose `--help` names the value for stdio in a box laid
out to the terminal's width: wcgw 5.6.7 (PyPI, .peers/py-alone, `make peers`) with `--transport
streamable-http` serves HTTP on 127.0.0.1:8765; its typer help shows `--transport
<stdio|streamable-http>`, but at 80 columns (no terminal: its default) the box cut that into
`<stdio|streamable-htt` and `p>` on two lines, so the value was not read and the fix was 'give the
option that selects stdio (`--stdio` for most language servers)', which it does not take. The help
is read at 200 columns: the fix names `--transport stdio`, quoting the help's line without its
box."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

WCGW = REPO / ".peers/py-alone/wcgw/bin/wcgw"
PING = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "15"]


@pytest.mark.skipif(not WCGW.exists(), reason="wcgw is missing: run `make peers`")
def test_the_stdio_value_its_boxed_help_names_is_read(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    code = main([*PING, "--", str(WCGW), "--transport", "streamable-http"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].startswith("The worker serves on 127.0.0.1:8765"), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Start it in stdio mode: give `--transport stdio` in place of `--transport "
        "streamable-http` (its `--help` ("
    ), outcome["remediation"]
    assert (
        "names it: `--transport <stdio|streamable-http> MCP transport to serve [default: stdio]`)"
        in outcome["remediation"]
    ), outcome["remediation"]

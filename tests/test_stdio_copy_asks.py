"""An MCP server that listens on a port unless given `--stdio`, and with it asks for one of two
credentials: figma-developer-mcp 0.13.2 (npm, .peers/alone, `make peers`) started bare serves
HTTP on 127.0.0.1:3333 (printing its configuration to stdout), and with `--stdio` exits saying
`Either FIGMA_API_KEY or FIGMA_OAUTH_TOKEN is required (via CLI argument or .env file)`. The first
was told to drop an option that makes it listen (`--tcp`, `--port`, …), which it was not given,
the second 'Fix what it reports'. Both now name `--stdio` and either variable; with one of them
set the server answers on its stdin and stdout."""

from __future__ import annotations

import json

import pytest

from poolctl.cli import main
from tests.conftest import REPO, Processes

FIGMA = REPO / ".peers/alone/figma-developer-mcp/node_modules/.bin/figma-developer-mcp"
PING = ["ping", "--no-history", "--format", "json", "--protocol", "mcp", "--timeout", "30"]
ASKS = "Either FIGMA_API_KEY or FIGMA_OAUTH_TOKEN is required (via CLI argument or .env file)"
# no usage telemetry sent from a test (it is off this machine's reach anyway)
QUIET = ["--env", "FRAMELINK_TELEMETRY=off"]


def _outcome(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, str]:
    code = main([*PING, *QUIET, *argv])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    return outcome  # type: ignore[no-any-return]


@pytest.mark.skipif(not FIGMA.exists(), reason="figma-developer-mcp is missing: run `make peers`")
def test_listening_unless_told_its_stdio_copy_says_what_it_asks_for(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    outcome = _outcome(capsys, "--", str(FIGMA))
    assert outcome["cause"].startswith("The worker serves on 127.0.0.1:3333"), outcome["cause"]
    assert outcome["cause"].endswith(
        "though no option of its command asked it to listen: it listens unless told otherwise, "
        f"and the same command with `--stdio` exited with code 1 in a fresh process, saying "
        f"`{ASKS}`"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        f"Start it with `--stdio` (`{FIGMA} --stdio`) and set FIGMA_API_KEY or "
        "FIGMA_OAUTH_TOKEN in its environment"
    ), outcome["remediation"]


@pytest.mark.skipif(not FIGMA.exists(), reason="figma-developer-mcp is missing: run `make peers`")
def test_either_variable_it_asks_for_is_enough(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    outcome = _outcome(capsys, "--", str(FIGMA), "--stdio")
    assert outcome["cause"].endswith(
        f"`{ASKS}`: it asks for either environment variable FIGMA_API_KEY or FIGMA_OAUTH_TOKEN"
    ), outcome["cause"]
    assert outcome["remediation"].startswith(
        "Set FIGMA_API_KEY or FIGMA_OAUTH_TOKEN in its environment (`--env NAME=VALUE`; in a "
        "pool, the worker's `env`): it exits at start-up without either, as it says."
    ), outcome["remediation"]
    # one of them, as the fix says: it answers (the key is checked only by Figma's service)
    code = main(
        [*PING, *QUIET, "--env", "FIGMA_OAUTH_TOKEN=not-a-token", "--", str(FIGMA), "--stdio"]
    )
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report


GITLAB = REPO / ".peers/alone/@zereight/mcp-gitlab/node_modules/.bin/mcp-gitlab"


@pytest.mark.skipif(not GITLAB.exists(), reason="@zereight/mcp-gitlab is missing: run `make peers`")
def test_either_variable_said_between_other_words_and_in_colours_is_enough(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """@zereight/mcp-gitlab 2.1.64 with neither exits logging, in pino-pretty's colours on a
    pipe too, `Either set GITLAB_PERSONAL_ACCESS_TOKEN or enable OAuth with GITLAB_USE_OAUTH=true`:
    it was told to set both, its line quoted with its escape sequences."""
    unset = ["--unset-env", "GITLAB_PERSONAL_ACCESS_TOKEN", "--unset-env", "GITLAB_USE_OAUTH"]
    code = main([*PING, *unset, "--", str(GITLAB)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [outcome] = [f["outcome"] for f in report["findings"]]
    assert outcome["cause"].endswith(
        "Either set GITLAB_PERSONAL_ACCESS_TOKEN or enable OAuth with GITLAB_USE_OAUTH=true`: it "
        "asks for either environment variable GITLAB_PERSONAL_ACCESS_TOKEN or GITLAB_USE_OAUTH"
    ), outcome["cause"]
    assert "\x1b" not in outcome["cause"], outcome["cause"]
    assert outcome["remediation"].startswith(
        "Set GITLAB_PERSONAL_ACCESS_TOKEN or GITLAB_USE_OAUTH in its environment"
    ), outcome["remediation"]
    # one of them, as the fix says: it answers (its token is checked only by GitLab's service)
    given = ["--env", "GITLAB_PERSONAL_ACCESS_TOKEN=glpat-not-a-token"]
    code = main([*PING, *given, "--", str(GITLAB)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 0, report

"""Real servers from the registries that need a switch, an argument or a credential to serve on
their pipes, started without it: each is told what it lacks, from its own behaviour."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import socket
import sys
from pathlib import Path

import pytest

from poolctl.diagnose.asks import failure_to_reach
from poolctl.diagnose.crash_lines import exception_line
from poolctl.diagnose.dependency_release import release_mismatch
from poolctl.diagnose.hypotheses.crashed import NO_STDIO_SWITCH_FIX
from poolctl.diagnose.readings import CLICK_USAGE, USAGE_ERROR
from tests.conftest import REPO, Processes
from tests.test_jsonrpc_peers import WAIT, WORKERS, confirmed, ping, verdict
from tests.test_jsonrpc_peers_more import RUFF

pytestmark = pytest.mark.slow

SVELTE = REPO / ".peers/node_modules/.bin/svelteserver"


@pytest.mark.skipif(
    not SVELTE.exists(),
    reason=f"{SVELTE.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_language_server_exiting_silent_without_stdio_is_told_to_add_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """svelte-language-server started without `--stdio` takes Node IPC, and with no IPC
    channel it exits at once with code 0, writing nothing and reading nothing. It was told to
    look for a code path in its start-up that returns early; the same command with `--stdio`,
    in a fresh process, answers initialize."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(SVELTE))
    assert confirmed(d) == ["crashed"]
    assert re.search(
        r"exited with code 0, saying nothing: its stderr log is empty and its stdout too; it "
        r"had not read the request: its \d+ bytes were still in its stdin pipe; it was started "
        r"without `--stdio`, and in a fresh process the same command with `--stdio` answered "
        r"initialize$",
        d["cause"],
    ), d["cause"]
    assert d["remediation"].startswith(f"Start it with `--stdio` (`{SVELTE} --stdio`)")
    [tried] = [e for e in d["evidence"] if e["text"].startswith("with `--stdio` added")]
    assert ": answered in " in tried["text"]
    assert tried["origin"] == "workers/w1-exp-with-stdio.stdout.bin"
    said = {e["note"]: e["text"] for e in d["evidence"]}
    assert said["its stderr log: nothing came there"] == "0 bytes"
    assert said["its stdout: nothing came there"] == "0 bytes"


def test_a_language_server_exiting_silent_with_stdio_too_is_told_to_find_its_switch(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """A server spoken lsp that exits at once with code 0, silent, with `--stdio` added too
    (as `graphql-lsp server`, whose stdio switch is `-m stream`): the experiment is shown, and
    the switch is to be found in its `--help`, not in its start-up's code paths."""
    exits = "import sys; sys.exit(0)"
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", sys.executable, "-c", exits)
    assert confirmed(d) == ["crashed"]
    assert d["remediation"] == NO_STDIO_SWITCH_FIX
    [tried] = [e for e in d["evidence"] if e["text"].startswith("with `--stdio` added")]
    # it exits at once: before the request is written to it, or after (a race either way)
    said = tried["text"].removeprefix("with `--stdio` added to its command: ")
    assert said.startswith(
        ("exited with code 0", "could not write the request (exited with code 0)")
    )


BIN = REPO / ".peers/node_modules/.bin"
# stderr of servers too costly to install for a test, recorded (tests/fixtures/README.md)
RECORDED = REPO / "tests/fixtures/peers"


def needs(name: str) -> pytest.MarkDecorator:
    path = BIN / name
    return pytest.mark.skipif(
        not path.exists(), reason=f"{path.relative_to(REPO)} is missing: run `make peers`"
    )


@needs("mcp-server-slack")
def test_an_mcp_server_asking_for_its_credentials_is_told_to_set_them(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """server-slack without its token exits with code 1 after one line on stderr, no
    exception: it was told to run it by hand and read its stderr."""
    d = verdict(
        capsys,
        "--protocol", "mcp", "--timeout", WAIT,
        "--unset-env", "SLACK_BOT_TOKEN", "--unset-env", "SLACK_TEAM_ID",
        "--", str(BIN / "mcp-server-slack"),
    )  # fmt: skip
    line = "Please set SLACK_BOT_TOKEN and SLACK_TEAM_ID environment variables"
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        f"exited with code 1, saying `{line}`: it asks for environment variables "
        "SLACK_BOT_TOKEN and SLACK_TEAM_ID"
    )
    assert d["remediation"].startswith(
        "Set SLACK_BOT_TOKEN and SLACK_TEAM_ID in its environment (`--env NAME=VALUE`, once "
        "for each; in a pool, the worker's `env`)"
    )
    said = {e["note"]: (e["text"], e["origin"]) for e in d["evidence"]}
    assert said["what it asks for"] == (line, "workers/w1.stderr.log")
    assert said["an empty value counts as not set"] == (
        "not set: SLACK_BOT_TOKEN, SLACK_TEAM_ID",
        "the worker's environment",
    )


@needs("mcp-remote")
def test_a_usage_behind_a_bracketed_tag_is_quoted_and_its_arguments_asked_for(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """mcp-remote (0.15.1) started without its server's URL writes `[PID] Usage: mcp-remote
    <https://server-url> [callback-port] [--debug]` to stderr and exits with code 1: its usage
    was not read behind the tag, and it was told to run it by hand and read its stderr."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", str(BIN / "mcp-remote"))
    usage = "Usage: mcp-remote <https://server-url> [callback-port] [--debug]"
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(f"exited with code 1, after printing its usage to stderr: `{usage}`")
    assert d["remediation"].startswith(f"Give it the arguments its usage asks for (`{usage}`)")
    said = {e["note"]: e["text"] for e in d["evidence"]}
    assert said["the usage it printed"] == usage


@needs("mcp-server-brave-search")
def test_an_mcp_server_whose_error_asks_for_a_key_is_told_to_set_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """server-brave-search throws `Error: BRAVE_API_KEY environment variable is required`:
    it was told to fix the error it reports."""
    d = verdict(
        capsys,
        "--protocol", "mcp", "--timeout", WAIT, "--env", "BRAVE_API_KEY=",
        "--", str(BIN / "mcp-server-brave-search"),
    )  # fmt: skip
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "after the exception `Error: BRAVE_API_KEY environment variable is required`: it asks "
        "for environment variable BRAVE_API_KEY"
    )
    # given empty on purpose: "Set BRAVE_API_KEY in its environment" read as if it was not
    assert d["remediation"].startswith(
        "Give BRAVE_API_KEY a value (`--env NAME=VALUE`; in a pool, the worker's `env`): "
        "BRAVE_API_KEY was given empty, which counts as not set"
    )
    texts = [e["text"] for e in d["evidence"]]
    assert texts.count("Error: BRAVE_API_KEY environment variable is required") == 1
    assert "given empty: BRAVE_API_KEY" in texts


@needs("mcp-server-postgres")
def test_an_mcp_server_asking_for_an_argument_is_told_to_give_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """server-postgres without its database URL says so on stderr and exits with code 1."""
    d = verdict(
        capsys, "--protocol", "mcp", "--timeout", WAIT, "--", str(BIN / "mcp-server-postgres")
    )
    line = "Please provide a database URL as a command-line argument"
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        f"exited with code 1, saying `{line}`: it asks for a command-line argument"
    )
    assert d["remediation"].startswith(f"Give it the command-line argument it asks for (`{line}`)")


def test_a_server_asking_for_a_variable_it_was_given_is_told_to_check_its_value(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """Set, and refused all the same: the value is what to check, not its absence."""
    says = "import sys; print('Please set DEMO_TOKEN environment variable', file=sys.stderr)"
    d = verdict(
        capsys,
        "--protocol", "mcp", "--timeout", WAIT, "--env", "DEMO_TOKEN=wrong-but-set",
        "--", sys.executable, "-c", f"{says}; sys.exit(1)",
    )  # fmt: skip
    assert d["cause"].endswith(
        "exited with code 1, saying `Please set DEMO_TOKEN environment variable`: it asks for "
        "environment variable DEMO_TOKEN (set in its environment: DEMO_TOKEN)"
    )
    assert d["remediation"].startswith("Check the value of DEMO_TOKEN in its environment")


def test_a_variable_given_empty_is_named_so_beside_one_not_set(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`--env NAME=` is the empty value given on purpose: it counts as not set, and the fix
    said "Set NAME in its environment", as if the user had not given it at all."""
    line = "Please set DEMO_TOKEN and DEMO_TEAM environment variables"
    says = f"import sys; print({line!r}, file=sys.stderr)"
    d = verdict(
        capsys,
        "--protocol", "mcp", "--timeout", WAIT, "--env", "DEMO_TOKEN=", "--unset-env", "DEMO_TEAM",
        "--", sys.executable, "-c", f"{says}; sys.exit(1)",
    )  # fmt: skip
    assert d["remediation"] == (
        "Set DEMO_TEAM in its environment and give DEMO_TOKEN a value (`--env NAME=VALUE`, once "
        "for each; in a pool, the worker's `env`): DEMO_TOKEN was given empty, which counts as "
        "not set: it exits at start-up without them, as it says."
    )
    said = {e["text"]: (e["origin"], e["note"]) for e in d["evidence"]}
    assert said["not set: DEMO_TEAM"][0] == "the worker's environment"
    assert said["given empty: DEMO_TOKEN"][0] == "--env or the worker's `env`"


def test_the_line_asking_for_a_token_is_quoted_whole_not_redacted(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """server-gitlab 2025.4.25 says `GITLAB_PERSONAL_ACCESS_TOKEN environment variable is not
    set`: quoted after the variable's name and a colon, the quote read as that secret's value
    and was redacted (`…TOKEN: [redacted] environment variable is not set``)."""
    says = "import sys; print('DEMO_ACCESS_TOKEN environment variable is not set', file=sys.stderr)"
    d = verdict(
        capsys, "--protocol", "mcp", "--timeout", WAIT,
        "--", sys.executable, "-c", f"{says}; sys.exit(1)",
    )  # fmt: skip
    assert d["cause"].endswith(
        "exited with code 1, saying `DEMO_ACCESS_TOKEN environment variable is not set`: it "
        "asks for environment variable DEMO_ACCESS_TOKEN"
    )


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@needs("mcp-server-redis")
def test_a_server_retrying_a_refused_connection_is_told_what_it_cannot_reach(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """server-redis connects to Redis before it reads a request, retrying for half a minute
    while its stderr says `connect ECONNREFUSED`: it was told to answer the init ping before
    the slow start-up work, or to raise the init timeout. (10 s: a loaded machine's node, given
    0.36 s of CPU in 3.2 s, had printed nothing yet in 3, and nothing was quoted; in a whole
    suite on a slow day, 0.52 s of CPU in 5.3 s, nothing in 5.)"""
    url = f"redis://127.0.0.1:{closed_port()}"
    d = verdict(
        capsys,
        "--protocol", "mcp", "--timeout", "10", "--no-experiments",
        "--", str(BIN / "mcp-server-redis"), url,
    )  # fmt: skip
    line = f"[Redis Error] Error: connect ECONNREFUSED {url.removeprefix('redis://')}"
    assert confirmed(d) == ["stuck-in-init"]
    assert d["cause"].endswith(f"; its stderr reports, as it starts, `{line}`")
    assert d["remediation"].startswith(
        f"Make reachable what it connects to or downloads as it starts (`{line}`)"
    )
    said = {e["note"]: (e["text"], e["origin"]) for e in d["evidence"]}
    note = "the first stderr line saying a connection, a name lookup or a download failed"
    assert said[note] == (line, "workers/w1.stderr.log")


def test_a_failure_to_connect_logged_after_the_timeout_is_still_quoted(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """A worker whose first failed connection comes after its timeout, while poolctl keeps
    waiting for its start-up (as fastembed in mcp-server-qdrant fails to download its model
    3 s into its import): its stderr is read again when the wait ends."""
    port = closed_port()
    retries = (
        "import socket, sys, time\n"
        "time.sleep(2.5)\n"
        "while True:\n"
        "    try:\n"
        f"        socket.create_connection(('127.0.0.1', {port}))\n"
        "    except OSError as e:\n"
        f"        print(f'could not connect to 127.0.0.1:{port}: {{e}}', file=sys.stderr)\n"
        "    time.sleep(0.5)\n"
    )
    d = verdict(capsys, "--protocol", "mcp", "--timeout", "1", "--", sys.executable, "-c", retries)
    line = f"could not connect to 127.0.0.1:{port}: [Errno 111] Connection refused"
    recorded = (RECORDED / "qdrant_no_network.stderr").read_text()
    assert failure_to_reach(recorded) == recorded.splitlines()[0]  # as the server's own is read
    assert confirmed(d) == ["stuck-in-init"]
    assert d["cause"].endswith(f"; its stderr reports, as it starts, `{line}`")


def test_a_switch_refused_by_a_parser_named_with_a_space_is_told_to_be_dropped(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """esbonio 0.16.5 serves on stdio by default; given `--stdio`, its argparse, named `python -m
    esbonio`, refuses it (recorded by tests/fixtures/src/capture_esbonio_stderr.sh). The space
    in the name hid the `error:` line: the verdict was its usage, and the remediation 'Give it
    the arguments its usage asks for'. The same refusal, from argparse itself."""
    refuses = (
        "import argparse\n"
        "parser = argparse.ArgumentParser(prog='python -m esbonio')\n"
        "parser.add_argument('-p', '--port', type=int)\n"
        "parser.parse_args()\n"
    )
    argv = ("--protocol", "lsp", "--timeout", WAIT, "--", sys.executable, "-c", refuses, "--stdio")
    d = verdict(capsys, *argv)
    error = "python -m esbonio: error: unrecognized arguments: --stdio"
    recorded = (RECORDED / "esbonio_given_stdio.stderr").read_text()
    said = USAGE_ERROR.search(recorded)  # the server's own refusal reads as this one's
    assert said is not None and said.group(0) == error
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(f"exited with code 2, refusing its command line: `{error}`")
    assert d["remediation"] == (
        f"Drop `--stdio` from its command line: its parser does not take it (`{error}`); its "
        "`--help` lists what it takes."
    )


RUST_ANALYZER = Path("/usr/bin/rust-analyzer")  # Debian's rust-web-analyzer (.ci/run)


@pytest.mark.skipif(
    not RUST_ANALYZER.exists(),
    reason="rust-analyzer is missing: `apt-get install rust-web-analyzer` (.ci/run does)",
)
def test_a_switch_refused_by_xflags_is_told_to_be_dropped(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """rust-analyzer (Debian 12's 1.96) serves on stdio with no switch; given `--stdio`, as an
    editor starts most language servers, its parser (xflags) writes `unexpected flag:
    `--stdio`` alone on stderr and exits with code 2. The verdict was 'exited with code 2', and
    the remediation to run it by hand and read its stderr."""
    argv = ("--protocol", "lsp", "--cwd", str(tmp_path), "--timeout", WAIT)
    d = verdict(capsys, *argv, "--", str(RUST_ANALYZER), "--stdio")
    error = "unexpected flag: `--stdio`"
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(f"exited with code 2, refusing its command line: `{error}`")
    assert d["remediation"] == (
        f"Drop `--stdio` from its command line: its parser does not take it (`{error}`); its "
        "`--help` lists what it takes."
    )


THEME_LS = (
    REPO / ".peers/alone/@shopify/theme-language-server-node/node_modules/@shopify"
    "/theme-language-server-node"
)


@pytest.mark.skipif(
    not THEME_LS.exists() or shutil.which("node") is None,
    reason=f"{THEME_LS.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_librarys_entry_file_run_as_a_server_is_told_to_call_its_start_function(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """@shopify/theme-language-server-node 2.22.2 has no `bin`: its `main`, dist/index.js,
    defines `startServer` and exports it. `node dist/index.js` exits with code 0 at once,
    silent, and its copy with `--stdio` too: the remediation was to find in its `--help` the
    option that makes it serve on stdio. It names the library and the call that starts it,
    which answers."""
    script = THEME_LS / "dist/index.js"
    argv = ("--protocol", "lsp", "--timeout", WAIT, "--")
    d = verdict(capsys, *argv, "node", str(script))
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "; index.js is the entry of the library @shopify/theme-language-server-node (its "
        "package.json's `main`, with no `bin`): run as a script it only defines its exports "
        "(`startServer`) and exits, starting no server"
    ), d["cause"]
    call = f"require({json.dumps(str(THEME_LS))}).startServer()"
    assert d["remediation"] == (
        f"Call the function it exports to start the server: `node -e {shlex.quote(call)}` "
        "(running index.js only defines it)."
    )
    code, report = ping(capsys, "--protocol", "lsp", "--timeout", "30", "--", "node", "-e", call)
    assert code == 0, report  # the call it names starts the server


def test_a_command_line_click_refused_is_told_so_not_called_an_exception(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """mcp-server-motherduck 1.1.0 started without a database raises click.UsageError; click
    prints its usage, `Try '… --help' for help.` and `Error: …`, and exits with code 2. The
    `Error:` line was quoted as an exception, with 'fix the error it reports'. The same
    refusal, from click itself (mcp's dependencies bring it)."""
    refuses = (
        "import click\n"
        "@click.command()\n"
        "@click.option('--read-write', is_flag=True)\n"
        "def main(read_write):\n"
        "    raise click.UsageError('In-memory databases require the --read-write flag.')\n"
        "main()\n"
    )
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", sys.executable, "-c", refuses)
    error = "Error: In-memory databases require the --read-write flag."
    recorded = (RECORDED / "motherduck_no_database.stderr").read_text()
    said = CLICK_USAGE.search(recorded)  # the server's own refusal reads as this one's
    assert said is not None and said.group(1) == error
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(f"exited with code 2, refusing its command line: `{error}`")
    assert (
        d["remediation"]
        == f"Give it the arguments it asks for (`{error}`); its `--help` lists them."
    )


def test_an_exception_whose_name_is_not_an_error_is_quoted_as_what_ended_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """awslabs.amazon-mq-mcp-server 2.1.1 with no AWS configuration dies on botocore's
    `ProfileNotFound` (recorded): a name that does not end in Error, so the traceback's last
    line was not found, and the worker was said to exit 'with code 1' alone, told to run it by
    hand. The same ending, from a real process."""
    recorded = (RECORDED / "amazon_mq_no_profile.stderr").read_text()
    line = "botocore.exceptions.ProfileNotFound: The config profile (default) could not be found"
    assert exception_line(recorded) == line
    raises = (
        "class ProfileNotFound(Exception): pass\n"
        "raise ProfileNotFound('The config profile (default) could not be found')\n"
    )
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", sys.executable, "-c", raises)
    said = "ProfileNotFound: The config profile (default) could not be found"
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(f"exited with code 1, after the exception `{said}`")
    assert d["remediation"].startswith(f"Fix the error it reports (`{said}`)")


def test_a_server_asking_for_a_step_run_first_is_told_to_run_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """@modelcontextprotocol/server-gdrive with no saved credentials exits with code 1 saying
    'Credentials not found. Please run with 'auth' argument first.' (recorded): it was told to
    run it by hand and read its stderr, which it had. Its words name the step: the same command
    with `auth`. A real process replays the recording (googleapis, 120 MB, is too costly to
    install for the suite)."""
    recording = RECORDED / "gdrive_no_credentials.stderr"
    line = "Credentials not found. Please run with 'auth' argument first."
    assert recording.read_text().strip() == line
    server = [sys.executable, str(WORKERS / "replays_stderr.py"), str(recording), "1"]
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *server)
    assert confirmed(d) == ["crashed"]
    step = shlex.join([*server, "auth"])
    assert d["cause"].endswith(f"exited with code 1, saying `{line}`: it asks for `{step}` first")
    assert d["remediation"].startswith(f"Run `{step}` once first, as it asks (`{line}`)")


NPX_FAILED = {
    "package": (
        "npx_no_such_package.stderr",
        "E404",
        "The requested resource '@modelcontextprotocol/server-memroy@*' could not be found or "
        "you do not have permission to access it.",
        "the registry has no `@modelcontextprotocol/server-memroy@*`, or does not show it to "
        "this user (`npm view @modelcontextprotocol/server-memroy` says whether it is "
        "published, and its versions)",
    ),
    "version": (
        "npx_no_such_version.stderr",
        "ETARGET",
        "No matching version found for @modelcontextprotocol/server-memory@99.0.0.",
        "the registry has no `@modelcontextprotocol/server-memory@99.0.0` (`npm view "
        "@modelcontextprotocol/server-memory` says whether it is published, and its versions)",
    ),
}


@pytest.mark.parametrize("lacking", NPX_FAILED)
def test_a_server_npx_could_not_get_is_told_what_npm_said(
    capsys: pytest.CaptureFixture[str], processes: Processes, lacking: str
) -> None:
    """`npx -y @modelcontextprotocol/server-memroy` (a misspelled name, as in an MCP host's
    configuration) and `npx -y @modelcontextprotocol/server-memory@99.0.0` exit with code 1
    after npm's own error lines (recorded with npm 11.19.1): the verdict was "exited with code
    1", the fix to run it by hand. The server never ran: npm could not get its package. A real
    process replays the recording (the suite reaches no registry)."""
    name, code, said, missing = NPX_FAILED[lacking]
    recording = RECORDED / name
    server = [sys.executable, str(WORKERS / "replays_stderr.py"), str(recording), "1"]
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *server)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        f"exited with code 1, after npm could not get the package it runs (`npm error code "
        f"{code}`: {said}): the server never started"
    ), d["cause"]
    assert d["remediation"] == (
        f"Check the package name and version in the command: {missing}; npx installs the "
        "package before it starts the server."
    ), d["remediation"]
    [npm] = [e for e in d["evidence"] if e["note"] == "npm's own error"]
    assert npm["text"] == f"npm error code {code}: {said}"


def test_a_server_npx_would_not_install_without_asking_is_told_to_add_y(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`npx @modelcontextprotocol/server-brave-search` with no `-y`, its package not in npm's
    cache: npx would ask before installing, has no terminal to ask on (a pool gives none), and
    exits with code 1 (`npm error npx canceled due to missing packages and no YES option:
    [...]`, recorded). The verdict was "exited with code 1"."""
    recording = RECORDED / "npx_no_yes.stderr"
    server = [sys.executable, str(WORKERS / "replays_stderr.py"), str(recording), "1"]
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *server)
    assert confirmed(d) == ["crashed"]
    said = (
        "npm error npx canceled due to missing packages and no YES option: "
        '["@modelcontextprotocol/server-brave-search@0.6.2"]'
    )
    assert d["cause"].endswith(
        f"exited with code 1, after npx would not install the package it runs without asking "
        f"(`{said}`), and it has no terminal to ask on: the server never started"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Start it with `npx -y` (`-y` installs @modelcontextprotocol/server-brave-search@0.6.2 "
        "without asking)"
    ), d["remediation"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_node_server_importing_a_module_without_its_extension_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """heroku-mcp-server 1.2.8 imports `@modelcontextprotocol/sdk/server/mcp`, which the SDK's
    exports map to `dist/esm/server/mcp`, without `.js`: Node's ES module loader does not add
    it, and its main() prints 'Fatal error in main(): Cannot find module …' and exits 1. It was
    told to fix the error and run it by hand. The same import, of a package laid out as the
    SDK is (its `./*` export), by a real node process."""
    sdk = tmp_path / "node_modules/sdk"
    (sdk / "dist/server").mkdir(parents=True)
    exports = {"exports": {"./*": {"import": "./dist/*"}}, "type": "module"}
    (sdk / "package.json").write_text(json.dumps({"name": "sdk", **exports}))
    (sdk / "dist/server/mcp.js").write_text("export const McpServer = 1;\n")
    (tmp_path / "package.json").write_text(json.dumps({"name": "server", "type": "module"}))
    main = tmp_path / "index.js"
    main.write_text(
        'try { await import("sdk/server/mcp"); } catch (error) {\n'
        "  console.error(`Fatal error in main(): ${error.message}`); process.exit(1);\n}\n"
    )
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", "node", str(main))
    assert confirmed(d) == ["crashed"]
    module = sdk / "dist/server/mcp"
    assert d["cause"].endswith(
        f"`{module}` is not there, `{module}.js` is: the import leaves out the file's extension, "
        "which Node's ES module loader does not add"
    )
    assert d["remediation"].startswith(
        f"Its own code ({main}) imports a module that Node resolves to `{module}`, without `.js`"
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_node_server_requiring_what_its_dependencys_release_does_not_export_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """sql-language-server 1.7.1 (package.json: `vscode-languageserver-protocol ^3.15.3`)
    requires `vscode-languageserver-protocol/lib/common/protocol`, which 3.18.5, installed
    beside it, does not export: `Error [ERR_PACKAGE_PATH_NOT_EXPORTED]: Package subpath
    './lib/common/protocol' is not defined by "exports" in …/package.json`. It was told to fix
    the error and run it by hand. The same require, of packages laid out as npm lays them out,
    by a real node process."""
    dep = tmp_path / "node_modules/dep"
    (dep / "lib/common").mkdir(parents=True)
    manifest = {"name": "dep", "version": "3.18.5", "exports": {".": "./main.js"}}
    (dep / "package.json").write_text(json.dumps(manifest))
    (dep / "main.js").write_text("module.exports = {};\n")
    (dep / "lib/common/protocol.js").write_text("module.exports = {};\n")
    server = tmp_path / "srv"
    server.mkdir()
    asks = {"name": "srv", "version": "1.7.1", "dependencies": {"dep": "^3.15.3"}}
    (server / "package.json").write_text(json.dumps(asks))
    (server / "index.js").write_text('require("dep/lib/common/protocol");\n')
    argv = ("--protocol", "lsp", "--timeout", WAIT, "--", "node", str(server / "index.js"))
    d = verdict(capsys, *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "; srv 1.7.1 (its package.json asks `dep ^3.15.3`) imports `./lib/common/protocol` of "
        "dep, which the installed dep 3.18.5 does not export: it was built for another release "
        "of dep"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Install beside it a release of dep that has what it imports, not the 3.18.5 installed"
    )
    [said] = [e for e in d["evidence"] if e["text"].startswith("dep 3.18.5 installed")]
    assert said["text"] == (
        f"dep 3.18.5 installed; srv 1.7.1 asks `dep ^3.15.3`; imported at {server}/index.js:1"
    )
    assert said["origin"] == f"{dep}/package.json, {server}/package.json"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_node_server_importing_an_export_its_dependencys_release_lacks_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """vscode-markdown-language-server (vscode-langservers-extracted 4.10.0) dies on
    `SyntaxError: The requested module 'vscode-uri' does not provide an export named 'default'`:
    vscode-markdown-languageservice 0.5.0-alpha.13, asking `vscode-uri ^3.0.7`, does `import uri
    from 'vscode-uri'`, which works with 3.0.7 (no "exports": the CommonJS module is the
    default) and not with 3.0.8 on (its "exports" send ES imports to a module with no default).
    It was told to fix the error and run it by hand. The same import, of packages laid out as
    npm lays them out, by a real node process."""
    dep = tmp_path / "node_modules/dep"
    dep.mkdir(parents=True)
    exports = {"import": "./esm.mjs", "require": "./umd.js"}
    (dep / "package.json").write_text(
        json.dumps({"name": "dep", "version": "3.1.0", "exports": exports})
    )
    (dep / "esm.mjs").write_text("export const URI = {};\n")
    (dep / "umd.js").write_text("module.exports = { URI: {} };\n")
    server = tmp_path / "srv"
    server.mkdir()
    asks = {"name": "srv", "version": "0.5.0", "type": "module", "dependencies": {"dep": "^3.0.7"}}
    (server / "package.json").write_text(json.dumps(asks))
    (server / "index.js").write_text("// the server\nimport uri from 'dep';\n")
    argv = ("--protocol", "lsp", "--timeout", WAIT, "--", "node", str(server / "index.js"))
    d = verdict(capsys, *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "; srv 0.5.0 (its package.json asks `dep ^3.0.7`) imports the export `default` of dep, "
        "which the installed dep 3.1.0 does not provide: it was built for another release of dep"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Install beside it a release of dep that has what it imports, not the 3.1.0 installed"
    )
    [said] = [e for e in d["evidence"] if e["text"].startswith("dep 3.1.0 installed")]
    assert said["text"] == (
        f"dep 3.1.0 installed; srv 0.5.0 asks `dep ^3.0.7`; imported at {server}/index.js:2"
    )
    assert said["origin"] == f"{dep}/package.json, {server}/package.json"


@needs("vscode-markdown-language-server")
def test_the_markdown_language_server_of_its_release_is_told_its_vscode_uri_release(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """The real one, as `make peers` installs it (vscode-uri 3.1.0 beside it)."""
    argv = ("--", str(BIN / "vscode-markdown-language-server"), "--stdio")
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, *argv)
    assert confirmed(d) == ["crashed"]
    assert (
        "vscode-markdown-languageservice 0.5.0-alpha.13 (its package.json asks `vscode-uri "
        "^3.0.7`) imports the export `default` of vscode-uri, which the installed vscode-uri "
    ) in d["cause"], d["cause"]


def _installed(
    site: Path, name: str, version: str, files: dict[str, str], requires: str = ""
) -> None:
    """A distribution as pip lays it out: its files, and its *.dist-info with METADATA, RECORD."""
    for path, text in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text)
    info = site / f"{name}-{version}.dist-info"
    info.mkdir()
    needs = f"Requires-Dist: {requires}\n" if requires else ""
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{needs}"
    )
    listed = [*files, f"{info.name}/METADATA", f"{info.name}/RECORD"]
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in listed))


# what the dependency's release 2 left of what its release 1 had: nothing (cmake-language-server
# 0.1.11 on pygls 2.1.1), or a module whose error names the pin (awslabs' servers on mcp 2.3.0)
GONE = {
    "name": ("from dep.server import LanguageServer\n", "", ""),
    "module": (
        "from dep.legacy import Server\n",
        "raise ModuleNotFoundError(\"No module named 'dep.legacy'. This is dep 2.x; see the "
        "migration guide or pin 'dep<2' to keep running v1 code.\", name=__name__)\n",
        " (its error says how: `pin 'dep<2' to keep running v1 code`)",
    ),
}


@pytest.mark.parametrize("gone", GONE)
def test_a_python_server_importing_what_its_dependencys_release_lacks_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path, gone: str
) -> None:
    """cmake-language-server 0.1.11 (metadata: `pygls>=1.1.1`) dies on `ImportError: cannot
    import name 'LanguageServer' from 'pygls.server'` with pygls 2.1.1 installed beside it, and
    awslabs.amazon-keyspaces-mcp-server 0.0.15 on mcp 2.3.0's `No module named
    'mcp.server.fastmcp'. This is mcp 2.x, … or pin 'mcp<2' to keep running v1 code.` Both
    were told to fix the error and run them by hand. The releases, from the distributions'
    metadata beside them, say what is wrong; a real process imports the same way from
    distributions laid out as pip lays them out."""
    imports, legacy, advice = GONE[gone]
    site = tmp_path / "site"
    dep = {"dep/__init__.py": "", "dep/server.py": "class Other: pass\n"}
    if legacy:
        dep["dep/legacy.py"] = legacy
    _installed(site, "dep", "2.0.0", dep)
    _installed(site, "srv", "0.1.0", {"srv/__init__.py": imports}, requires="dep>=1.0")
    argv = ("--env", f"PYTHONPATH={site}", "--", sys.executable, "-c", "import srv")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, *argv)
    assert confirmed(d) == ["crashed"]
    lacks = "`LanguageServer` from dep.server" if gone == "name" else "the module dep.legacy"
    assert d["cause"].endswith(
        f"; srv 0.1.0 (its metadata asks `dep>=1.0`) imports {lacks}, which the installed dep "
        "2.0.0 does not have: it was built for another release of dep"
    )
    assert d["remediation"] == (
        f"Install beside it a release of dep that has what it imports, not the 2.0.0 "
        f"installed{advice}, or a release of the server made for dep 2.0.0: the pool's "
        "settings are not the cause."
    )
    [said] = [e for e in d["evidence"] if e["origin"] == f"{site}/*.dist-info"]
    assert said["text"] == (
        f"dep 2.0.0 installed; srv 0.1.0 asks `dep>=1.0`; imported at {site}/srv/__init__.py:1"
    )


# what hides the installed dependency in the directory the worker starts in (first on sys.path
# with -c or -m): a module of its name, or a package folder of its name
SHADOWS = {
    "module": ("dep.py", "; 'dep' is not a package"),
    "package": ("dep/__init__.py", ""),
}


@pytest.mark.parametrize("shadow", SHADOWS)
def test_a_module_hiding_an_installed_dependency_is_named_not_a_release(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path, shadow: str
) -> None:
    """`python -m mcp_server_fetch` (2026.10.24, on mcp 2.3.0) started in a folder holding notes
    in an `mcp.py`: `ModuleNotFoundError: No module named 'mcp.server'; 'mcp' is not a package`.
    The verdict said mcp-server-fetch "imports the module mcp.server, which the installed mcp
    2.3.0 does not have: it was built for another release of mcp", and to install another
    release: mcp 2.3.0 has it, and serves the same command started elsewhere. The file that
    hid it is named, with where it sits on sys.path."""
    file, not_a_package = SHADOWS[shadow]
    site = tmp_path / "site"
    _installed(site, "dep", "2.0.0", DEP_SERVER)
    _installed(site, "srv", "0.1.0", {"srv/__init__.py": "from dep.server import Server\n"},
               requires="dep>=1.0")  # fmt: skip
    work = tmp_path / "work"
    (work / file).parent.mkdir(parents=True)
    (work / file).write_text("# my notes\n")
    argv = ("--cwd", str(work), "--env", f"PYTHONPATH={site}", "--", sys.executable, "-c",
            "import srv")  # fmt: skip
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        f"after the exception `ModuleNotFoundError: No module named 'dep.server'{not_a_package}`"
        f"; `dep` was imported from {work / file} (in its working directory {work}, first on "
        "sys.path with -m or -c), which hides the installed `dep` package: that file has no "
        "module dep.server"
    ), d["cause"]
    shown = work / "dep" if shadow == "package" else work / "dep.py"
    assert d["remediation"].startswith(f"Rename or move {shown} (its name, {shown.name}, hides"), d
    assert "release" not in d["cause"]


def test_a_name_imported_from_a_module_hiding_the_dependency_is_named_not_a_release(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """As above, for `from dep import Server`: Python names the file it imported `dep` from
    (`ImportError: cannot import name 'Server' from 'dep' (/work/dep.py)`), outside the site
    directory the installed dep 2.0.0, which has it, lies in."""
    site = tmp_path / "site"
    _installed(site, "dep", "2.0.0", {"dep/__init__.py": "class Server: pass\n"})
    _installed(site, "srv", "0.1.0", {"srv/__init__.py": "from dep import Server\n"},
               requires="dep>=1.0")  # fmt: skip
    work = tmp_path / "work"
    work.mkdir()
    (work / "dep.py").write_text("# my notes\n")
    argv = ("--cwd", str(work), "--env", f"PYTHONPATH={site}", "--", sys.executable, "-c",
            "import srv")  # fmt: skip
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        f"; `dep` was imported from {work / 'dep.py'} (in its working directory {work}, first "
        "on sys.path with -m or -c), which hides the installed `dep` package: that file has no "
        "`Server`"
    ), d["cause"]
    assert d["remediation"].startswith(f"Rename or move {work / 'dep.py'} (its name, dep.py,"), d


# what the server uses of its dependency's release 1 that release 2 has no more: a method of a
# class it imports (mcp-server-sqlite 2025.4.25's `@server.list_resources()` on mcp 2.3.0's
# `Server`), or a module's attribute
DEP_SERVER = {"dep/__init__.py": "", "dep/server.py": "class Server: pass\n"}
ATTRIBUTE_GONE = {
    "method": (
        "from dep.server import Server\n\nserver = Server()\n\n\n"
        "@server.list_resources()\ndef listed(): ...\n",
        "`list_resources` of `Server` (from dep.server)",
        6,
    ),
    "module": ("import dep.server\n\ndep.server.gone()\n", "`gone` of the module dep.server", 3),
}


@pytest.mark.parametrize("gone", ATTRIBUTE_GONE)
def test_a_python_server_using_what_its_dependencys_release_lacks_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path, gone: str
) -> None:
    """mcp-server-sqlite 2025.4.25 (metadata: `mcp[cli]>=1.6.0`), with the mcp 2.3.0 pip installs
    beside it, dies on `AttributeError: 'Server' object has no attribute 'list_resources'` (its
    stderr: tests/fixtures/peers/sqlite_on_mcp2.stderr): it was told to fix the error and run it
    by hand, though its code is as released and `mcp<2` beside it answers. Distributions laid
    out as pip lays them out give the same traceback in a real process."""
    code, lacks, line = ATTRIBUTE_GONE[gone]
    site = tmp_path / "site"
    _installed(site, "dep", "2.0.0", DEP_SERVER)
    _installed(site, "srv", "0.1.0", {"srv/__init__.py": code}, requires="dep[cli]>=1.6")
    argv = ("--env", f"PYTHONPATH={site}", "--", sys.executable, "-c", "import srv")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        f"; srv 0.1.0 (its metadata asks `dep[cli]>=1.6`) uses {lacks}, which the installed dep "
        "2.0.0 does not have: it was built for another release of dep"
    ), d["cause"]
    assert d["remediation"] == (
        "Install beside it a release of dep that has what it uses, not the 2.0.0 installed, or a "
        "release of the server made for dep 2.0.0: the pool's settings are not the cause."
    )
    [said] = [e for e in d["evidence"] if e["origin"] == f"{site}/*.dist-info"]
    assert said["text"] == (
        "dep 2.0.0 installed; srv 0.1.0 asks `dep[cli]>=1.6`; "
        f"used at {site}/srv/__init__.py:{line}"
    )


def test_the_recorded_sqlite_server_on_mcp_2_reads_as_lacking_mcps_release(tmp_path: Path) -> None:
    """The traceback mcp-server-sqlite 2025.4.25 wrote on mcp 2.3.0 (recorded), beside its own
    import of `Server` and both releases' metadata as pip installed them, reads as the release
    mismatch the test above reproduces."""
    recorded = (RECORDED / "sqlite_on_mcp2.stderr").read_text()
    site = tmp_path / "site-packages"
    header = (
        "from mcp.server import InitializationOptions\nfrom mcp.server.lowlevel import Server\n"
    )
    _installed(site, "mcp", "2.3.0", {"mcp/__init__.py": "", "mcp/server/lowlevel.py": ""})
    server = {"mcp_server_sqlite/__init__.py": "", "mcp_server_sqlite/server.py": header}
    _installed(site, "mcp-server-sqlite", "2025.4.25", server, requires="mcp[cli]>=1.6.0")
    found = release_mismatch(
        recorded.replace("/tmp/peers_stderr_sqlite/lib/python3.11/site-packages", str(site))
    )
    assert found is not None
    assert found.why() == (
        "mcp-server-sqlite 2025.4.25 (its metadata asks `mcp[cli]>=1.6.0`) uses "
        "`list_resources` of `Server` (from mcp.server.lowlevel), which the installed mcp 2.3.0 "
        "does not have: it was built for another release of mcp"
    )
    assert found.where == f"{site}/mcp_server_sqlite/server.py:173"


def test_a_python_server_failing_on_its_own_class_is_not_said_to_lack_a_release(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """An `AttributeError` on a class the server defines itself is its own bug: no release of a
    dependency is blamed, though one is installed beside it."""
    site = tmp_path / "site"
    _installed(site, "dep", "2.0.0", DEP_SERVER)
    own = "import dep.server\n\n\nclass Server: pass\n\n\nServer().list_resources()\n"
    _installed(site, "srv", "0.1.0", {"srv/__init__.py": own}, requires="dep>=1.6")
    argv = ("--env", f"PYTHONPATH={site}", "--", sys.executable, "-c", "import srv")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "after the exception `AttributeError: 'Server' object has no attribute 'list_resources'`"
    ), d["cause"]
    assert d["remediation"].startswith("Fix the error it reports")


@pytest.mark.skipif(not RUFF.exists(), reason=f"{RUFF} is missing: `make venv`")
def test_a_language_server_exiting_on_a_jsonrpc_line_is_told_to_speak_lsp(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`ruff server` sent a JSON-RPC ping in line framing exits at once with code 2 ('ruff
    failed', 'Cause: disconnected channel'): it was told to run it by hand and read its stderr.
    LSP's opening, in a fresh process, gets a language server's answer."""
    d = verdict(capsys, "--protocol", "jsonrpc", "--timeout", WAIT, "--", str(RUFF), "server")
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "exited with code 2; in a fresh process the same command spoken lsp gets a language "
        "server's answer to its opening (initialize)"
    )
    assert d["remediation"] == (
        "Speak lsp to it (`poolctl ping --protocol lsp`; in a pool, `worker.protocol: lsp`): "
        "spoken jsonrpc, it exits."
    )


def test_a_python_server_importing_a_package_it_does_not_declare_is_told_to_install_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """mcp-server-sentry 2025.1.14 asks only `mcp>=1.0.0` and imports httpx, which the mcp 2.3.0
    pip installs beside it brings no more (its stderr: tests/fixtures/peers/
    sentry_without_httpx.stderr): it was told to fix the error and run it by hand. Distributions
    laid out as pip lays them out give the same traceback in a real process."""
    site = tmp_path / "site"
    _installed(site, "dep", "2.0.0", DEP_SERVER)
    server = {"srv/__init__.py": "from . import server\n", "srv/server.py": "import httpy\n"}
    _installed(site, "srv", "0.1.0", server, requires="dep>=1.0")
    argv = ("--env", f"PYTHONPATH={site}", "--", sys.executable, "-c", "import srv")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "; srv 0.1.0 imports httpy, which no distribution beside it provides and its metadata "
        "does not ask for (it asks `dep>=1.0`): a dependency it does not declare"
    ), d["cause"]
    assert d["remediation"].startswith("Install httpy's package beside it (`pip install httpy`")
    [said] = [e for e in d["evidence"] if e["origin"] == f"{site}/*.dist-info"]
    assert said["text"] == (
        "srv 0.1.0 asks dep>=1.0; no distribution beside it provides httpy; imported at "
        f"{site}/srv/server.py:1"
    )


def test_the_recorded_sentry_server_without_httpx_reads_as_an_undeclared_dependency(
    tmp_path: Path,
) -> None:
    """The traceback mcp-server-sentry 2025.1.14 wrote beside mcp 2.3.0 (recorded), with its
    import of httpx and both distributions' metadata as pip installed them, reads as the
    undeclared dependency the test above reproduces."""
    recorded = (RECORDED / "sentry_without_httpx.stderr").read_text()
    site = tmp_path / "lib/python3.11/site-packages"
    _installed(site, "mcp", "2.3.0", {"mcp/__init__.py": ""})
    server = {"mcp_server_sentry/__init__.py": "", "mcp_server_sentry/server.py": "import httpx\n"}
    _installed(site, "mcp-server-sentry", "2025.1.14", server, requires="mcp>=1.0.0")
    found = release_mismatch(
        recorded.replace("/tmp/peers_stderr_sentry/lib/python3.11/site-packages", str(site))
    )
    assert found is not None
    assert found.why() == (
        "mcp-server-sentry 2025.1.14 imports httpx, which no distribution beside it provides and "
        "its metadata does not ask for (it asks `mcp>=1.0.0`): a dependency it does not declare"
    )
    assert found.where == f"{site}/mcp_server_sentry/server.py:6"


def test_a_request_quoted_back_in_the_workers_log_is_not_its_answer_on_stderr(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """robotframework_ls 1.13.0 spoken packet-2 logs `RuntimeError: Invalid header line: ` and
    the line it read, poolctl's initialize whole (recorded by
    tests/fixtures/src/capture_robot_stderr.sh), and waits for more: the verdict was 'The worker
    wrote its answer to stderr, not stdout', quoting the request as 'its answer, on stderr'. A
    shell replays the recording on its stderr and waits."""
    recorded = RECORDED / "robot_lsp_packet2.stderr"
    replay = ("sh", "-c", 'cat "$0" >&2; exec sleep 60', str(recorded))
    argv = ("--protocol", "lsp", "--framing", "packet-2", "--timeout", "1", "--no-experiments")
    d = verdict(capsys, *argv, "--", *replay)
    assert "answers-on-stderr" not in confirmed(d), d["cause"]
    [judged] = [h for h in d["hypotheses"] if h["id"] == "answers-on-stderr"]
    assert judged["status"] == "ruled-out"
    assert judged["reason"] == "its stderr log (workers/w1.stderr.log) holds no answer to request 1"


@needs("mcp-server-slack")
def test_a_server_asking_for_its_credentials_on_a_merged_stdout_is_told_both_fixes(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """server-slack started through a shell that merges its stderr into stdout (`sh -c 'exec
    mcp-server-slack 2>&1'`) writes 'Please set SLACK_BOT_TOKEN and SLACK_TEAM_ID environment
    variables' on stdout and exits with code 1: it was told only to run it by hand and read its
    stdout. It is told what it asks for, and that its `2>&1` would break the stream once it
    starts (given the two variables it writes 'Starting Slack MCP Server...' there: seen)."""
    server = f"exec {shlex.quote(str(BIN / 'mcp-server-slack'))} 2>&1"
    d = verdict(
        capsys,
        "--protocol", "mcp", "--timeout", WAIT,
        "--unset-env", "SLACK_BOT_TOKEN", "--unset-env", "SLACK_TEAM_ID",
        "--", "sh", "-c", server,
    )  # fmt: skip
    line = "Please set SLACK_BOT_TOKEN and SLACK_TEAM_ID environment variables"
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        f"exited with code 1, saying `{line}`: it asks for environment variables "
        "SLACK_BOT_TOKEN and SLACK_TEAM_ID (said on its stdout)"
    ), d["cause"]
    assert d["remediation"].startswith("Set SLACK_BOT_TOKEN and SLACK_TEAM_ID in its environment")
    assert d["remediation"].endswith(
        " Then keep its stderr apart: its command sends it to stdout (`2>&1`), where every line "
        "it logs breaks the protocol's stream."
    ), d["remediation"]
    said = {e["note"]: (e["text"], e["origin"]) for e in d["evidence"]}
    assert said["what it asks for"] == (line, "workers/w1.stdout.bin")

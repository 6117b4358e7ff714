"""Real servers started where what they need is missing, or with an option that keeps them off
their pipes: fish-lsp 1.1.4 (npm, installed alone by `make peers`) refuses LSP's initialize with
`spawn fish ENOENT` when no fish shell is on its PATH; mcp-server-git 2026.10.19 (the dev extra)
exits when its `--repository` is not there; @playwright/mcp 0.0.83 (npm, alone) given `--port N`
serves HTTP there; `docker run -i` with no Docker daemon never starts its server; @biomejs/biome
2.6.9 (npm, alone) without `lsp-proxy` prints its usage on stdout, as @postgrestools/postgrestools
0.25.7 (npm, alone) does. The verdict names the program to install, the path to give, the
option to drop, the engine to start, the subcommand to give."""

from __future__ import annotations

import importlib.util
import json
import shlex
import shutil
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from tests.conftest import Processes

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
FISH_LSP = REPO / ".peers/alone/fish-lsp/node_modules/.bin/fish-lsp"
BIOME = REPO / ".peers/alone/@biomejs/biome/node_modules/.bin/biome"
POSTGRESTOOLS = REPO / ".peers/alone/@postgrestools/postgrestools/node_modules/.bin/postgrestools"
WAIT = "20"  # seconds a server may take to start on a loaded machine


@pytest.mark.skipif(
    not FISH_LSP.exists() or shutil.which("node") is None,
    reason=f"{FISH_LSP.relative_to(REPO)} is missing: run `make peers` (needs npm and node)",
)
def test_a_server_refusing_initialize_for_a_program_it_cannot_spawn_is_told_to_install_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """fish-lsp runs the fish shell as it initializes; with no `fish` on its PATH it answers
    initialize with `Request initialize failed with message: spawn fish ENOENT` (-32603) and
    goes on running. ping quoted the refusal and said nothing of what to do. Its PATH here holds
    only node (fish may be installed in node's own folder), so the test is the same wherever
    fish is."""
    only_node = tmp_path / "bin"
    only_node.mkdir()
    node = shutil.which("node")
    assert node is not None
    (only_node / "node").symlink_to(node)
    script = FISH_LSP.resolve()  # `#!/usr/bin/env node`: node is named, not looked up
    path = f"PATH={only_node}"
    argv = ["ping", "--json", "--protocol", "lsp", "--timeout", WAIT, "--env", path]
    code = main([*argv, "--", node, str(script), "start"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    notes = report["notes"]
    assert (
        "the server refused initialize: Request initialize failed with message: spawn fish "
        "ENOENT (code -32603)"
    ) in notes, notes
    assert (
        "Install `fish`, which the server runs (`spawn fish ENOENT`: no `fish` on its PATH), or "
        "start the server with a PATH that holds it: the pool's settings are not the cause."
    ) in notes, notes


needs_git_server = pytest.mark.skipif(
    importlib.util.find_spec("mcp_server_git") is None,
    reason="mcp-server-git is missing: `make venv` installs the dev extra",
)
GIT_SERVER = (sys.executable, "-m", "mcp_server_git")


def crash(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """The diagnosis of an MCP ping that must fail with exit 1."""
    code = main(["ping", "--json", "--protocol", "mcp", "--timeout", WAIT, *argv])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    diagnosis: dict[str, Any] = report["findings"][0]["outcome"]
    assert [h["id"] for h in diagnosis["hypotheses"] if h["status"] == "confirmed"] == [
        "crashed"
    ], diagnosis
    return diagnosis


@needs_git_server
def test_a_server_given_a_path_that_does_not_exist_is_told_which_argument(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """mcp-server-git given `--repository` of a folder that is not there logs
    `ERROR:mcp_server_git.server:PATH does not exist` and exits 1: it was told to fix the error
    it logs and run it by hand; the argument that names the missing path is the fix."""
    gone = tmp_path / "no-such-repo"
    d = crash(capsys, "--", *GIT_SERVER, "--repository", str(gone))
    assert d["cause"].endswith(
        f"after logging `ERROR:mcp_server_git.server:{gone} does not exist`; `--repository "
        f"{gone}` names a path that does not exist"
    ), d["cause"]
    assert d["remediation"] == f"Give `--repository` a path that exists: `{gone}` does not."


@needs_git_server
def test_a_relative_path_missing_from_the_servers_working_folder_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """The repository is there, beside the folder the server was started in (`--cwd`): the
    relative `--repository` is looked up from that folder, and the verdict says which."""
    (tmp_path / "work/repo").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    d = crash(capsys, "--cwd", str(elsewhere), "--", *GIT_SERVER, "--repository", "work/repo")
    assert d["cause"].endswith(
        "; `--repository work/repo` names a path that does not exist, looked up from the "
        f"folder it was started in ({elsewhere})"
    ), d["cause"]
    assert d["remediation"].startswith(
        f"Give `--repository` a path that exists: `work/repo` does not in {elsewhere}, the folder "
        "it was started in; a relative path is read from the server's working folder"
    ), d["remediation"]


@needs_git_server
def test_an_error_logged_on_a_stdout_its_shell_merged_stderr_into_is_read(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """`sh -c 'mcp-server-git --repository X 2>&1'` sends its log line to stdout and exits: the
    verdict only said to run it by hand and read its stdout; the logged error is read there,
    its missing path named, and the merge that would break the stream once it starts."""
    gone = tmp_path / "no-such-repo"
    script = shlex.join([*GIT_SERVER, "--repository", str(gone)]) + " 2>&1"
    d = crash(capsys, "--", "sh", "-c", script)
    assert d["cause"].endswith(
        f"after logging `ERROR:mcp_server_git.server:{gone} does not exist` on its stdout; "
        f"`--repository {gone}` names a path that does not exist"
    ), d["cause"]
    assert d["remediation"] == (
        f"Give `--repository` a path that exists: `{gone}` does not. Then keep its stderr "
        "apart: its command sends it to stdout (`2>&1`), where every line it logs breaks the "
        "protocol's stream."
    ), d["remediation"]


PLAYWRIGHT_MCP = REPO / ".peers/alone/@playwright/mcp/node_modules/.bin/playwright-mcp"


@pytest.mark.skipif(
    not PLAYWRIGHT_MCP.exists(),
    reason=f"{PLAYWRIGHT_MCP.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_server_listening_on_the_port_its_command_gives_is_told_to_drop_that_option(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """playwright-mcp --port N serves MCP over HTTP on 127.0.0.1:N and never reads its stdin
    (without the option it answers the MCP handshake on its pipes). The fix listed options it
    might have (`--tcp`, `--port`, `--socket`, `--listen`) and `--stdio`, which it does not
    take; it names the one its command gave, with its value."""
    with socket.socket() as probe:  # a port free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # 8 s: its start and listen, not its answer, which never comes (node starts it in 0.7 s)
    argv = ["ping", "--json", "--protocol", "mcp", "--timeout", "8", "--no-experiments"]
    code = main([*argv, "--", str(PLAYWRIGHT_MCP), "--port", str(port)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    assert [h["id"] for h in d["hypotheses"] if h["status"] == "confirmed"] == ["serves-socket"]
    assert d["cause"].startswith(f"The worker serves on 127.0.0.1:{port}, not on its stdin")
    assert d["cause"].endswith(f"; its command's `--port {port}` asks it to listen"), d["cause"]
    assert d["remediation"] == (
        f"Start it in stdio mode: drop `--port {port}` from its command line, which makes it "
        "listen; a pool's worker speaks on the pipes it was started with."
    )


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker client")
def test_a_server_in_a_container_whose_engine_is_not_running_is_told_to_start_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """`docker run -i --rm mcp/git`, as MCP clients' settings start a server, with no Docker
    daemon: the client writes `docker: Cannot connect to the Docker daemon at unix:///…. Is the
    docker daemon running?` and exits 125. The verdict was 'exited with code 125' and to run it
    by hand; it names the engine, and that the server never started. DOCKER_HOST points at a
    socket that is not there, so the case holds wherever a daemon runs too."""
    sock = tmp_path / "docker.sock"
    argv = ["ping", "--json", "--protocol", "mcp", "--env", f"DOCKER_HOST=unix://{sock}"]
    code = main([*argv, "--timeout", WAIT, "--", "docker", "run", "-i", "--rm", "mcp/git"])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    assert d["cause"].endswith(
        f"exited with code 125, its container engine could not be reached (the Docker daemon at "
        f"unix://{sock}): the server in the container never started"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Start the Docker daemon (`systemctl start docker`, or Docker Desktop), or point "
        "DOCKER_HOST at one that runs, then start the worker again"
    ), d["remediation"]


@pytest.mark.skipif(
    not FISH_LSP.exists() or shutil.which("node") is None,
    reason=f"{FISH_LSP.relative_to(REPO)} is missing: run `make peers` (needs npm and node)",
)
def test_a_language_server_started_without_its_subcommand_is_told_it_from_its_help(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """fish-lsp with no command logs `[ERROR] No COMMAND provided …`, prints its help on
    stdout and exits 1: it was told to give it what it asks for. Its help's `start [options]
    start the lsp` is the subcommand (an entry with a placeholder was not read, and `env …
    generate environment variables for lsp configuration` names the protocol, not a server)."""
    code = main(["ping", "--json", "--protocol", "lsp", "--timeout", WAIT, "--", str(FISH_LSP)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    assert d["cause"].endswith(
        f"; it was started without its subcommand `start`, which its `--help` (`{FISH_LSP} "
        "--help`) names as starting a language server (`start [options]  start the lsp`)"
    ), d["cause"]
    assert d["remediation"].startswith(f"Start it with `start` (`{FISH_LSP} start`)")


@pytest.mark.skipif(
    not BIOME.exists() or shutil.which("node") is None,
    reason=f"{BIOME.relative_to(REPO)} is missing: run `make peers` (needs npm and node)",
)
def test_a_language_server_printing_its_usage_on_stdout_and_exiting_zero_is_told_its_subcommand(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """@biomejs/biome 2.6.9 with no command prints its usage on stdout and exits with code 0:
    it was told only to give it the arguments its usage asks for. Its usage's `lsp-proxy` entry
    (`… then forwards Language Server Protocol messages between the daemon server and standard
    input and output`) is the subcommand; `start`, which starts its daemon, is not."""
    argv = ["ping", "--json", "--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path)]
    code = main([*argv, "--", str(BIOME)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    assert d["cause"].endswith(
        "; it was started without its subcommand `lsp-proxy`, which its usage on stdout names "
        "as starting a language server (`lsp-proxy  Ensures that the Biome daemon server is "
        "running, then forwards Language Server`)"
    ), d["cause"]
    assert d["remediation"].startswith(f"Start it with `lsp-proxy` (`{BIOME} lsp-proxy`)")


@pytest.mark.skipif(
    not POSTGRESTOOLS.exists(),
    reason=f"{POSTGRESTOOLS.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_usage_entry_acting_as_a_server_for_the_language_server_protocol_is_the_subcommand(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """@postgrestools/postgrestools 0.25.7 (Biome's fork for Postgres, a binary shipped in its
    npm package) with no command prints its usage on stdout and exits with code 0, as biome does,
    but its `lsp-proxy` entry reads `Acts as a server for the Language Server Protocol over
    stdin/stdout.`: no verb the usage reader knew, so the fix was only 'Give it the arguments its
    usage (quoted) asks for'. `postgrestools lsp-proxy` answers the handshake (ping, by hand);
    its `start`, `Starts the daemon server process.`, is no language server."""
    argv = ["ping", "--json", "--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path)]
    code = main([*argv, "--", str(POSTGRESTOOLS)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    assert d["cause"].endswith(
        "; it was started without its subcommand `lsp-proxy`, which its usage on stdout names "
        "as starting a language server (`lsp-proxy  Acts as a server for the Language Server "
        "Protocol over stdin/stdout.`)"
    ), d["cause"]
    assert d["remediation"].startswith(
        f"Start it with `lsp-proxy` (`{POSTGRESTOOLS} lsp-proxy`)"
    ), d["remediation"]


@pytest.mark.skipif(
    not BIOME.exists() or shutil.which("node") is None,
    reason=f"{BIOME.relative_to(REPO)} is missing: run `make peers` (needs npm and node)",
)
def test_an_option_a_bpaf_parser_refuses_is_to_be_dropped(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """biome 2.6.9's `lsp-proxy` given `--config-path` (an option of its other commands) exits
    1 saying ``Error: `--config-path` is not expected in this context``: read as an exception,
    it was told to fix the error it reports and run it by hand."""
    argv = ["ping", "--json", "--protocol", "lsp", "--timeout", WAIT, "--cwd", str(tmp_path)]
    code = main([*argv, "--", str(BIOME), "lsp-proxy", "--config-path", str(tmp_path)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    refusal = "Error: `--config-path` is not expected in this context"
    assert d["cause"].endswith(f", refusing its command line: `{refusal}`"), d["cause"]
    assert d["remediation"].startswith(
        f"Drop `--config-path` from its command line: its parser does not take it (`{refusal}`)"
    ), d["remediation"]


SENTRY_MCP = REPO / ".peers/alone/@sentry/mcp-server/node_modules/.bin/sentry-mcp"


@pytest.mark.skipif(
    not SENTRY_MCP.exists() or shutil.which("node") is None,
    reason=f"{SENTRY_MCP.relative_to(REPO)} is missing: run `make peers` (needs npm and node)",
)
def test_a_step_asked_for_first_names_the_environment_variable_offered_in_its_place(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """@sentry/mcp-server 0.36.0 with no token exits 1 saying 'Run `sentry-mcp auth login`
    interactively first, or pass `--access-token` / `SENTRY_ACCESS_TOKEN`.': it was told only
    to run the sign-in (a device code flow, by hand), not the variable a pool can set."""
    env = ["--env", "SENTRY_ACCESS_TOKEN=", "--env", f"HOME={tmp_path}"]
    argv = ["ping", "--json", "--protocol", "mcp", "--timeout", WAIT, *env]
    code = main([*argv, "--", str(SENTRY_MCP)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    # by the path it was started with: its folder (node_modules/.bin) is on no PATH
    assert d["remediation"].startswith(f"Run `{SENTRY_MCP} auth login` once first"), d
    assert d["remediation"].endswith(
        " Or set SENTRY_ACCESS_TOKEN in its environment (`--env NAME=VALUE`; in a pool, the "
        "worker's `env`), which its words offer in place of that step (untested: no copy was "
        "started so)."
    ), d["remediation"]


@pytest.mark.skipif(
    not POSTGRESTOOLS.exists(),
    reason=f"{POSTGRESTOOLS.relative_to(REPO)} is missing: run `make peers`",
)
def test_a_language_servers_usage_on_stdout_names_its_subcommand_spoken_another_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """`poolctl doctor -- postgrestools` and ping with no --protocol speak dspex: postgrestools
    prints its usage on stdout and exits with code 0 before it reads a byte, whatever is spoken.
    Its usage names `lsp-proxy` as the language server's subcommand, which was said only when lsp
    was spoken; spoken dspex the fix was 'Give it the arguments its usage (quoted) asks for'."""
    argv = ["ping", "--json", "--timeout", WAIT, "--cwd", str(tmp_path)]
    code = main([*argv, "--", str(POSTGRESTOOLS)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    d = report["findings"][0]["outcome"]
    cause = d["cause"]
    assert "; it was started without its subcommand `lsp-proxy`, which its usage" in cause, cause
    assert d["remediation"].startswith(
        f"Start it with `lsp-proxy` (`{POSTGRESTOOLS} lsp-proxy`) and speak lsp to it "
        "(`poolctl ping --protocol lsp`; in a pool, `worker.protocol: lsp`)"
    ), d["remediation"]

"""More real JSON-RPC peers, started the ways users get them wrong: `ruff server` (ruff's
language server, from the dev extra), mcp-server-time (the reference MCP time server, from the
dev extra). Each verdict is checked by exit
code, cause and the quoted line of the server's own stderr."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from poolctl.cli import main
from poolctl.report.replay import read_events
from tests.conftest import Processes
from tests.test_doctor_checks import Doctor, doctor, only

pytestmark = pytest.mark.slow
__all__ = ["doctor"]  # the fixture, used by name

BIN = Path(sys.executable).parent
RUFF = BIN / "ruff"
MCP_TIME = BIN / "mcp-server-time"
WAIT = "20"  # seconds a server may take to start on a loaded machine


def needs(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not path.exists(), reason=f"{path} is missing: `make venv` installs the dev extra"
    )


def verdict(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """The diagnosis of a ping that must fail with exit 1."""
    code = main(["ping", "--json", "--timeout", WAIT, *argv])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    diagnosis: dict[str, Any] = report["findings"][0]["outcome"]
    return diagnosis


@needs(MCP_TIME)
def test_an_mcp_server_refusing_stdio_is_not_told_to_be_started_with_stdio(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """mcp-server-time given `--stdio` (as a language server is started) refuses it with
    argparse's error: the remedy quotes the refusal, and no longer adds that a language server
    serves only when started with `--stdio`, which it already was, and which it refused."""
    d = verdict(capsys, "--protocol", "mcp", "--", str(MCP_TIME), "--stdio")
    refusal = "mcp-server-time: error: unrecognized arguments: --stdio"
    assert d["cause"].endswith(f"refusing its command line: `{refusal}`"), d["cause"]
    # it does not take the switch: dropped, not "Give it the arguments it asks for"
    assert d["remediation"] == (
        f"Drop `--stdio` from its command line: its parser does not take it (`{refusal}`); its "
        "`--help` lists what it takes."
    )


@needs(RUFF)
def test_a_server_that_printed_its_usage_on_stderr_is_told_so(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`ruff` without its `server` subcommand prints its help on stderr and exits 2, with no
    `error:` line: the verdict names the usage it printed and quotes its Usage line (it was a
    bare crash quoting the end of the option list). Spoken lsp, the subcommand its usage names
    as the language server's is the fix (it was told to give the arguments its usage asks for,
    and that a language server serves when started with `--stdio` or a subcommand)."""
    d = verdict(capsys, "--protocol", "lsp", "--", str(RUFF))
    assert d["cause"].endswith(
        "exited with code 2, after printing its usage to stderr: `Usage: ruff [OPTIONS] "
        "<COMMAND>`; it was started without its subcommand `server`, which its usage on stderr "
        "names as starting a language server (`server  Run the language server`)"
    ), d["cause"]
    assert d["remediation"].startswith(
        f"Start it with `server` (`{RUFF} server`), as its usage on stderr says"
    ), d
    said = {e["note"]: e["text"] for e in d["evidence"]}
    assert said["the usage it printed"] == "Usage: ruff [OPTIONS] <COMMAND>", said
    assert said["the entry of its help naming the language server"] == (
        "server  Run the language server"
    )


@needs(RUFF)
def test_a_pool_of_language_servers_closes_each_with_shutdown_and_exit(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """A pool of `ruff server`s ends each session as LSP asks (`shutdown`, then `exit`): each
    exits with code 0. The pool closed their stdin instead, and ruff exited with code 2 saying
    `client exited without proper shutdown sequence`, poolctl's own doing."""
    path = tmp_path / "ruff-pool.yaml"
    path.write_text(
        "name: ruff-pool\n"
        f"worker: {{command: [{json.dumps(str(RUFF))}, server], protocol: lsp,"
        f" init_timeout: {WAIT}}}\n"
        "pool: {size: 2, checkout_timeout: 5, request_timeout: 10}\n"
        "steps:\n"
        "  - request: {command: workspace/executeCommand, count: 2, concurrency: 2,\n"
        "              args: {command: ruff.printDebugInformation, arguments: []}}\n"
    )
    run = tmp_path / "run"
    code = main(["run-scenario", "--no-history", "-q", "--run-dir", str(run), str(path)])
    capsys.readouterr()
    assert code == 0
    events = read_events((run / "events.jsonl").read_text())
    [done] = [e for e in events if e["type"] == "shutdown_done"]
    assert done["exits"] == {"w1": "exited with code 0", "w2": "exited with code 0"}, done
    for log in sorted((run / "workers").glob("w*.stderr.log")):
        assert "without proper shutdown sequence" not in log.read_text(), log


@needs(MCP_TIME)
def test_doctor_gives_no_import_split_for_a_server_stopped_mid_import(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """mcp-server-time imports the MCP SDK for over a second; against a 0.1 s budget doctor
    stops it at 0.2 s, inside `import mcp_server_time`. Python times an import when it ends,
    so that one is missing from the log: doctor said "imports 0.022 s, slowest re 0.022 s";
    it now says its imports had not finished and names the last one timed."""
    argv = ["doctor", "--json", "--protocol", "mcp", "--init-budget", "0.1"]
    code = main([*argv, "--run-dir", str(tmp_path / "run"), "--", str(MCP_TIME)])
    report = json.loads(capsys.readouterr()[0])
    assert code == 1, report
    [init] = [c for c in report["checks"] if c["section"] == "Start-up"]
    assert init["status"] == "fail", init
    if "imports had not finished" not in init["summary"]:
        # its start waited out before its stack was judged (slowed for want of a CPU, or its
        # CPU still rising): its imports then over and timed, the slow one named (imports
        # 1.03-1.08 s), not one that ended before the stop (`slowest re 0.022 s`)
        assert ", slowest mcp_server_time " in init["summary"], init["summary"]
        return
    assert (
        "its imports had not finished when it was stopped: the last one timed, `"
        in (init["summary"])
    ), init["summary"]
    assert ", slowest " not in init["summary"], init["summary"]


@needs(MCP_TIME)
def test_doctor_tells_a_server_refusing_the_opening_what_it_speaks_and_reads_its_stdout(
    doctor: Doctor,
) -> None:
    """mcp-server-time spoken lsp in line framing refuses initialize (-32602, 'Invalid request
    parameters') and answers MCP's initialize on the same stream: ping said to speak mcp, doctor
    only that the server refused initialize, with no remedy, and its Output hygiene warned 'not
    judged: the worker did not answer and was not diagnosed', though every byte on its stdout
    was a frame."""
    argv, sections = [str(MCP_TIME)], ("Output hygiene", "Framing")
    report = doctor(argv, *sections, init_timeout=float(WAIT), protocol="lsp", framing="line")
    stdout = only(report, "Output hygiene", "stdout")
    assert (stdout.status, stdout.summary) == ("ok", "nothing on stdout before its first frame")
    framing = only(report, "Framing", "ping")
    assert framing.status == "fail"
    assert "it answered as an MCP server (server 'mcp-time'" in framing.summary
    assert (
        framing.remedy == "Speak mcp to it (`--protocol mcp`; in a pool, `worker.protocol: mcp`)."
    )


@pytest.mark.skipif(
    importlib.util.find_spec("esbonio") is not None, reason="esbonio is installed for this Python"
)
def test_a_server_started_by_a_python_without_its_module_is_told_to_take_the_one_with_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`python -m esbonio` with a Python that lacks it (esbonio 0.16.5 lives in a virtualenv;
    the system's python3 was taken): the interpreter's `No module named esbonio` was quoted only
    as the end of its stderr, with "Find why it exits: run … by hand"."""
    d = verdict(capsys, "--protocol", "lsp", "--", sys.executable, "-m", "esbonio")
    said = f"{sys.executable}: No module named esbonio"
    assert d["cause"].endswith(
        f"exited with code 1, after the exception `{said}`; the Python it was started with, "
        f"{sys.executable}, has no module esbonio: it is installed for another interpreter, or "
        "not at all"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Start it with the Python whose environment has esbonio installed"
    )


def test_a_package_without_main_started_with_dash_m_is_told_to_take_its_command(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """jedi-language-server (a dev dependency) has no `__main__`: `python -m jedi_language_server`
    exits at once, and its console script `jedi-language-server` is how it starts."""
    d = verdict(capsys, "--protocol", "lsp", "--", sys.executable, "-m", "jedi_language_server")
    assert d["cause"].endswith(
        "; jedi_language_server is a package without a `__main__` module: "
        "`-m jedi_language_server` cannot run it"
    ), d["cause"]
    assert d["remediation"] == (
        "Start it by the command its package installs (its console script, as its documentation "
        f"names it), not `{sys.executable} -m jedi_language_server`."
    )

"""Real servers spoken the wrong way, whose request's wait ends once the evidence settles why no
answer comes, not at its timeout: a language server spoken MCP (VS Code's JSON server), whose
answer in content-length is a language server's; an MCP server spoken dspex (mcp-server-time),
whose answer to MCP's opening in a fresh process names it, and server-everything with
`--framing auto` (its trials asked again by no diagnosis); the JSON server with `--framing
auto`, named by its answer to LSP's opening; pylsp spoken lsp in line framing, named by its own
answer in content-length;
jedi-language-server spoken dspex in its own framing, which reports an error at once; an
MCP server spoken lsp (server-brave-search), which refuses LSP's opening in line framing and is
asked MCP's.

Each ping is given a 60 s timeout and each test 45 s (pytest-timeout): waited out, the timeout
fails the test; the verdict, every hypothesis' status and the quoted evidence are as they are
when the timeout is waited out."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from poolctl.diagnose import cpu_wait
from poolctl.diagnose.procinfo import ProcState
from tests.conftest import REPO, Processes
from tests.test_doctor_checks import Doctor, doctor, only
from tests.test_jsonrpc_peers import (
    EVERYTHING,
    FILESYSTEM,
    PYLSP,
    SPEAK_LSP,
    confirmed,
    needs_everything,
    quotes_lsp_answer,
    verdict,
)
from tests.test_jsonrpc_peers_more import MCP_TIME
from tests.test_jsonrpc_peers_unmet import JEDI

pytestmark = [pytest.mark.slow, pytest.mark.timeout(45)]
__all__ = ["doctor"]  # the fixture, used by name

JSON_SERVER = REPO / ".peers/node_modules/.bin/vscode-json-language-server"
BRAVE = REPO / ".peers/node_modules/.bin/mcp-server-brave-search"
LONG = "60"  # the ping's timeout: longer than the test may take
SPEAK_MCP = "Speak mcp to it (`poolctl ping --protocol mcp`; in a pool, `worker.protocol: mcp`)"

needs_json_server = pytest.mark.skipif(
    not JSON_SERVER.exists(),
    reason=f"{JSON_SERVER.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
needs_mcp_time = pytest.mark.skipif(
    not MCP_TIME.exists(), reason=f"{MCP_TIME} is missing: `make venv`"
)


def statuses(d: dict[str, Any]) -> dict[str, str]:
    return {h["id"]: h["status"] for h in d["hypotheses"]}


def let_go(d: dict[str, Any], settled_by: str) -> None:
    """The request was waited for no longer, and the diagnosis says why."""
    detail = d["facts"]["detail"]
    assert detail.startswith("no response in "), detail
    assert f", not waited for to its {LONG} s timeout: {settled_by}" in detail, detail


def settled(framing: str, envelope: str) -> dict[str, str]:
    """Every hypothesis' status once a fresh process's answer named the protocol or the
    framing: those two as given, every other one ruled out."""
    return {
        "crashed": "ruled-out",
        "answers-on-stderr": "ruled-out",
        "stderr-merged": "ruled-out",
        "stdout-text": "ruled-out",
        "framing": framing,
        "envelope": envelope,
        "blocked-writing": "ruled-out",
        "buffered": "ruled-out",
        "serves-socket": "ruled-out",
        "stuck-in-init": "ruled-out",
        "waiting-for-input": "ruled-out",
    }


@needs_json_server
def test_a_language_server_spoken_mcp_is_let_go_once_its_answer_in_content_length_names_it(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """VS Code's JSON server reads MCP's line as a header and waits for the rest of a frame; in
    a fresh process, initialize in content-length gets a language server's capabilities. That
    settles it: the request, and the other framings' experiments, were waited out before."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", LONG, "--", str(JSON_SERVER), "--stdio")
    let_go(d, "in content-length framing initialize got a language server's answer, in ")
    assert statuses(d) == settled("confirmed", "untested")
    assert d["cause"].startswith("The worker speaks content-length, not line")
    # looked at before its answer was due: said so
    [crashed] = [h for h in d["hypotheses"] if h["id"] == "crashed"]
    assert crashed["reason"].startswith("the process was alive when poolctl stopped waiting for it")
    quotes_lsp_answer(
        d, "its answer to the content-length opening", "w1-exp-framing-content-length.stdout.bin"
    )
    # the other framings are let go with it, and say so
    [replay] = [e for e in d["evidence"] if e["text"].startswith("the same request in line")]
    assert replay["text"].startswith(
        "the same request in line: not waited for: the answer of fresh process "
        "w1-exp-framing-content-length in content-length named the protocol"
    )


@pytest.mark.skipif(not PYLSP.exists(), reason="pylsp is not installed: pip install -e '.[dev]'")
def test_a_language_server_spoken_lsp_in_line_framing_is_let_go_once_its_answer_names_the_framing(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """pylsp spoken its own protocol in line framing reads the line as a header and waits for
    the rest of a frame; in a fresh process, initialize in content-length gets its answer
    within the second. Only another protocol's answer ended the wait: this one, the protocol
    spoken in another framing, was waited out to the timeout. It names the framing: the
    request and the other framings' experiments are let go, every hypothesis as it was."""
    argv = ("--protocol", "lsp", "--framing", "line", "--timeout", LONG, "--", str(PYLSP))
    d = verdict(capsys, *argv)
    let_go(
        d,
        "in content-length framing initialize got a language server's answer, in ",
    )
    assert "the protocol spoken, in another framing, names the framing" in d["facts"]["detail"]
    assert statuses(d) == settled("confirmed", "untested")
    assert d["cause"].startswith("The worker speaks content-length, not line")
    assert d["remediation"].startswith("Use one framing on both sides: content-length")
    [replay] = [e for e in d["evidence"] if e["text"].startswith("the same request in line")]
    assert replay["text"].startswith(
        "the same request in line: not waited for: the answer of fresh process "
        "w1-exp-framing-content-length in content-length named the framing"
    )


@needs_mcp_time
def test_an_mcp_server_spoken_dspex_is_let_go_once_mcps_opening_names_it(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """mcp-server-time reads a dspex ping and says nothing. Its protocol's opening, asked in a
    fresh process during the wait (it was asked only after the framings' experiments had
    waited their whole timeout), gets an MCP server's answer: the request is let go. Its start
    costs 0.5 s of CPU and its name says MCP, so the openings are asked before the framings'
    copies but the ping in line and content-length, MCP's and LSP's framings, which are not
    begun (six copies were, and let go once it answered). JSON-RPC's ping, no handshake's
    opening, is asked only once the handshakes' openings are past their start: the MCP server
    named by then, no copy is started to ask it (one was, answered, and let go)."""
    run = tmp_path / "run"
    d = verdict(capsys, "--timeout", LONG, "--run-dir", str(run), "--", str(MCP_TIME))
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    started = [e["experiment"] for e in events if e["type"] == "experiment_start"]
    assert "protocol-mcp" in started and "protocol-jsonrpc" not in started, started
    assert not [e for e in started if e.startswith("framing-p") or e == "many"], started
    [ping] = [e for e in d["facts"]["experiments"] if e["id"] == "protocol-jsonrpc"]
    assert ping["detail"].startswith("not asked: the mcp opening (initialize) got an answer first")
    let_go(d, "the mcp opening (initialize) in line got an MCP server's answer, in ")
    assert statuses(d) == settled("untested", "confirmed")
    assert d["cause"].startswith("The worker does not speak dspex: it read the 81-byte dspex")
    assert "the mcp opening (initialize) gets an answer (server 'mcp-time'" in d["cause"]
    assert d["remediation"].startswith(SPEAK_MCP)
    [framing] = [h for h in d["hypotheses"] if h["id"] == "framing"]
    assert framing["reason"].startswith(
        "in fresh processes no framing, its own included, got anything at all within its time"
    )
    assert (
        "; packet-2, packet-1 not tried (not begun: the mcp opening (initialize) in line got an "
        "MCP server's answer"
    ) in framing["reason"], framing["reason"]


@needs_mcp_time
def test_an_mcp_server_starved_of_cpu_at_its_look_keeps_the_opening_that_named_it(
    capsys: pytest.CaptureFixture[str],
    processes: Processes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """mcp-server-time spoken dspex, looked at after the MCP opening's answer had ended its
    wait, on a CPU shared with three busy loops (each 3 ms busy, 0.5 ms asleep; 1 run in 15):
    it had waited for a CPU longer than it ran, and was at work again after the look. Taken for a
    worker still at work, its experiments were dropped unused (none in the facts, the
    JSON-RPC ping neither asked nor 'not asked') and the verdict said it waited for the rest
    of a message. That look's readings stand in here for the load: the answer that ended the
    wait explains the silence whatever the CPU did."""
    real_wait, real_again = cpu_wait.cpu_wait, cpu_wait.read_again

    def waited_longer_than_it_ran(live: Any, timeout: float, later: Any = ()) -> Any:
        return object() if timeout == 0.0 else real_wait(live, timeout, later)

    def risen_since(live: Any) -> tuple[ProcState, ...]:
        return tuple(replace(p, cpu_seconds=p.cpu_seconds + 0.01) for p in real_again(live))

    monkeypatch.setattr(cpu_wait, "cpu_wait", waited_longer_than_it_ran)
    monkeypatch.setattr(cpu_wait, "read_again", risen_since)
    run = tmp_path / "run"
    d = verdict(capsys, "--timeout", LONG, "--run-dir", str(run), "--", str(MCP_TIME))
    let_go(d, "the mcp opening (initialize) in line got an MCP server's answer, in ")
    [ping] = [e for e in d["facts"]["experiments"] if e["id"] == "protocol-jsonrpc"]
    assert ping["detail"].startswith("not asked: the mcp opening (initialize) got an answer first")
    assert statuses(d) == settled("untested", "confirmed")
    assert "the mcp opening (initialize) gets an answer (server 'mcp-time'" in d["cause"]
    assert d["remediation"].startswith(SPEAK_MCP)


def test_an_mcp_server_whose_framings_were_not_begun_has_buffering_ruled_out_by_its_opening(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """An MCP SDK server spoken dspex that stays running once its stdin ends
    (tests/workers/mcp_server.py --outlive-input): its buffering copies are not begun (the
    openings went first, and MCP's answered), and closing its stdin flushes nothing, as nothing
    ends. Its answer to MCP's opening, on a pipe in a fresh process, is the evidence: buffering
    is ruled out by it (it was 'no buffering experiment could run', untested; mcp-server-time's
    was so whenever a loaded machine slowed its exit past the close's wait)."""
    worker = (sys.executable, str(REPO / "tests/workers/mcp_server.py"), "--outlive-input")
    d = verdict(capsys, "--timeout", LONG, "--", *worker)
    assert statuses(d) == settled("untested", "confirmed")
    [buffered] = [h for h in d["hypotheses"] if h["id"] == "buffered"]
    assert buffered["reason"].startswith(
        "in a fresh process on a pipe, its stdin open, its answer to the mcp opening reached "
        "the pipe as it wrote it (answered in "
    ), buffered
    origins = [e["origin"] for e in buffered["evidence"]]
    assert "workers/w1-exp-protocol-mcp.stdout.bin" in origins, buffered


@pytest.mark.skipif(not FILESYSTEM.exists(), reason="run `make peers` (needs npm)")
def test_an_mcp_server_spoken_dspex_is_quoted_saying_it_runs_on_stdio(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """The MCP filesystem server writes "Secure MCP Filesystem Server running on stdio" to
    stderr as it starts: spoken dspex, the diagnosis quotes that line as what it said of itself
    (before, only the openings' answers were quoted). The line ends no wait: MCP's opening,
    answered in a fresh process, does."""
    d = verdict(capsys, "--timeout", LONG, "--", "node", str(FILESYSTEM), str(tmp_path))
    let_go(d, "the mcp opening (initialize) in line got an MCP server's answer, in ")
    assert confirmed(d) == ["envelope"]
    assert d["remediation"].startswith(SPEAK_MCP)
    [said] = [e for e in d["evidence"] if e["note"] == "what it said of itself as it started"]
    assert said["text"] == "Secure MCP Filesystem Server running on stdio"
    assert said["origin"] == "workers/w1.stderr.log"


@needs_everything()
def test_framing_auto_asks_the_diagnosis_nothing_its_trials_asked(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """`--framing auto` of an MCP server (server-everything, silent to dspex as every MCP SDK
    server is): its trials ask the dspex ping in every framing and MCP's and LSP's openings,
    each in a fresh process, and MCP's answer names the server. The ping's diagnosis started
    copies asking the same again (the ping in every framing, both openings: 7 of its 10
    starts); their results are the trials' now, and the verdict the same. (It was
    mcp-server-time, whose eleven starts here took 8 s of CPU, its SDK's import each time;
    node's take a third of that. mcp-server-time spoken dspex is the test above's.)"""
    run = tmp_path / "run"
    d = verdict(capsys, "--framing", "auto", "--timeout", LONG, "--run-dir", str(run), "--",
                "node", str(EVERYTHING), "stdio")  # fmt: skip
    let_go(d, "the mcp opening (initialize) in line got an MCP server's answer, in ")
    assert confirmed(d) == ["envelope"]
    assert (
        "the mcp opening (initialize) gets an answer (server 'mcp-servers/everything'" in d["cause"]
    )
    assert d["remediation"].startswith(SPEAK_MCP)
    ran = {e["id"]: e["worker_id"] for e in d["facts"]["experiments"]}
    assert ran["protocol-mcp"] == "w1-auto-exp-protocol-mcp", ran
    assert ran["replay"] == "w1-exp-auto-packet-4", ran
    assert ran["framing-line"] == "w1-exp-auto-line", ran
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    started = {e["worker"] for e in events if e["type"] == "experiment_start"}
    framings = {f"w1-exp-framing-{f}" for f in ("packet-2", "packet-1", "line", "content-length")}
    asked_again = {"w1-exp-protocol-mcp", "w1-exp-protocol-lsp", "w1-exp-replay", *framings}
    assert not started & asked_again, started


@needs_json_server
def test_framing_auto_lets_the_ping_go_once_the_language_server_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`--framing auto` names VS Code's JSON server by its answer to LSP's opening, and lets
    its trials go; the ping in the framing it falls back on then asks the opening at once, and
    is let go by its answer as well (it waited its whole timeout). A node server: a few
    seconds of CPU where a Python MCP server's fifteen starts take 14 s."""
    argv = ("--framing", "auto", "--timeout", LONG, "--", str(JSON_SERVER), "--stdio")
    d = verdict(capsys, *argv)
    let_go(d, "the lsp opening (initialize) in content-length got a language server's answer, ")
    assert confirmed(d) == ["envelope"]
    assert d["remediation"].startswith(SPEAK_LSP)


needs_jedi = pytest.mark.skipif(
    not JEDI.exists(), reason="jedi-language-server is not installed: pip install -e '.[dev]'"
)


@pytest.fixture(scope="module")
def jedi_spoken_dspex(module_processes: Processes) -> dict[str, Any]:
    """The diagnosis of `ping --framing content-length` of jedi-language-server (spoken dspex),
    which two tests read: made by the first that asks (`of_jedi_spoken_dspex`). Each ping
    starts it five times, each start half a second of CPU."""
    return {}


def of_jedi_spoken_dspex(
    shared: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    if "diagnosis" not in shared:
        argv = ("--framing", "content-length", "--timeout", LONG, "--", str(JEDI))
        shared["diagnosis"] = verdict(capsys, *argv)
    diagnosis: dict[str, Any] = shared["diagnosis"]
    return diagnosis


@needs_jedi
def test_a_language_server_reporting_an_error_to_a_dspex_ping_is_let_go_once_named(
    capsys: pytest.CaptureFixture[str], jedi_spoken_dspex: dict[str, Any]
) -> None:
    """jedi-language-server, spoken dspex in content-length, reports at once in
    window/showMessage that it cannot read the ping ('Error in server: ...'), and never
    answers. The protocols' openings are asked in its framing then, not after the timeout; the
    lsp opening's answer lets the request go."""
    d = of_jedi_spoken_dspex(jedi_spoken_dspex, capsys)
    let_go(d, "the lsp opening (initialize) in content-length got a language server's answer, ")
    assert statuses(d) == settled("ruled-out", "confirmed")
    assert d["remediation"].startswith(SPEAK_LSP)
    [said] = [e for e in d["evidence"] if e["origin"] == "workers/w1.stdout.bin"]
    assert "Error in server: " in said["text"]
    assert said["note"] == "it wrote this, which answers no request"


@needs_jedi
def test_a_language_server_answering_mcps_initialize_is_not_called_an_mcp_server(
    capsys: pytest.CaptureFixture[str], jedi_spoken_dspex: dict[str, Any]
) -> None:
    """Spoken dspex in its own framing, jedi-language-server answers every protocol's opening
    in a fresh process: MCP's initialize too, with a language server's capabilities and no
    protocolVersion. That names no MCP server: the protocol to speak is lsp. (The same ping as
    the test above; it was run again, with a 20 s timeout, in test_jsonrpc_peers_unmet.py.)"""
    # a long timeout costs nothing (the wait ends once a fresh process names the protocol) and
    # leaves a start slowed by a loaded machine the time it takes (at 5 s, 15% of a CPU: none)
    d = of_jedi_spoken_dspex(jedi_spoken_dspex, capsys)
    assert confirmed(d) == ["envelope"]
    assert (
        "while in a fresh process the lsp opening (initialize) gets an answer (server "
        "'jedi-language-server'" in d["cause"]
    )
    assert d["remediation"].startswith(SPEAK_LSP)
    # its answer to MCP's opening is said to be no MCP server's where it is quoted as answered;
    # the two openings run side by side, and when LSP's answer comes first (a loaded machine
    # starts the MCP experiment's process later) it names the protocol and MCP's is let go
    [mcp] = [e for e in d["evidence"] if e["text"].startswith("speaking mcp (initialize in")]
    if "not waited for" in mcp["text"]:
        assert "the lsp opening (initialize) got an answer first" in mcp["text"]
        assert "it names the protocol" in mcp["text"]
    else:
        assert (
            ", but not as an MCP server: its answer has no protocolVersion, which every MCP "
            "server's has; its capabilities are a language server's (fresh process"
        ) in mcp["text"]


@needs_json_server
def test_doctors_start_up_ends_once_the_framing_check_names_a_language_server(
    doctor: Doctor,
) -> None:
    """doctor --protocol mcp on VS Code's JSON server: the Framing check names a language
    server within seconds, but Start-up waited for initialize's answer its whole init timeout
    (10 s by MCP's default) before it looked at that verdict; it ends with it now."""
    argv = [str(JSON_SERVER), "--stdio"]
    report = doctor(argv, "Start-up", init_timeout=float(LONG), protocol="mcp", framing="line")
    check = only(report, "Start-up")
    assert check.status == "warn", check.summary
    assert check.summary.startswith(
        "start-up not measured: it does not answer: The worker speaks content-length, not line"
    ), check.summary


@pytest.mark.skipif(not PYLSP.exists(), reason="pylsp is not installed: pip install -e '.[dev]'")
def test_doctors_buffering_probe_ends_once_the_framing_check_names_the_framing(
    doctor: Doctor,
) -> None:
    """doctor --protocol lsp --framing line on pylsp with PYTHONUNBUFFERED=1 (an aid the
    Buffering check takes away to test without it): Framing names content-length within
    seconds, but the Buffering check's probe without the aid, and its replay in a fresh
    process, waited their whole timeout (10 s at the default: 13.1 s for the whole doctor,
    against 4.3 s now). They end with that verdict now, which still rules buffering out."""
    argv = [str(PYLSP)]
    spec = {"protocol": "lsp", "framing": "line", "env": {"PYTHONUNBUFFERED": "1"}}
    report = doctor(argv, "Framing", "Buffering", init_timeout=float(LONG), **spec)
    framing = only(report, "Framing")
    assert framing.status == "fail"
    assert "The worker speaks content-length, not line" in framing.summary
    check = only(report, "Buffering")
    assert check.status == "ok", check.summary  # ruled out
    assert check.summary.startswith(
        "not tested: no answer on a pipe without PYTHONUNBUFFERED (no response in "
    ), check.summary
    assert (
        f"not waited for to its {LONG} s timeout: the worker as configured takes its request "
        "and does not answer it); buffering is not why: when its stdin closed it exited"
    ) in check.summary


@pytest.mark.skipif(not BRAVE.exists(), reason="run `make peers` (needs npm)")
def test_an_mcp_server_refusing_lsps_opening_in_line_is_asked_mcps_during_the_wait(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """server-brave-search (given a key: it starts) spoken lsp reads the Content-Length header
    as a bad line and waits; in a fresh process, LSP's initialize in line framing gets an error
    reply within the second (Node's MCP SDK refuses it for want of protocolVersion). That
    refusal counted as an answer, so MCP's opening was never asked during the wait, and the
    request waited out its timeout (20 s of a `--timeout 20` ping); asked, its answer names
    the protocol."""
    server = ("--env", "BRAVE_API_KEY=not-a-real-key", "--", str(BRAVE))
    d = verdict(capsys, "--protocol", "lsp", "--timeout", LONG, *server)
    let_go(d, "the mcp opening (initialize) in line got an MCP server's answer, in ")
    assert statuses(d) == settled("confirmed", "confirmed")
    assert d["cause"].startswith("The worker does not speak lsp")
    assert d["remediation"].startswith(SPEAK_MCP)
    [mcp] = [e for e in d["evidence"] if e["text"].startswith("speaking mcp (initialize in line)")]
    assert ": answered in " in mcp["text"]


@pytest.mark.skipif(shutil.which("clangd") is None, reason="clangd is not installed (apt)")
def test_a_language_server_refusing_a_ping_before_initialize_is_asked_lsps_opening(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """clangd spoken jsonrpc (a line ping) waits for a Content-Length header; in a fresh
    process the ping in content-length gets LSP's ServerNotInitialized (-32002, 'server not
    initialized'). That refusal counted as an answer: no protocol's opening was asked, the
    request waited out its timeout, and the verdict was to use content-length framing, where
    the ping is refused all the same. LSP's opening, asked, names the protocol."""
    d = verdict(capsys, "--protocol", "jsonrpc", "--timeout", LONG, "--", "clangd")
    let_go(d, "the lsp opening (initialize) in content-length got a language server's answer, in ")
    assert confirmed(d) == ["framing", "envelope"]
    assert d["cause"].startswith("The worker does not speak jsonrpc")
    assert d["remediation"].startswith(SPEAK_LSP)


def _perl_language_server() -> bool:
    """Whether Debian's libperl-languageserver-perl (Perl::LanguageServer) is installed."""
    if shutil.which("perl") is None:
        return False
    found = subprocess.run(["perl", "-MPerl::LanguageServer", "-e", "1"], capture_output=True)
    return found.returncode == 0


def test_a_language_server_saying_a_ping_is_an_unknown_method_is_asked_lsps_opening(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """Perl::LanguageServer 2.5.0 (Debian 12's) spoken jsonrpc waits for a Content-Length
    header; in a fresh process the ping in content-length gets -32001 'Unknown perlmethod
    _rpcreq_ping', not JSON-RPC's -32601. That counted as an answer: the verdict was to use
    content-length framing, where the ping is refused all the same, and the protocol mismatch
    was untested ('no protocol experiment ran') though LSP's opening had got an answer. An
    error that says the method is unknown is read as -32601 is: LSP's opening names the
    protocol."""
    # asked as the test runs, not as each test process collects it (a perl loading the module:
    # 0.2 s of CPU in every process, whichever tests it runs)
    if not _perl_language_server():
        pytest.skip(
            "Perl::LanguageServer is not installed (apt-get install libperl-languageserver-perl)"
        )
    server = ("perl", "-MPerl::LanguageServer", "-e", "Perl::LanguageServer::run")
    d = verdict(capsys, "--protocol", "jsonrpc", "--timeout", LONG, "--", *server)
    assert confirmed(d) == ["framing", "envelope"]
    assert d["cause"].startswith("The worker does not speak jsonrpc"), d["cause"]
    assert d["remediation"].startswith(SPEAK_LSP), d["remediation"]

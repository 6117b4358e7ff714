"""Real servers from the registries met the wrong way: pyright's language server (npm, installed
by `make peers`), which writes before it reads; jedi-language-server (PyPI, a dev dependency),
which reports a request it cannot read in a notification; mcp-server-time spoken LSP by doctor.
Each verdict is checked by its cause, its quoted evidence and its remediation."""

from __future__ import annotations

import json
import re
import sys
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from poolctl.diagnose.experiments import (
    Skipped,
    framing_experiment,
    run_experiments,
    unbuffered_experiment,
)
from poolctl.diagnose.hypotheses import envelope, framing, stuck_in_init
from poolctl.diagnose.observe import collect
from poolctl.diagnose.readings import still_working
from poolctl.doctor.probe import Probe
from poolctl.doctor.startup import answered_later
from poolctl.model import Diagnosis, Hypothesis
from poolctl.protocol import get_protocol, workspace
from poolctl.worker import WorkerProcess
from poolctl.worker_types import Answer, NoAnswer, WorkerSpec
from tests.conftest import REPO, Processes
from tests.test_doctor_checks import Doctor, doctor, only
from tests.test_jsonrpc_peers import (
    SPEAK_LSP,
    WAIT,
    WORKERS,
    confirmed,
    ping,
    quotes_lsp_answer,
    verdict,
)
from tests.test_jsonrpc_peers_more import MCP_TIME, RUFF

pytestmark = pytest.mark.slow
__all__ = ["doctor"]  # the fixture, used by name

PYRIGHT = REPO / ".peers/node_modules/.bin/pyright-langserver"

needs_pyright = pytest.mark.skipif(
    not PYRIGHT.exists(),
    reason=f"{PYRIGHT.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)


@needs_pyright
def test_a_language_server_writing_first_spoken_mcp_is_told_its_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """pyright writes window/logMessage in Content-Length frames before it reads anything, so
    the line reader meets its framing at once; in a fresh process that framing's initialize
    gets a language server's capabilities. `--framing content-length` (what was said) would
    still speak MCP to it: the protocol is the mistake."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", str(PYRIGHT), "--stdio")
    assert confirmed(d) == ["framing"]
    assert d["cause"].startswith("The worker answers in content-length, not line")
    assert d["cause"].endswith(
        "its answer there is not an MCP server's: its answer has no protocolVersion, which every "
        "MCP server's has; its capabilities are a language server's"
    )
    quotes_lsp_answer(
        d, "its answer to the content-length opening", "w1-exp-framing-content-length.stdout.bin"
    )
    # where the experiment is told answered, it is told whose the answer was
    [framed] = [e for e in d["evidence"] if e["text"].startswith("in content-length framing")]
    assert ": answered in " in framed["text"]
    assert ", but not as an MCP server: its answer has no protocolVersion" in framed["text"]


@needs_pyright
def test_a_language_server_writing_first_spoken_dspex_is_told_its_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """Spoken dspex (packet-4), pyright shows its framing at once; a dspex ping in that framing
    gets no answer from a language server, LSP's initialize there does. So the fix is the
    protocol, not the framing, and the ping in content-length is not waited out."""
    d = verdict(capsys, "--timeout", WAIT, "--", str(PYRIGHT), "--stdio")
    assert confirmed(d) == ["framing"]
    # a window/logMessage in Content-Length framing is a message, not "no message at all"
    [envelope] = [h for h in d["hypotheses"] if h["id"] == "envelope"]
    assert envelope["reason"] == "what came on stdout is a frame of another framing (see framing)"
    assert d["cause"].startswith("The worker answers in content-length, not packet-4")
    assert d["cause"].endswith(
        "in a fresh process the lsp opening (initialize) there gets a language server's answer"
    )
    quotes_lsp_answer(d, "its answer to the lsp opening")
    [ping] = [e for e in d["evidence"] if e["text"].startswith("in content-length framing")]
    assert (
        "not waited for: the lsp opening (initialize) in content-length got an answer"
        in (ping["text"])
    )


@needs_pyright
def test_framing_auto_lets_the_trials_go_once_the_language_server_is_named(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`--framing auto` spoken dspex: pyright's log messages show content-length in the
    trials at once, and in a fresh process LSP's initialize gets a language server's answer.
    No framing answers a dspex ping then; the trials waited out their whole timeout."""
    code, report = ping(
        capsys, "--framing", "auto", "--timeout", WAIT, "--", str(PYRIGHT), "--stdio"
    )
    assert code == 1
    trials = {t["framing"]: t["detail"] for t in report["extra"]["framing_auto"]["trials"]}
    named = (
        "not waited for: the lsp opening (initialize) in content-length got a language "
        "server's answer first, in "
    )
    assert trials["content-length"].startswith(named), trials
    assert trials["packet-2"].startswith(named), trials
    assert trials["packet-4"].startswith("bad frame: frame header b'Cont'"), trials
    d = report["findings"][0]["outcome"]
    assert d["remediation"].startswith(SPEAK_LSP)


@needs_pyright
def test_doctor_says_no_framing_failed_that_was_let_go(doctor: Doctor) -> None:
    """Doctor's Framing check on pyright spoken dspex: the ping in content-length was not waited
    for once LSP's initialize there named a language server, so no framing was tried out."""
    check = only(doctor([str(PYRIGHT), "--stdio"], "Framing", init_timeout=float(WAIT)), "Framing")
    assert check.status == "fail"
    assert check.summary.startswith("no answer in packet-4: The worker answers in content-length")
    assert check.summary.endswith("there gets a language server's answer")
    assert "no framing got an answer" not in check.summary
    assert check.remedy.startswith("Speak lsp to it")


JEDI = Path(sys.executable).parent / "jedi-language-server"


@pytest.mark.skipif(
    not JEDI.exists(), reason="jedi-language-server is not installed: pip install -e '.[dev]'"
)
def test_a_request_the_server_reports_failing_on_is_not_said_still_working(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """jedi-language-server (pygls) cannot read workspace/symbol without its `query` param: it
    says `Error in server: Invalid Params` in window/showMessage and never answers. Waiting
    longer brings nothing; that is no server still at work."""
    argv = ("--protocol", "lsp", "--command", "workspace/symbol")
    d = verdict(capsys, *argv, "--", str(JEDI))
    # its handshake was answered in lsp: no fresh process is asked another protocol
    assert d["facts"]["experiments"] == []
    assert confirmed(d) == ["envelope"]
    assert d["cause"].startswith(
        "The worker read the 86-byte lsp request (workspace/symbol) and reported an error in a "
        "window/showMessage notification after it, 'Error in server: Invalid Params', with no "
        "answer, not even an error reply"
    )
    [said] = [e for e in d["evidence"] if e["origin"] == "workers/w1.stdout.bin"]
    assert said["text"] == "'Error in server: Invalid Params'"
    assert said["note"] == "the error it reported (window/showMessage), not an answer"
    assert d["remediation"].startswith("Send a workspace/symbol request the worker accepts")
    assert "raise the timeout" not in d["remediation"]


@pytest.mark.skipif(
    not JEDI.exists(), reason="jedi-language-server is not installed: pip install -e '.[dev]'"
)
def test_a_notification_right_after_the_request_is_not_told_before_it(
    tmp_path: Path, processes: Processes
) -> None:
    """jedi-language-server reports workspace/symbol without params in window/showMessage as
    soon as it reads it. The request's time was reckoned back from the end of the wait when
    the diagnosis looked, so the later it looked, the earlier the notification seemed: 'the
    last -0.0 s after it'. It is the time the request was written."""
    spec = WorkerSpec(argv=(str(JEDI),), protocol="lsp", framing="content-length")
    with WorkerProcess(spec, tmp_path, worker_id="w1") as worker:
        opening = worker.exchange("initialize", {"processId": None, "capabilities": {}}, 20)
        assert isinstance(opening, Answer)
        worker.notify("initialized", {})
        failed = worker.exchange("workspace/symbol", {}, timeout=1.0)
        assert isinstance(failed, NoAnswer)
        time.sleep(0.5)  # the diagnosis looks later than the wait's end
        obs = collect(worker, failed, 1.0, tmp_path, experiments=False)
        [(came, note)] = list(worker.recent_notifications)[-1:]
        assert note.method == "window/showMessage"
        assert came >= obs.request_sent_at
        assert re.fullmatch(
            r"it sent 1 notification since the request \(window/showMessage\), the last "
            r"[0-9.]+ (s|ms|µs) after it",
            still_working(obs),
        )


def _probe(spec: WorkerSpec, *confirmed_ids: str) -> Future[Probe]:
    """A configured probe already judged, its verdict confirming `confirmed_ids`."""
    hypotheses = tuple(Hypothesis(h, h, "confirmed") for h in confirmed_ids)
    diagnosis = Diagnosis("port-no-response", 1, "", 0.9, (), hypotheses=hypotheses)
    done: Future[Probe] = Future()
    done.set_result(Probe(spec, "probe", diagnosis=diagnosis))
    return done


@pytest.mark.skipif(not MCP_TIME.exists(), reason=f"{MCP_TIME} is missing: `make venv`")
def test_doctors_start_up_wait_ends_once_the_worker_is_found_to_refuse_its_request(
    tmp_path: Path, processes: Processes
) -> None:
    """mcp-server-time spoken LSP's initialize (doctor --protocol lsp) never answers it: once
    the configured probe found it does not speak the protocol, Start-up waits no longer for a
    slow start (it waited twice the init timeout); a start found stuck still is waited for."""
    spec = WorkerSpec(argv=(str(MCP_TIME),), protocol="lsp", framing="content-length")
    with WorkerProcess(spec, tmp_path, worker_id="startup") as worker:
        request = worker.ids.request("initialize", {"processId": None, "capabilities": {}})
        assert not isinstance(worker.exchange_request(request, 0.5), Answer)
        until = time.monotonic() + 0.5
        assert answered_later(worker, request, until, _probe(spec, stuck_in_init.ID)) is None
        assert time.monotonic() >= until  # a slow start is given its whole wait
        refused = _probe(spec, framing.ID, envelope.ID)
        assert answered_later(worker, request, time.monotonic() + 3600, refused) is None
        assert worker.poll() is None  # it ended the wait, not the worker


@pytest.mark.skipif(not RUFF.exists(), reason=f"{RUFF} is missing: `make venv`")
def test_a_language_server_exiting_on_mcps_opening_is_told_its_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`ruff server` spoken MCP exits with code 2 ('disconnected channel') as soon as it reads
    the line: no crash to find by hand. The same command spoken LSP in a fresh process answers
    initialize as a language server."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", str(RUFF), "server")
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "exited with code 2; in a fresh process the same command spoken lsp gets a language "
        "server's answer to its opening (initialize)"
    )
    quotes_lsp_answer(d, "its answer to the lsp opening", "w1-exp-protocol-lsp.stdout.bin")


# pyrefly's language server (1.5.0), replayed: its stderr is the recording's
PYREFLY_STDERR = REPO / "tests/fixtures/peers/pyrefly_lsp_sent_a_line.stderr"
STRICT_HEADER = (sys.executable, str(WORKERS / "lsp_strict_header.py"), str(PYREFLY_STDERR))


@pytest.mark.parametrize("spoken", ["mcp", "jsonrpc"])
def test_a_language_server_exiting_with_code_0_on_a_line_is_told_its_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes, spoken: str
) -> None:
    """`pyrefly lsp` sent a line of JSON (MCP's opening, or a JSON-RPC ping) writes 'shutting
    down server' and exits with code 0, as if on purpose (recorded: tests/fixtures/README.md).
    With code 0 no other protocol was asked: it was told to run it by hand and read its
    stderr, though LSP's opening gets its answer."""
    d = verdict(capsys, "--protocol", spoken, "--timeout", WAIT, "--", *STRICT_HEADER)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "exited with code 0; in a fresh process the same command spoken lsp gets a language "
        "server's answer to its opening (initialize)"
    ), d["cause"]
    assert d["remediation"] == (
        "Speak lsp to it (`poolctl ping --protocol lsp`; in a pool, `worker.protocol: lsp`): "
        f"spoken {spoken}, it exits."
    )
    [said] = [e for e in d["evidence"] if e["note"] == "the end of its stderr"]
    assert said["text"] == PYREFLY_STDERR.read_text().strip()


def test_a_server_seen_exiting_after_its_experiments_began_is_not_asked_the_same_again(
    capsys: pytest.CaptureFixture[str], processes: Processes, tmp_path: Path
) -> None:
    """The same server spoken lsp in line framing: its frame in content-length has the request
    asked in content-length in a fresh process; its exit, seen as that copy answers, has it
    judged as the exited worker it is, whose plan asks the request in content-length again:
    a second copy asked what the first had answered. That answer stands for it."""
    server = (sys.executable, str(WORKERS / "lsp_exits_late.py"), "1.5", "1.5")
    run = tmp_path / "run"
    argv = ("--protocol", "lsp", "--framing", "line", "--timeout", WAIT, "--run-dir", str(run))
    d = verdict(capsys, *argv, "--", *server)
    assert confirmed(d) == ["crashed"], d["cause"]
    assert d["cause"].endswith(
        "exited with code 0; in a fresh process the same request in content-length, the "
        "framing of lsp, gets a language server's answer: it exits on the line framing"
    ), d["cause"]
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    started = [e["worker"] for e in events if e["type"] == "experiment_start"]
    assert started.count("w1-exp-framing-content-length") == 1, started


@pytest.mark.skipif(not RUFF.exists(), reason=f"{RUFF} is missing: `make venv`")
def test_a_language_server_slow_to_start_exiting_on_mcps_opening_is_told_to_try_its_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`ruff server` spoken MCP, started 6 s late with a 5 s timeout (a loaded machine's
    start), exits with code 2 past its timeout, and its copy spoken LSP, as slow to start, has
    not answered when its wait is up: the fix was the generic one, to run it by hand and read
    its stderr. Whether it serves LSP is untested, and said so: ping it spoken LSP, longer.
    Here each start is 3 s late, with a 2 s timeout."""
    late = ("sh", "-c", 'sleep 3; exec "$@"', "sh", str(RUFF), "server")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", "2", "--", *late)
    assert confirmed(d) == ["crashed"]
    said = re.search(
        r"exited with code 2; in a fresh process the same command spoken lsp neither answered "
        r"its opening \(initialize\) nor exited within its wait \(no answer within 2 s, less "
        r"than the (\d+\.\d) s this one took to exit\)$",
        d["cause"],
    )
    assert said is not None, d["cause"]
    # the exit's time, to a tenth (the fact keeps 3 decimals: 3.0503 is 3.05 there, 3.1 here)
    assert abs(float(said[1]) - d["facts"]["exited_at_s"]) <= 0.051, (said[1], d["facts"])
    assert d["remediation"].startswith(
        "Ping it spoken lsp with a longer `--timeout` (`poolctl ping --protocol lsp --timeout "
    ), d["remediation"]
    assert "whether it serves lsp is untested" in d["remediation"]


def test_a_server_whose_copy_answers_its_protocol_only_as_it_is_stopped_is_told_that_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """`ruff server` spoken MCP, started 6 s late with a 5 s timeout at a load of 12: its copy
    spoken LSP answered initialize as a language server, but only as it was stopped (7.5 s
    after the request), past its wait, and the fix was the generic one, to run it by hand.
    That answer names the protocol all the same, with a longer timeout. Here a server that
    exits with code 2 on MCP's line and answers LSP's initialize once its stdin ends."""
    server = (sys.executable, str(WORKERS / "lsp_answers_at_eof.py"))
    d = verdict(capsys, "--protocol", "mcp", "--timeout", "2", "--", *server)
    assert confirmed(d) == ["crashed"]
    assert (
        "exited with code 2; in a fresh process the same command spoken lsp gets a language "
        "server's answer to its opening (initialize), past its wait (no answer within "
    ) in d["cause"], d["cause"]
    assert d["remediation"].startswith("Speak lsp to it (`poolctl ping --protocol lsp`")
    assert d["remediation"].endswith(
        "Ping it so with a longer `--timeout`: its answer came past the wait."
    )
    quotes_lsp_answer(d, "its answer to the lsp opening", "w1-exp-protocol-lsp.stdout.bin")


@pytest.mark.skipif(not MCP_TIME.exists(), reason=f"{MCP_TIME} is missing: `make venv`")
def test_no_server_is_started_for_an_experiment_known_to_show_nothing(
    tmp_path: Path, processes: Processes
) -> None:
    """`doctor --protocol lsp` on mcp-server-time started 25 servers, 0.5 s of CPU each (its
    `import mcp`). Two of them each diagnosis knew before the start to show nothing: LSP's
    initialize in packet-1 (351 bytes, over the 255 a packet-1 header holds: it was found on
    writing, the server started and stopped), and PYTHONUNBUFFERED=1 for a worker that has it
    already (the worker as it ran)."""
    spec = WorkerSpec(
        argv=(str(MCP_TIME),),
        protocol="lsp",
        framing="content-length",
        env={"PYTHONUNBUFFERED": "1"},
    )
    opening = get_protocol("lsp").opening(workspace(None))
    tried = [framing_experiment(spec, "packet-1"), unbuffered_experiment(spec)]
    results = run_experiments(
        tried,
        command=opening.method,
        args=dict(opening.params or {}),
        timeout=5.0,
        deadline=time.monotonic() + 10.0,
        capture_dir=tmp_path,
        base_id="w1",
    )
    assert [type(r) for r in results] == [Skipped, Skipped]
    too_long, unbuffered = (r.reason for r in results if isinstance(r, Skipped))
    assert too_long.startswith("the request does not fit this framing: ")
    assert unbuffered == "PYTHONUNBUFFERED=1 is in the worker's environment already: it ran so"
    assert list(tmp_path.iterdir()) == []  # no server started: nothing captured


FORTLS = Path(sys.executable).parent / "fortls"


@pytest.mark.skipif(not FORTLS.exists(), reason="fortls is not installed: pip install -e '.[dev]'")
def test_a_language_server_exiting_after_a_message_in_its_framing_is_told_its_protocol(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """fortls spoken MCP reads the line as a header, says 'Unexpected error: Line endings must
    be \\r\\n' in window/showMessage, in Content-Length frames, and exits with code 0. It was
    told to fix the error it reports and run it by hand: the error is the request's framing,
    and the same command spoken lsp answers."""
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", str(FORTLS))
    assert confirmed(d) == ["crashed"]
    told = (
        "exited with code 0, after the exception `fortls.jsonrpc.JSONRPC2ProtocolError: Line "
        "endings must be \\r\\n`; in a fresh process the same command spoken lsp gets a "
        "language server's answer to its opening (initialize)"
    )
    # a copy whose start a loaded machine slowed past its wait (6 s of the 20, at a load of 14-22)
    # answers past it, and is told so, with a longer --timeout in the fix
    late = re.search(
        re.escape(told) + r", past its wait \(no answer within [\d.]+ s; its", d["cause"]
    )
    assert d["cause"].endswith(told) or late, (d["cause"], d["evidence"], d["hypotheses"])
    if late:
        assert "with a longer `--timeout`" in d["remediation"], d["remediation"]
    quotes_lsp_answer(d, "its answer to the lsp opening", "w1-exp-protocol-lsp.stdout.bin")


@pytest.mark.skipif(not FORTLS.exists(), reason="fortls is not installed: pip install -e '.[dev]'")
@pytest.mark.parametrize("server", ["fortls", "ruff server"])
def test_a_language_server_exiting_on_its_own_protocol_in_line_framing_is_told_its_framing(
    capsys: pytest.CaptureFixture[str], processes: Processes, server: str
) -> None:
    """fortls spoken lsp in line framing exits with code 0 on 'Line endings must be \\r\\n',
    `ruff server` with code 2 on 'disconnected channel': each was told to fix that error or
    run it by hand (only other protocols' openings were asked, and none answered). The same
    request in content-length, LSP's framing, gets its answer in a fresh process: it names the
    framing."""
    argv = [str(FORTLS)] if server == "fortls" else [str(RUFF), "server"]
    d = verdict(capsys, "--protocol", "lsp", "--framing", "line", "--timeout", WAIT, "--", *argv)
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "; in a fresh process the same request in content-length, the framing of lsp, gets a "
        "language server's answer: it exits on the line framing"
    ), d["cause"]
    assert d["remediation"].startswith(
        "Frame its messages in content-length, as lsp does (`poolctl ping --protocol lsp` "
        "without `--framing`"
    )
    [answered] = [e for e in d["evidence"] if e["text"].startswith("in content-length framing")]
    assert answered["text"].startswith("in content-length framing: answered in ")


def test_a_server_exiting_late_after_the_frame_that_broke_the_stream_is_seen_exiting(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """A server that, as fortls does, answers MCP's line with a window/showMessage frame and
    exits, but 0.6 s after that frame (fortls's exit came more than 0.2 s after it on a loaded
    machine): poolctl read on until stdout was quiet for 0.2 s, took it for alive, and said
    it answers in content-length (`framing`). It waits for the exit of a worker that neither
    waits for input nor is gone now (at most a second)."""
    server = (sys.executable, str(WORKERS / "lsp_exits_late.py"), "0.6")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *server)
    assert confirmed(d) == ["crashed"]
    assert "exited with code 0" in d["cause"], d["cause"]


def test_a_server_exiting_after_its_read_on_and_slow_to_start_is_seen_exiting(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """fortls held to 8% of a CPU exits more than a second after its window/showMessage frame,
    past poolctl's read on behind it, and its fresh copies start as slowly: this server exits
    1.5 s after its frame and answers in its own framing 1.5 s after it starts. The fresh copy
    in content-length answered, and with the exit unseen the verdict was the framing: its exit,
    which came while that copy started, is judged as on a quiet machine."""
    server = (sys.executable, str(WORKERS / "lsp_exits_late.py"), "1.5", "1.5")
    d = verdict(capsys, "--protocol", "mcp", "--timeout", WAIT, "--", *server)
    assert confirmed(d) == ["crashed"], d["cause"]
    assert d["cause"].endswith(
        "exited with code 0; in a fresh process the same command spoken lsp gets a language "
        "server's answer to its opening (initialize)"
    ), d["cause"]


JSON_SERVER = REPO / ".peers/node_modules/.bin/vscode-json-language-server"


@pytest.mark.skipif(
    not JSON_SERVER.exists(),
    reason=f"{JSON_SERVER.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_language_server_whose_error_asks_for_stdio_is_told_to_start_it_so(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """vscode-languageserver-node without a transport switch throws 'Connection input stream
    is not set. Use ... '--node-ipc', '--stdio' or '--socket={number}'' (VS Code's JSON server,
    dockerfile-language-server-nodejs, vim-language-server). The fix began 'Fix the error it
    reports ... run it by hand', as if the server were broken."""
    d = verdict(capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(JSON_SERVER))
    assert confirmed(d) == ["crashed"]
    assert "Error: Connection input stream is not set." in d["cause"]
    assert d["remediation"].startswith(
        "Start it with `--stdio`, as its error asks: a language server serves on its pipes only "
        "when started with `--stdio`"
    ), d["remediation"]


@pytest.mark.skipif(
    not JSON_SERVER.exists(),
    reason=f"{JSON_SERVER.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_framing_auto_names_a_language_server_silent_to_a_dspex_ping(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """VS Code's JSON server reads a dspex ping in every framing and says nothing: the trials
    waited their whole timeout, then the ping its own (15.8 s with 5 s). Asked LSP's opening
    once the trials are silent, it answers as a language server: no dspex ping will be."""
    # the ping after the trials waits its whole timeout: a shorter one than WAIT, still long
    # enough for node's start on a loaded machine
    argv = ("--framing", "auto", "--no-experiments", "--timeout", "10")
    code, report = ping(capsys, *argv, "--", str(JSON_SERVER), "--stdio")
    assert code == 1
    trials = [t["detail"] for t in report["extra"]["framing_auto"]["trials"]]
    named = (
        "not waited for: the lsp opening (initialize) in content-length got a language "
        "server's answer first, in "
    )
    assert all(t.startswith(named) for t in trials), trials


DOCKER_SERVER = REPO / ".peers/node_modules/.bin/docker-langserver"


@pytest.mark.skipif(
    not DOCKER_SERVER.exists(),
    reason=f"{DOCKER_SERVER.relative_to(REPO)} is missing: run `make peers` (needs npm)",
)
def test_a_language_server_started_with_an_editors_channel_that_exits_is_told_to_use_stdio(
    capsys: pytest.CaptureFixture[str], processes: Processes
) -> None:
    """dockerfile-language-server-nodejs started with `--node-ipc`, as VS Code starts it, has
    no IPC channel under a pool and exits at once with code 0, writing nothing anywhere. It
    was told to run it by hand and read its stderr, which is empty."""
    d = verdict(
        capsys, "--protocol", "lsp", "--timeout", WAIT, "--", str(DOCKER_SERVER), "--node-ipc"
    )
    assert confirmed(d) == ["crashed"]
    assert d["cause"].endswith(
        "exited with code 0, saying nothing: it was started with `--node-ipc`, to talk over "
        "another channel than its stdin and stdout, which a pool does not open"
    )
    assert d["remediation"].startswith("Start it in stdio mode: drop `--node-ipc`")
    said = {e["note"]: e["text"] for e in d["evidence"]}
    assert said["its stderr log: nothing came there"] == "0 bytes"
    assert said["its stdout: nothing came there"] == "0 bytes"

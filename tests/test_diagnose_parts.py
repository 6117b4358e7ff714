"""The diagnosis' parts on their own: /proc reading, stack interpretation, fallbacks, clean-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from poolctl.diagnose import procinfo, pystack
from poolctl.diagnose.experiments import Outcome, protocol_experiment
from poolctl.diagnose.outcomes import protocol_settled
from poolctl.diagnose.pystack import Frame, ThreadStack, whereabouts
from poolctl.worker import WorkerSpec
from tests.conftest import REFERENCE, Processes, RunCli, marked_processes


def test_parse_syscall_reads_running_idle_and_blocked_threads() -> None:
    assert procinfo.parse_syscall("running\n") == procinfo.Syscall("running")
    assert procinfo.parse_syscall("-1 0x7ffd 0x7f12\n") is not None
    if procinfo.SYSCALL_NAMES.get(0) == "read":  # x86_64
        sc = procinfo.parse_syscall("0 0x0 0x55d1 0x10000 0x0 0x0 0x0 0x7ffd 0x7f12")
        assert sc is not None and sc.name == "read" and sc.fd == 0
        assert sc.describe({0: "pipe:[7]"}) == "read(fd 0 = pipe:[7])"
    assert procinfo.parse_syscall("") is None


def test_snapshot_of_a_process_blocked_reading_stdin(processes: Processes) -> None:
    proc = processes.popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        assert proc.stdin is not None
        time.sleep(0.3)
        snap = procinfo.snapshot(proc.pid)
        assert snap is not None and snap.comm == "cat"
        main = snap.main
        assert main is not None and main.syscall is not None
        assert main.syscall.name == "read" and main.syscall.fd == 0
        assert snap.fds[0] == procinfo.pipe_name(proc.stdin.fileno())
        os.write(proc.stdin.fileno(), b"x" * 10)
        # cat reads what arrives: nothing stays unread in the pipe for long.
        deadline = time.monotonic() + 5
        while procinfo.unread_bytes(proc.stdin.fileno()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert procinfo.unread_bytes(proc.stdin.fileno()) == 0
    finally:
        proc.kill()
        proc.wait()


def test_unread_bytes_counts_what_sits_in_a_pipe() -> None:
    r, w = os.pipe()
    try:
        os.write(w, b"y" * 95)
        assert procinfo.unread_bytes(w) == 95  # asked on the write end, as for a worker's stdin
    finally:
        os.close(r)
        os.close(w)


def _frames(*spec: tuple[str, str, int]) -> ThreadStack:
    return ThreadStack(1, None, False, tuple(Frame(*f) for f in spec))


def test_whereabouts_names_the_import_that_is_running(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text("import os\nimport torch.nn  # heavy\n")
    heavy = tmp_path / "torch_nn.py"
    heavy.write_text("x = 1\nload()\n")
    stack = _frames(
        ("load", str(heavy), 2),
        ("<module>", str(heavy), 2),
        ("_call_with_frames_removed", "<frozen importlib._bootstrap>", 241),
        ("_find_and_load", "<frozen importlib._bootstrap>", 1176),
        ("main", str(app), 2),
    )
    where = whereabouts(stack, str(tmp_path))
    assert where is not None and where.importing == "torch.nn"
    assert where.summary.startswith("inside `import torch.nn` (torch_nn.py:2 in `load`")
    assert "imported at app.py:2" in where.summary


def test_whereabouts_quotes_the_source_line_outside_an_import(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text("import time\ntime.sleep(30)\n")
    where = whereabouts(_frames(("main", str(app), 2)), str(tmp_path))
    assert where is not None and where.importing is None
    assert where.summary == "in app.py:2 in `main`: `time.sleep(30)`"


def test_the_commonest_place_counts_one_import_as_one_place_and_a_tie_goes_to_the_later() -> None:
    quick = pystack.Whereabouts("inside `import json`", "json", "json/decoder.py:3")
    slow = pystack.Whereabouts("inside `import torch`", "torch", "torch/a.py:1")
    slow_later = pystack.Whereabouts("inside `import torch` (later)", "torch", "torch/b.py:9")
    sleeping = pystack.Whereabouts("in app.py:5 in `main`", None, "app.py:5")
    assert pystack.commonest([]) is None
    assert pystack.commonest([quick, slow, slow_later]) == (slow_later, 2)
    assert pystack.commonest([quick, sleeping]) == (sleeping, 1)
    assert pystack.commonest([sleeping, quick, quick, sleeping]) == (sleeping, 2)


def test_short_path_starts_at_the_package_root() -> None:
    import poolctl.workers.slow_module as slow

    assert pystack.short_path(slow.__file__ or "") == "poolctl/workers/slow_module.py"


def test_without_py_spy_proc_still_finds_a_slow_start(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pystack, "py_spy_path", lambda: None)
    argv = ["ping", "--json", "--no-experiments", "--timeout", "1"]
    code, out, _ = run_cli(*argv, "--", *REFERENCE, "--init-delay", "3")
    assert code == 1
    d = json.loads(out)["findings"][0]["outcome"]
    assert [h["id"] for h in d["hypotheses"] if h["status"] == "confirmed"] == ["stuck-in-init"]
    evidence = json.dumps(d["evidence"])
    assert "py-spy is not installed" in evidence and "clock_nanosleep" in evidence


def test_no_experiment_process_outlives_the_diagnosis(run_cli: RunCli) -> None:
    argv = ["ping", "--timeout", "1", "--unset-env", "PYTHONUNBUFFERED"]
    code, _, _ = run_cli(*argv, "--", *REFERENCE, "--buffered", "--ignore-sigterm")
    assert code == 1
    deadline = time.monotonic() + 3
    while marked_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marked_processes() == []


def test_py_spy_is_installed_with_poolctl() -> None:
    """A dependency in pyproject: the stack dumps must not depend on what the machine has."""
    assert pystack.py_spy_path() is not None, sys.executable


# Crash output and the line the diagnosis quotes from it. The node, escript, erl, elixir, bash
# and python ones were captured from real runs on the CI machine's runtimes; Go and Rust (not
# installed there) are in the format their runtimes print a panic.
CRASHES = {
    "node": (
        "node:internal/modules/cjs/loader:1210\n  throw err;\n  ^\n\n"
        "Error: Cannot find module 'sharp'\nRequire stack:\n- /srv/w.js\n",
        "Error: Cannot find module 'sharp'",
    ),
    # heroku-mcp-server 1.2.8 as npm installed it (peers5): its main() caught the error
    "node, caught": (
        "Fatal error in main(): Cannot find module '/srv/node_modules/@modelcontextprotocol/"
        "sdk/dist/esm/server/mcp' imported from /srv/dist/index.js\n",
        "Fatal error in main(): Cannot find module '/srv/node_modules/@modelcontextprotocol/"
        "sdk/dist/esm/server/mcp' imported from /srv/dist/index.js",
    ),
    "escript": (
        "escript: exception error: undefined function json:decode/1\n"
        "  in function  erl_eval:local_func/8 (erl_eval.erl, line 644)\n",
        "escript: exception error: undefined function json:decode/1",
    ),
    "erlang vm": (
        '{"init terminating in do_boot",{undef,[{worker,main,[],[]}]}}\n'
        "init terminating in do_boot ({undef,[{worker,main,[],[]}]})\n",
        '{"init terminating in do_boot",{undef,[{worker,main,[],[]}]}}',
    ),
    "elixir": (
        "** (RuntimeError) DSPY_API_KEY is not set\n"
        "    (stdlib 4.2) erl_eval.erl:744: :erl_eval.do_apply/7\n",
        "** (RuntimeError) DSPY_API_KEY is not set",
    ),
    "go": (
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "[signal SIGSEGV: segmentation violation]\n\ngoroutine 1 [running]:\n",
        "panic: runtime error: invalid memory address or nil pointer dereference",
    ),
    "rust": (
        "thread 'main' panicked at src/main.rs:4:5:\nno config file\n"
        "note: run with `RUST_BACKTRACE=1`\n",
        "thread 'main' panicked at src/main.rs:4:5: no config file",  # its message, next line
    ),
    "rust-1.88": (  # the thread's id after its name
        "\nthread 'main' (23884) panicked at panics.rs:7:45:\ncalled `Result::unwrap()` on an "
        "`Err` value: NotPresent\nstack backtrace:\n   0: __rustc::rust_begin_unwind\n",
        "thread 'main' (23884) panicked at panics.rs:7:45: called `Result::unwrap()` on an "
        "`Err` value: NotPresent",
    ),
    "java": (
        'Exception in thread "main" java.lang.NumberFormatException: Cannot parse null string\n'
        "\tat java.base/java.lang.Integer.parseInt(Integer.java:630)\n"
        "\tat Throws.main(Throws.java:11)\n",
        'Exception in thread "main" java.lang.NumberFormatException: Cannot parse null string',
    ),
    "shell": (
        "./start.sh: line 3: pythn: command not found\n",
        "./start.sh: line 3: pythn: command not found",
    ),
    "python": (
        'Traceback (most recent call last):\n  File "w.py", line 1, in <module>\n'
        "ModuleNotFoundError: No module named 'dspy'\n",
        "ModuleNotFoundError: No module named 'dspy'",
    ),
}


@pytest.mark.parametrize("runtime", list(CRASHES))
def test_the_crash_line_of_each_runtime_is_extracted(runtime: str) -> None:
    from poolctl.diagnose import exception_line

    stderr, line = CRASHES[runtime]
    assert exception_line(stderr) == line


def test_an_erlang_vm_is_named_by_beam_not_its_child_setup_helper() -> None:
    from poolctl.diagnose.live import Live

    def proc(pid: int, comm: str) -> procinfo.ProcState:
        thread = procinfo.ThreadState(pid, "S", "pipe_read", procinfo.Syscall("read", 0, (0,)))
        return procinfo.ProcState(pid, comm, "S", 1, 0.5, 2.0, f"/usr/lib/{comm}", (thread,))

    live = Live(
        processes=(proc(10, "beam.smp"), proc(11, "erl_child_setup")),
        stacks=(),
        stdin_pipe="pipe:[1]",
        stdout_pipe="pipe:[2]",
        stdin_unread=0,
        elapsed=2.0,
        blocked_writers=(),
        stack_file=None,
        cwd=None,
    )
    busiest = live.busiest()
    assert busiest is not None and busiest.comm == "beam.smp"
    assert "(beam.smp)" in live.activity()


def test_the_pythonunbuffered_note_is_for_python_workers_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from poolctl.ping import environment_notes
    from poolctl.worker import WorkerSpec

    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    assert environment_notes(WorkerSpec(argv=(sys.executable, "-m", "poolctl.workers.reference")))
    assert not environment_notes(WorkerSpec(argv=("node", "worker.js")))
    assert not environment_notes(WorkerSpec(argv=("erl", "-noshell")))
    mcp = WorkerSpec(argv=(sys.executable, "server.py"), protocol="mcp", framing="line")
    assert not environment_notes(mcp)  # the SDK flushes every message itself


def _asked(name: str, response: dict[str, object]) -> Outcome:
    """Protocol `name`'s opening, answered `response` in a fresh process."""
    exp = protocol_experiment(WorkerSpec(argv=("server",)), name)
    return Outcome(exp, True, "answered in 12.0 ms", f"w1-exp-protocol-{name}", response=response)


def test_a_protocol_experiment_is_let_go_only_if_it_cannot_change_the_verdict() -> None:
    """The verdict names the first protocol `answering_protocols` ranks: a handshake answered
    without error, the first to end among those. Once one is, the others are not waited for,
    unless one is a handshake protocol that comes before it among the protocols."""
    mcp = _asked("mcp", {"jsonrpc": "2.0", "id": 1, "result": {"protocolVersion": "2025-06-18"}})
    for other in ("dspex", "jsonrpc", "lsp"):
        assert protocol_settled([mcp], f"protocol-{other}") == (
            "the mcp opening (initialize) got an answer first, in 12.0 ms: it names the protocol"
        )
    assert protocol_settled([mcp], "replay") is None  # a framing experiment: its own evidence
    lsp = _asked("lsp", {"jsonrpc": "2.0", "id": 1, "result": {"capabilities": {}}})
    assert protocol_settled([lsp], "protocol-mcp") is None  # a handshake ahead of it
    assert protocol_settled([lsp], "protocol-jsonrpc") is not None
    # unless its answer is a language server's (jedi-language-server's, spoken dspex): asked
    # the same initialize in line framing, it cannot answer as an MCP server
    served = {"capabilities": {"hoverProvider": True}, "serverInfo": {"name": "jedi"}}
    language_server = _asked("lsp", {"jsonrpc": "2.0", "id": 1, "result": served})
    assert protocol_settled([language_server], "protocol-mcp") == (
        "the lsp opening (initialize) got an answer first, in 12.0 ms: it names the protocol"
    )
    # a refusal, or an answer to a protocol without a handshake, names nothing yet
    refused = _asked("mcp", {"jsonrpc": "2.0", "id": 1, "error": {"code": -32602}})
    plain = _asked("jsonrpc", {"jsonrpc": "2.0", "id": 1, "result": {}})
    assert protocol_settled([refused, plain], "protocol-lsp") is None
    # nor does a language server's answer to MCP's initialize (jedi-language-server's, in its
    # framing): no protocolVersion, so no MCP server
    served = {"capabilities": {"hoverProvider": True}, "serverInfo": {"name": "jedi"}}
    not_mcp = _asked("mcp", {"jsonrpc": "2.0", "id": 1, "result": served})
    assert protocol_settled([not_mcp], "protocol-dspex") is None

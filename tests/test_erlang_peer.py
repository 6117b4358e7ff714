"""A real peer: Erlang ports opened with `{packet, N}` against poolctl's framing and worker."""

from __future__ import annotations

import errno
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from poolctl.framing import get_framing
from tests.conftest import Processes, RunCli

pytestmark = [
    pytest.mark.erlang,
    pytest.mark.skipif(
        shutil.which("erl") is None, reason="erl is not installed (apt-get install erlang-nox)"
    ),
]


RunErl = Callable[[str], str]


@pytest.fixture
def run_erl(processes: Processes) -> RunErl:
    """Evaluate Erlang `code` in a fresh VM (it must call halt()) and return what it printed."""

    def run(code: str) -> str:
        done = processes.run(["erl", "-noshell", "-eval", code], timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def port_ping(run_erl: RunErl, extra_opts: str, worker_args: list[str], wait_ms: int) -> str:
    """Open a port to the reference worker, send one request, print the reply or `TIMEOUT`."""
    args = ", ".join(f'"{a}"' for a in ["-m", "poolctl.workers.reference", *worker_args])
    request = json.dumps({"id": 1, "command": "ping", "args": {}, "timestamp": "t"})
    erl_request = request.replace('"', '\\"')
    return run_erl(
        f"""
        Port = open_port({{spawn_executable, "{sys.executable}"}},
                         [{{args, [{args}]}}, {{packet, 4}}, binary, exit_status{extra_opts}]),
        {{os_pid, OsPid}} = erlang:port_info(Port, os_pid),
        port_command(Port, <<"{erl_request}">>),
        receive
            {{Port, {{data, Data}}}} -> io:format("REPLY ~s~n", [Data])
        after {wait_ms} ->
            io:format("TIMEOUT os_pid=~p~n", [OsPid])
        end,
        os:cmd("kill -9 " ++ integer_to_list(OsPid)),
        halt().
        """
    )


def test_erlang_packet_4_port_gets_an_answer_from_the_reference_worker(run_erl: RunErl) -> None:
    out = port_ping(run_erl, "", ["--mode", "PythonPort"], 10000)
    assert out.startswith("REPLY "), out
    reply = json.loads(out[len("REPLY ") :])
    assert reply["id"] == 1 and reply["success"] is True
    assert reply["result"]["mode"] == "PythonPort"


def test_stderr_to_stdout_port_never_gets_an_answer(run_erl: RunErl) -> None:
    """The DSPex failure: a stderr warning on the framed stream reads as a 1.4 GB length."""
    noise = ["--stderr-noise", "Warning: DSPy not available"]
    out = port_ping(run_erl, ", stderr_to_stdout", noise, 2000)
    assert out.startswith("TIMEOUT os_pid="), out


def size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


@pytest.mark.parametrize("name,n", [("packet-1", 1), ("packet-2", 2), ("packet-4", 4)])
def test_erlang_writes_the_bytes_poolctl_encodes(
    run_erl: RunErl, tmp_path: Path, name: str, n: int
) -> None:
    out_file = tmp_path / "framed.bin"
    payloads = [b'{"id":1}', b"x" * 200, b'{"k":"\\u00e9"}']
    binaries = ", ".join("<<" + ",".join(str(b) for b in p) + ">>" for p in payloads)
    run_erl(
        f"""
        Port = open_port({{spawn, "cat > {out_file}"}}, [{{packet, {n}}}, binary, exit_status]),
        [port_command(Port, B) || B <- [{binaries}]],
        port_close(Port), halt().
        """
    )
    framing = get_framing(name)
    expected = b"".join(framing.encode(p) for p in payloads)
    # cat writes what it read once its input closed, maybe after the VM halted: wait for the
    # bytes (a fixed 300 ms in the VM raced it on a loaded machine, and was slower otherwise)
    deadline = time.monotonic() + 30
    while size(out_file) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert out_file.read_bytes() == expected


@pytest.mark.parametrize("name,n", [("packet-1", 1), ("packet-2", 2), ("packet-4", 4)])
def test_erlang_reads_the_frames_poolctl_encodes(
    run_erl: RunErl, tmp_path: Path, name: str, n: int
) -> None:
    framing = get_framing(name)
    payloads = [b"alpha", b"b" * 250, b"{}"]
    in_file = tmp_path / "frames.bin"
    in_file.write_bytes(b"".join(framing.encode(p) for p in payloads))
    out = run_erl(
        f"""
        Port = open_port({{spawn, "cat {in_file}"}}, [{{packet, {n}}}, binary, exit_status]),
        Loop = fun L(Acc) ->
            receive
                {{Port, {{data, D}}}} -> L([byte_size(D) | Acc]);
                {{Port, {{exit_status, _}}}} -> lists:reverse(Acc)
            after 5000 -> timeout
            end
        end,
        io:format("~w~n", [Loop([])]), halt().
        """
    )
    assert out.strip() == "[5,250,2]"


def test_stderr_to_stdout_end_to_end_and_poolctl_names_it(run_erl: RunErl, run_cli: RunCli) -> None:
    """The DSPex failure end to end: what an Erlang port with :stderr_to_stdout receives from
    the worker, read as a `{packet, 4}` port reads it, is what `poolctl ping --stderr merge`
    quotes, and poolctl names the cause: stderr merged into stdout."""
    noise = "Warning: DSPy not available"
    args = ", ".join(f'"{a}"' for a in ["-m", "poolctl.workers.reference", "--stderr-noise", noise])
    out = run_erl(
        f"""
        Port = open_port({{spawn_executable, "{sys.executable}"}},
                         [{{args, [{args}]}}, stream, binary, exit_status, stderr_to_stdout]),
        {{os_pid, OsPid}} = erlang:port_info(Port, os_pid),
        receive
            {{Port, {{data, <<Head:4/binary, _/binary>> = Data}}}} ->
                <<Len:32/big>> = Head,
                io:format("FIRST ~p LENGTH ~p~n", [binary:bin_to_list(Data), Len])
        after 10000 -> io:format("NOTHING~n")
        end,
        os:cmd("kill -9 " ++ integer_to_list(OsPid)),
        halt().
        """
    )
    assert out.startswith("FIRST "), out
    erlang_length = int(out.rsplit("LENGTH ", 1)[1])
    assert noise in out and erlang_length == int.from_bytes(b"Warn", "big")

    code, stdout, _ = run_cli(
        "ping",
        "--json",
        "--timeout",
        "3",
        "--stderr",
        "merge",
        "--",
        sys.executable,
        "-m",
        "poolctl.workers.reference",
        "--stderr-noise",
        noise,
    )
    report = json.loads(stdout)
    assert code == 1
    diagnosis = report["findings"][0]["outcome"]
    assert diagnosis["cause"].startswith("The worker's stderr is merged into stdout")
    assert f"'{noise}'" in diagnosis["cause"]
    assert f"{erlang_length:,}" in diagnosis["cause"]  # the very length the port waits for
    assert [h["id"] for h in diagnosis["hypotheses"] if h["status"] == "confirmed"] == [
        "stderr-merged"
    ]


def test_a_port_reads_on_after_its_program_went_to_the_background(run_erl: RunErl) -> None:
    """A port ends at end of file on its stdout, not when the program it started exits: a
    wrapper that starts the worker with `&` and exits still gets its answer (what
    tests/test_pool_endings.py checks of poolctl's pool)."""
    script = 'exec 3<&0; \\"$@\\" <&3 3<&- &'
    args = ", ".join(f'"{a}"' for a in ["-m", "poolctl.workers.reference"])
    request = json.dumps({"id": 1, "command": "ping", "args": {}}).replace('"', '\\"')
    out = run_erl(
        f"""
        Port = open_port({{spawn_executable, "/bin/sh"}},
                         [{{args, ["-c", "{script}", "sh", "{sys.executable}", {args}]}},
                          {{packet, 4}}, binary, exit_status]),
        {{os_pid, OsPid}} = erlang:port_info(Port, os_pid),
        port_command(Port, <<"{request}">>),
        receive
            {{Port, {{data, Data}}}} -> io:format("REPLY ~s~n", [Data])
        after 10000 -> io:format("TIMEOUT~n")
        end,
        timer:sleep(300),
        io:format("SHELL ~p OPEN ~p~n", [OsPid, erlang:port_info(Port, id) =/= undefined]),
        port_close(Port),
        halt().
        """
    )
    reply_line, shell_line = out.strip().splitlines()
    assert reply_line.startswith("REPLY "), out
    reply = json.loads(reply_line[len("REPLY ") :])
    shell_pid = int(shell_line.split()[1])
    assert reply["success"] is True and reply["result"]["pid"] != shell_pid
    assert shell_line.endswith("OPEN true")  # the shell has exited; the port still reads


def test_a_ports_program_leads_its_session_with_no_terminal(run_erl: RunErl) -> None:
    """What poolctl says of a worker whose setsid() or /dev/tty fails
    (poolctl/diagnose/started_as.py) rests on a port starting its program as poolctl does: in
    a session of its own, leading its process group, with no controlling terminal."""
    code = (
        "import os\\nprint(os.getpid() == os.getpgid(0) == os.getsid(0), flush=True)\\n"
        "try:\\n    os.setsid()\\nexcept OSError as e:\\n    print(e.errno, flush=True)\\n"
        "try:\\n    open('/dev/tty')\\nexcept OSError as e:\\n    print(e.errno, flush=True)\\n"
    )
    out = run_erl(
        f"""
        Port = open_port({{spawn_executable, "{sys.executable}"}},
                         [{{args, ["-c", "{code}"]}}, exit_status, stderr_to_stdout]),
        Loop = fun L(Acc) ->
            receive
                {{Port, {{data, D}}}} -> L(Acc ++ D);
                {{Port, {{exit_status, S}}}} -> io:format("~sEXIT ~p~n", [Acc, S])
            after 10000 -> io:format("~sTIMEOUT~n", [Acc])
            end
        end,
        Loop(""),
        halt().
        """
    )
    assert out.split() == ["True", str(errno.EPERM), str(errno.ENXIO), "EXIT", "0"], out

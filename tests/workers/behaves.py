"""A worker that does what a behaviour spec says, for the generated tests of
tests/test_generated_workers.py: argv[1] is a JSON list of steps run in order, then
`--then loop|hang|exit` (the default: loop, as a worker serves request after request).

Steps: ["read", FRAMING] one request; ["read-bytes", N]; ["answer", FRAMING, VARIANT, DELTA]
the answer to the last request (VARIANT ok, wrong-id, no-success; DELTA added to its length
header: a wrong header, or a partial frame); ["answer-err", FRAMING] that answer on stderr;
["answer-slowly", FRAMING, S] that answer in four parts over S seconds;
["write", "out"|"err", HEX]; ["flood", "out"|"err", N]; ["sleep", S]; ["exit", CODE];
["kill", SIGNAL]; ["fork", SETSID, SECONDS] a child (or, with SETSID, a setsid grandchild)
that holds the pipes and sleeps; ["ignore", SIGNAL]; ["close", FD]; ["spawn", SETSID, STEPS,
THEN] a child (in a session of its own, with SETSID) that runs behaves.py with STEPS, holding
the pipes: a server a wrapper starts; ["wait"] for every child, as a wrapper does;
["exec", ARGV] another program in its place (["exec", ["sh", "-c", "…"]]);
["detach", SETSID, LATE] a child (in a session of its own, with SETSID) goes on with the
steps while the worker exits (LATE seconds later, running all along: a parent the scheduler
runs late);
["dup2", FROM, TO] file descriptor FROM copied onto TO (["dup2", 2, 1]: its stdout is its
stderr from then on, its writes to "out" recorded as "err");
["setpgid"] a process group of its own; ["setsid"] a session of its own (refused, EPERM, to a
group leader); ["block", SIGNAL] in its signal mask.
With BEHAVES_LOG set, every byte written is also appended to BEHAVES_LOG/PID.out or .err, so a
test knows what each process really wrote. Standard library only: it starts fast.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sys
import time
from typing import Any

LOG = os.environ.get("BEHAVES_LOG", "")
last_id: Any = None
landing = {1: "out", 2: "err"}  # where each fd's writes land: a dup2 step moves them


def record(stream: str, data: bytes) -> None:
    if LOG:
        with open(os.path.join(LOG, f"{os.getpid()}.{stream}"), "ab") as f:
            f.write(data)


def write(stream: str, data: bytes) -> None:
    fd = 1 if stream == "out" else 2
    record(landing[fd], data)  # before: a write that blocks or fails was still meant
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_exactly(n: int) -> bytes:
    got = b""
    while len(got) < n:
        chunk = os.read(0, n - len(got))
        if not chunk:
            sys.exit(0)  # end of input: a worker's normal end
        got += chunk
    return got


def read_line() -> bytes:
    got = b""
    while not got.endswith(b"\n"):
        got += read_exactly(1)
    return got


def read_frame(framing: str) -> bytes:
    if framing.startswith("packet-"):
        size = int(framing[7:])
        return read_exactly(int.from_bytes(read_exactly(size), "big"))
    if framing == "line":
        return read_line()
    length = 0
    while (header := read_line()) not in (b"\r\n", b"\n"):
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return read_exactly(length)


def frame(framing: str, body: bytes, delta: int) -> bytes:
    if framing.startswith("packet-"):
        size = int(framing[7:])
        return (len(body) + delta).to_bytes(size, "big") + body
    if framing == "line":
        return body + b"\n"
    return b"Content-Length: %d\r\n\r\n" % (len(body) + delta) + body


def answer(variant: str) -> bytes:
    message: dict[str, Any]
    if isinstance(last_id, dict) and "jsonrpc" in last_id:
        message = {"jsonrpc": "2.0", "id": last_id["id"], "result": {}}
    else:
        rid = last_id.get("id") if isinstance(last_id, dict) else None
        message = {"id": rid, "success": True, "result": {"status": "ok"}}
    if variant == "wrong-id":
        message["id"] = f"not-{message['id']}"
    elif variant == "no-success":
        message.pop("success", None)
    return json.dumps(message).encode()


def fork_holder(setsid: bool, seconds: float) -> None:
    if os.fork() != 0:
        return
    if setsid:
        os.setsid()
        if os.fork() != 0:
            os._exit(0)  # the grandchild, in a session of its own, holds the pipes
    time.sleep(seconds)
    os._exit(0)


def spawn(setsid: bool, steps: list[Any], then: str) -> None:
    if os.fork() != 0:
        return
    if setsid:
        os.setsid()
    os.execv(sys.executable, [sys.executable, __file__, json.dumps(steps), "--then", then])


def wait_children() -> None:
    try:
        while True:
            os.wait()
    except ChildProcessError:
        pass


def step(op: str, *args: Any) -> None:
    global last_id
    if op == "read":
        body = read_frame(args[0])
        try:
            last_id = json.loads(body)
        except ValueError:
            last_id = None
    elif op == "read-bytes":
        os.read(0, args[0])
    elif op == "answer":
        write("out", frame(args[0], answer(args[1]), args[2]))
    elif op == "answer-slowly":  # in four parts over SECONDS: a frame on its way
        data = frame(args[0], answer("ok"), 0)
        cuts = [0, 1, len(data) // 2, len(data) - 1, len(data)]
        for start, end in itertools.pairwise(cuts):
            write("out", data[start:end])
            time.sleep(args[1] / 4)
    elif op == "answer-err":
        write("err", frame(args[0], answer("ok"), 0))
    elif op == "write":
        write(args[0], bytes.fromhex(args[1]))
    elif op == "flood":
        chunk = bytes(range(256)) * 256
        for start in range(0, args[1], len(chunk)):
            write(args[0], chunk[: args[1] - start])
    elif op == "sleep":
        time.sleep(args[0])
    elif op == "exit":
        sys.stdout.flush()
        os._exit(args[0])
    elif op == "kill":
        os.kill(os.getpid(), signal.Signals[args[0]])
        time.sleep(5)  # a stopping signal: stay stopped
    elif op == "fork":
        fork_holder(args[0], args[1])
    elif op == "ignore":
        signal.signal(signal.Signals[args[0]], signal.SIG_IGN)
    elif op == "close":
        os.close(args[0])
    elif op == "spawn":
        spawn(args[0], args[1], args[2])
    elif op == "wait":
        wait_children()
    elif op == "exec":
        os.execvp(args[0][0], args[0])
    elif op == "detach":
        if os.getenv("BEHAVES_DETACHED"):
            return  # once: round after round, the child serves on
        os.environ["BEHAVES_DETACHED"] = "1"
        if os.fork() != 0:
            late = time.monotonic() + (args[1] if len(args) > 1 else 0)
            while time.monotonic() < late:
                pass  # runnable, not asleep, as a parent not yet scheduled to exit
            os._exit(0)  # the worker exits; its child answers in its place
        if args[0]:
            os.setsid()
    elif op == "dup2":
        os.dup2(args[0], args[1])
        landing[args[1]] = landing[args[0]]
    elif op == "setpgid":
        os.setpgid(0, 0)
    elif op == "setsid":
        os.setsid()
    elif op == "block":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.Signals[args[0]]})
    else:
        raise SystemExit(f"behaves.py: unknown step {op!r}")


def main() -> None:
    steps = json.loads(sys.argv[1])
    then = sys.argv[sys.argv.index("--then") + 1] if "--then" in sys.argv else "loop"
    while True:
        for s in steps:
            step(*s)
        if then == "exit":
            return
        if then == "hang":
            while os.read(0, 65536):
                pass
            return


if __name__ == "__main__":
    main()

"""A DSPex worker ({packet, 4}) that answers its init ping, then dies on the next request:
with `KeyError: 'model_name'` (argument `raise`), killed by SIGKILL as the OOM killer ends a
process (argument `kill`; `kill-mid-answer` once half its answer is written), or exiting with
code 0 once half its answer is written (`cut`); or, with `close`, it closes its stdout and
sleeps (it serves nothing more, but runs on); with `dup2`, it copies its stderr onto its stdout
(`os.dup2(2, 1)`), writes its answer there and sleeps; with `devnull`, the same with
/dev/null; with `exec`, it becomes `sleep 60` (exec); with
`abort`, it aborts (SIGABRT, as a failed assertion in native code does); with `exit`, it exits
with code 3 saying nothing, and with `exit-said` after a line on stderr; with `spin`, it spins
on the CPU (a limit on its CPU time ends it: `ulimit -t`); with `allocate`, it allocates 1 GiB
(a limit on its address space refuses it: `ulimit -v`); with `leak`, it opens a file for every
request it answers and never closes it (a limit on its open files ends it: `ulimit -n`); with
`spawn`, it starts a `sleep 60` for every request and leaves it running (a limit on its user's
processes ends it: `ulimit -u`); with `term-group`, it sends SIGTERM to its own process group
(`kill 0`, as a shell script's `trap 'kill 0' EXIT` does), with `int-group` SIGINT (Python
raises it as `KeyboardInterrupt`, and ends by it), with `int-self` SIGINT to itself alone,
with `reexec` it exec()s itself again, the
same command line, dropping the request it read (a restart in place); with `log`, it appends
1 KiB to worker.log in its folder for every request, SIGXFSZ at its default (a limit on the
size of its files ends it: `ulimit -f`); with `hang`, it sleeps 60 s on the second request
(a `timeout` its command runs it under ends it), first writing its pid into the file
$PID_FILE names, if set (for a test to signal it); with `alarm`, it sets `signal.alarm(1)` on
it with no handler for SIGALRM, and sleeps."""

import json
import os
import signal
import struct
import subprocess
import sys
import time

served = 0
held: list[object] = []  # the files `leak` never closes (and `allocate`'s bytes)
while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    served += 1
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    if sys.argv[1] == "spawn":
        held.append(subprocess.Popen(["sleep", "60"]))
    if sys.argv[1] == "leak":
        held.append(open(__file__, "rb"))  # noqa: SIM115
    if served == 2 and sys.argv[1] == "spin":
        while True:
            pass
    if served == 2 and sys.argv[1] == "allocate":
        held.append(bytearray(1 << 30))
    if served == 2 and sys.argv[1] == "raise":
        raise KeyError("model_name")
    if served == 2 and sys.argv[1] == "exec":
        os.execvp("sleep", ["sleep", "60"])
    if served == 2 and sys.argv[1] in ("dup2", "devnull"):
        if sys.argv[1] == "devnull":
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        else:
            os.dup2(2, 1)
        os.write(1, struct.pack(">I", len(body)) + body)  # lands where fd 1 points now
        time.sleep(60)
    if served == 2 and sys.argv[1] == "close":
        os.close(1)
        time.sleep(60)
    if served == 2 and sys.argv[1] == "kill-mid-answer":
        sys.stdout.buffer.write(struct.pack(">I", len(body)) + body[:20])
        sys.stdout.buffer.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    if served == 2 and sys.argv[1] == "abort":
        os.abort()
    if served == 2 and sys.argv[1] == "exit-said":
        sys.stderr.write("fatal: no model configured\n")
    if served == 2 and sys.argv[1].startswith("exit"):
        sys.exit(3)
    if served == 2 and sys.argv[1] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if served == 2 and sys.argv[1] == "term-group":
        os.kill(0, signal.SIGTERM)
    if served == 2 and sys.argv[1] == "int-group":
        os.kill(0, signal.SIGINT)
    if served == 2 and sys.argv[1] == "int-self":
        os.kill(os.getpid(), signal.SIGINT)
    if sys.argv[1] == "log":  # SIGXFSZ at its default, as a native program or Node has it
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        with open("worker.log", "ab", buffering=0) as log:
            log.write(b"x" * 1023 + b"\n")
    if served == 2 and sys.argv[1] == "alarm":  # a timeout guard set, its handler not
        signal.alarm(1)
        time.sleep(30)
    if served == 2 and sys.argv[1] == "hang":
        if "PID_FILE" in os.environ:
            with open(os.environ["PID_FILE"] + ".part", "w") as pid_file:
                pid_file.write(str(os.getpid()))
            os.rename(os.environ["PID_FILE"] + ".part", os.environ["PID_FILE"])
        time.sleep(60)
    if served == 2 and sys.argv[1] == "reexec":
        os.execv(sys.executable, [sys.executable, *sys.argv])
    if served == 2 and sys.argv[1] not in ("leak", "spawn", "log"):
        sys.stdout.buffer.write(struct.pack(">I", len(body)) + body[:20])
        sys.stdout.buffer.flush()
        sys.exit(0)
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()

"""An MCP server (line framing) whose start is slower the first time it is asked MCP's
`initialize` than the next, as a server started beside a diagnosis' other fresh processes on a
loaded machine is slower than the same server started alone: the Nth start asked it answers
after the Nth of its delays (arguments 2 on, seconds since it started; `eof`: once its stdin
ends, as it is stopped, still starting), counted in the file its first argument names. Anything
else it reads (a language server's `initialize`, in any framing) it leaves unanswered, reading
on."""

import json
import os
import sys
import time

COUNTER, DELAYS = sys.argv[1], sys.argv[2:]
started = time.monotonic()

for line in sys.stdin.buffer:
    try:
        message = json.loads(line)
    except ValueError:
        continue  # not a line of JSON: a frame of another framing, read and left unanswered
    params = message.get("params") if isinstance(message, dict) else None
    if message.get("method") != "initialize" or not isinstance(params, dict):
        continue
    if "protocolVersion" not in params:
        continue  # a language server's initialize
    fd = os.open(COUNTER, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.write(fd, b".")  # one byte a start asked: the file's size says which start this is
    os.close(fd)
    delay = DELAYS[min(os.path.getsize(COUNTER), len(DELAYS)) - 1]
    if delay == "eof":
        sys.stdin.buffer.read()
    else:
        time.sleep(max(0.0, float(delay) - (time.monotonic() - started)))
    result = {
        "protocolVersion": params["protocolVersion"],
        "capabilities": {"tools": {}},
        "serverInfo": {"name": "slower-beside-others", "version": "1"},
    }
    answer = {"jsonrpc": "2.0", "id": message["id"], "result": result}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()

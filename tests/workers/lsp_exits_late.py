"""A language server that refuses a header line not ended by CRLF as fortls does: it says so in
window/showMessage, in a Content-Length frame, logs the error to stderr and exits with code 0,
but only DELAY seconds (its argument) after that frame: fortls's exit, on a loaded machine,
came more than 0.2 s after it. Given a second argument, ANSWER_AFTER, it answers a request in
its own framing as fortls does, that many seconds after it started (a start slowed as much);
without, it exits on it, silent."""

import json
import sys
import time

from lsp_io import read_message, send  # beside this file

started = time.monotonic()
DELAY = float(sys.argv[1])
ANSWER_AFTER = float(sys.argv[2]) if len(sys.argv) > 2 else None

line = sys.stdin.buffer.readline()
if not line.endswith(b"\r\n"):
    message = "Unexpected error: Line endings must be \\r\\n"
    send(
        {
            "jsonrpc": "2.0",
            "method": "window/showMessage",
            "params": {"type": 1, "message": message},
        }
    )
    print(message, file=sys.stderr, flush=True)
    time.sleep(DELAY)
elif ANSWER_AFTER is not None:
    length = int(line.partition(b":")[2])
    while sys.stdin.buffer.readline().strip():  # the header's other lines, to the empty one
        pass
    request = json.loads(sys.stdin.buffer.read(length))
    time.sleep(max(0.0, ANSWER_AFTER - (time.monotonic() - started)))
    send({"jsonrpc": "2.0", "id": request["id"], "result": {"capabilities": {}}})
    read_message()  # until its stdin ends

"""A language server that refuses a header line not ended by CRLF as fortls does: it says so in
window/showMessage, in a Content-Length frame, logs the error to stderr and exits with code 0,
but only DELAY seconds (its argument) after that frame: fortls's exit, on a loaded machine,
came more than 0.2 s after it."""

import sys
import time

from lsp_io import send  # beside this file

DELAY = float(sys.argv[1])

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

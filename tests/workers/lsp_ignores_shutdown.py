"""A language server that answers initialize and requests, but never its closing: `shutdown`
goes unanswered, `exit` is read and ignored, and it reads on (at end of input it waits for
more, for ever). Given `term`, it ignores SIGTERM too, so that only SIGKILL ends it."""

import signal
import sys
import time

from lsp_io import read_message, send  # beside this file

if "term" in sys.argv[1:]:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    message = read_message()
    if message is None:  # its stdin closed: it waits for a shutdown that will not come
        time.sleep(0.05)
        continue
    method = message.get("method")
    if "id" not in message or method == "shutdown":
        continue  # notifications (exit among them) and shutdown: ignored
    result: object = {"capabilities": {}} if method == "initialize" else {"ok": True}
    send({"jsonrpc": "2.0", "id": message["id"], "result": result})

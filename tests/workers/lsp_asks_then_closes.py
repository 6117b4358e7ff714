"""A language server that handles its messages one at a time, as gopls does: DELAY seconds
(its argument, 0.2 by default) after `initialized` it asks the client
window/workDoneProgress/create, and reads nothing else until that is answered; the messages
that came meanwhile are then handled in order (shutdown answered, exit ends it with code 0).
A client that closes at once sends shutdown while the request is on its way: held unanswered,
the shutdown is never answered."""

import sys
import time

from lsp_io import read_message, send  # beside this file

DELAY = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
queued: list[dict[str, object]] = []


def handle(message: dict[str, object]) -> None:
    method = message.get("method")
    if method == "exit":
        sys.exit(0)
    if "id" not in message or "method" not in message:
        return  # a notification, or an answer
    result: object = {"capabilities": {}} if method == "initialize" else None
    send({"jsonrpc": "2.0", "id": message["id"], "result": result})


while (message := read_message()) is not None:
    handle(message)
    if message.get("method") != "initialized":
        continue
    time.sleep(DELAY)  # its start's work: loading the workspace
    send({"jsonrpc": "2.0", "id": "progress-1", "method": "window/workDoneProgress/create",
          "params": {"token": "load"}})  # fmt: skip
    while (reply := read_message()) is not None and reply.get("id") != "progress-1":
        queued.append(reply)  # handled once its own request is answered
    if reply is None:
        sys.stderr.write("client closed the connection before answering progress-1\n")
        sys.exit(1)
    for waiting in queued:
        handle(waiting)
    queued.clear()

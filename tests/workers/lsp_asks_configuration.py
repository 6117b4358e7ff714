"""A language server that asks its client for `workspace/configuration` once it is
initialized, as pyrefly's (1.5.0) does, and logs an answer that comes after the client's
`shutdown` as an error to stderr, as pyrefly does (`ERROR Unexpected response after shutdown`).
Its request is written a moment after `initialized`, as a client that closes at once has sent
`shutdown` by then: the order pyrefly met, every time."""

import sys
import time

from lsp_io import read_message, send  # beside this file

shutdown = False
while (message := read_message()) is not None:
    method = message.get("method")
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": message["id"], "result": {"capabilities": {}}})
    elif method == "initialized":
        time.sleep(0.2)
        items = [{"section": "python"}, {"section": "python.analysis"}]
        send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "workspace/configuration",
                "params": {"items": items},
            }
        )
        print(" INFO asked for the workspace configuration", file=sys.stderr, flush=True)
    elif method == "shutdown":
        shutdown = True
        send({"jsonrpc": "2.0", "id": message["id"], "result": None})
    elif method == "exit":
        sys.exit(0 if shutdown else 1)
    elif "method" not in message:  # a response: the configuration
        late = " after shutdown" if shutdown else ""
        level = "ERROR Unexpected response" if shutdown else " INFO Response"
        print(f"{level}{late}: {message}", file=sys.stderr, flush=True)
    elif "id" in message:
        send({"jsonrpc": "2.0", "id": message["id"], "result": {}})

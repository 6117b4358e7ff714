"""A language server that ends badly after `shutdown` and `exit`: `code3` exits with code 3
(LSP asks for 0 after a shutdown), `stays` ignores `exit` and keeps running (a process left
behind at every editor close)."""

import sys
import time

from lsp_io import read_message, send  # beside this file

MODE = sys.argv[1]


while (message := read_message()) is not None:
    if message.get("method") == "exit":
        if MODE == "stays":
            time.sleep(60)
        sys.exit(3)
    if "id" in message:
        result = (
            {"capabilities": {"hoverProvider": True}}
            if message.get("method") == "initialize"
            else None
        )
        send({"jsonrpc": "2.0", "id": message["id"], "result": result})

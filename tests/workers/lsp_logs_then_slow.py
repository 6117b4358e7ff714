"""A language server that logs as it takes its first message and answers it only ANSWER_AFTER
seconds later (its argument), as the Nomic Foundation's Solidity language server 0.8.4 does:
asked initialize in content-length it writes `window/logMessage` 'Language server starting' at
once and answers 4 to 8 s later on a loaded machine. Spoken line framing, it waits for the rest
of a header, as a Content-Length reader does."""

import sys
import time

from lsp_io import read_message, send  # beside this file

ANSWER_AFTER = float(sys.argv[1])

request = read_message()
if request is not None:
    send(
        {
            "jsonrpc": "2.0",
            "method": "window/logMessage",
            "params": {"type": 3, "message": "Language server starting"},
        }
    )
    time.sleep(ANSWER_AFTER)
    send({"jsonrpc": "2.0", "id": request.get("id"), "result": {"capabilities": {}}})
    while read_message() is not None:  # until its stdin ends
        pass

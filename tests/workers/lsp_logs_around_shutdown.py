"""A language server that logs a line to its stderr around its answer to shutdown, as
pytest-language-server 0.24.0 logs `WARN … No virtual environment found` as it scans its
workspace: started as `sh -c '… 2>&1'`, the line lands among its frames. `before` (its
argument): logged before the answer, then it exits with code 0 (pytest-language-server ended so
once asked to shut down, its stream broken before its answer); `after`: logged after the answer,
then it waits for exit."""

import sys

from lsp_io import read_message, send  # beside this file

WHEN = sys.argv[1]
LINE = "2026-12-03T16:33:46.331062Z  WARN scanner: No virtual environment found\n"

while (message := read_message()) is not None:
    method = message.get("method")
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": message["id"], "result": {"capabilities": {}}})
    elif method == "shutdown":
        if WHEN == "before":
            sys.stderr.write(LINE)
            sys.stderr.flush()
        send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        if WHEN == "before":
            sys.exit(0)
        sys.stderr.write(LINE)
        sys.stderr.flush()
    elif method == "exit":
        sys.exit(0)

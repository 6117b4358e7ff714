"""A language server that reads its headers strictly and, on a first line that is no
`Content-Length` header, shuts down with code 0 as if on purpose: pyrefly's (`pyrefly lsp`
1.5.0) sent MCP's opening, a line of JSON. Its stderr replays pyrefly's, recorded
(argv[1]: tests/fixtures/peers/pyrefly_lsp_sent_a_line.stderr): the first line as it starts,
the rest as it shuts down."""

import sys
from pathlib import Path

from lsp_io import read_message, send  # beside this file

starting, *stopping = Path(sys.argv[1]).read_text().splitlines(keepends=True)
sys.stderr.write(starting)
sys.stderr.flush()
first = sys.stdin.buffer.peek(1) if hasattr(sys.stdin.buffer, "peek") else b""
if not first.lower().startswith(b"c"):  # not the `Content-Length` header's first byte
    sys.stderr.write("".join(stopping))
    sys.exit(0)
while (message := read_message()) is not None:
    if message.get("method") == "exit":
        sys.exit(0)
    if "id" in message:
        result = (
            {"capabilities": {"hoverProvider": True}, "serverInfo": {"name": "strict-header"}}
            if message.get("method") == "initialize"
            else None
        )
        send({"jsonrpc": "2.0", "id": message["id"], "result": result})

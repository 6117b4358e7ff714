"""A language server whose Content-Length counts its message's characters, not its bytes (it
measures the text before encoding it): with non-ASCII text in an answer (a hover in German,
a server name with an accent), the header is short by a byte per extra UTF-8 byte, and a
client cuts the message there."""

import json
import sys

from lsp_io import read_message  # beside this file

while (request := read_message()) is not None:
    if "id" in request:
        info = {"name": "größen-server", "version": "0.1"}
        result = {"capabilities": {"hoverProvider": True}, "serverInfo": info}
        text = json.dumps(
            {"jsonrpc": "2.0", "id": request["id"], "result": result}, ensure_ascii=False
        )
        sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(text) + text.encode())
        sys.stdout.buffer.flush()

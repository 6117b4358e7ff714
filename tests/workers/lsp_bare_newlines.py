"""A language server that ends its header lines with a bare newline (`Content-Length: 59\n\n`)
where the base protocol wants `\r\n`: a client waits for the header's end forever. It reads
either ending itself, as lenient servers do. With --banner it prints a line of text first, as
a launcher script does."""

import json
import sys

from lsp_io import read_message  # beside this file

if "--banner" in sys.argv:
    print("server starting", flush=True)

while (request := read_message()) is not None:
    if "id" in request:
        reply = {"jsonrpc": "2.0", "id": request["id"], "result": {"capabilities": {}}}
        body = json.dumps(reply).encode()
        sys.stdout.buffer.write(b"Content-Length: %d\n\n" % len(body) + body)
        sys.stdout.buffer.flush()

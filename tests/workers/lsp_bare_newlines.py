"""A language server that ends its header lines with a bare newline (`Content-Length: 59\n\n`)
where the base protocol wants `\r\n`: a client waits for the header's end forever. It reads
either ending itself, as lenient servers do."""

import json
import sys


def read_message() -> dict[str, object] | None:
    length = 0
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        if line.strip() == b"":
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    message: dict[str, object] = json.loads(sys.stdin.buffer.read(length))
    return message


while (request := read_message()) is not None:
    if "id" in request:
        reply = {"jsonrpc": "2.0", "id": request["id"], "result": {"capabilities": {}}}
        body = json.dumps(reply).encode()
        sys.stdout.buffer.write(b"Content-Length: %d\n\n" % len(body) + body)
        sys.stdout.buffer.flush()

"""A worker whose stdout starts with a UTF-8 byte order mark, as one whose output encoding is
`utf-8-sig` (or, in .NET, a UTF8Encoding with its preamble) writes it. `line`: the DSPex
envelope as newline-delimited JSON; `lsp`: a language server (Content-Length headers) that
answers `initialize` and every other request with null."""

import json
import sys

mode = sys.argv[1]
out, inp = sys.stdout.buffer, sys.stdin.buffer
out.write("\ufeff".encode())
out.flush()
if mode == "line":
    for line in inp:
        request = json.loads(line)
        out.write(json.dumps({"id": request["id"], "success": True, "result": {}}).encode())
        out.write(b"\n")
        out.flush()
while mode == "lsp":
    headers: dict[str, str] = {}
    while (header := inp.readline()) not in (b"\r\n", b""):
        name, value = header.decode().split(":", 1)
        headers[name.lower()] = value.strip()
    if not header:
        break
    message = json.loads(inp.read(int(headers["content-length"])))
    if "id" in message:
        result: dict[str, dict[str, str]] | None = None
        if message["method"] == "initialize":
            result = {"capabilities": {}}
        body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode()
        out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        out.flush()

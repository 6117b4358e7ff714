"""A language server that exits with code 2 on a line that is no header, as `ruff server`
spoken MCP does ('disconnected channel'), and answers LSP's initialize only once its stdin
ends: a start so slow (a loaded machine's) that its answer comes as poolctl stops it."""

import json
import sys

from lsp_io import send  # beside this file

line = sys.stdin.buffer.readline()
if not line.endswith(b"\r\n"):
    print(
        "ruff failed\n  Cause: Failed to start server\n  Cause: disconnected channel",
        file=sys.stderr,
    )
    sys.exit(2)
length = int(line.partition(b":")[2])
while sys.stdin.buffer.readline().strip():  # the header's other lines, to the empty one
    pass
request = json.loads(sys.stdin.buffer.read(length))
sys.stdin.buffer.read()  # still starting when its stdin ends
send({"jsonrpc": "2.0", "id": request["id"], "result": {"capabilities": {}}})

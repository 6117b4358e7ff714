"""A DSPex worker ({packet, 4}) that exits at end of input, but only after 0.8 s of CPU spent
tearing down, as a server on the MCP SDK spends a moment of CPU once its stdin closes
(mcp-server-time 2026.10 exited 0.2-2.0 s after it on a loaded machine)."""

import json
import struct
import sys
import time

while True:
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:  # end of input: tear down, then exit
        end = time.process_time() + 0.8
        while time.process_time() < end:
            pass
        sys.exit(0)
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()

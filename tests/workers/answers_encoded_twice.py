"""A worker that encodes each answer twice (`json.dumps` of what `json.dumps` returned): a
JSON string holding its answer, in line framing or, with `--packet-4`, in packet-4 frames."""

import json
import struct
import sys

packet = "--packet-4" in sys.argv
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
while True:
    if packet:
        header = stdin.read(4)
        if len(header) < 4:
            break
        request = json.loads(stdin.read(struct.unpack(">I", header)[0]))
    else:
        line = stdin.readline()
        if not line:
            break
        request = json.loads(line)
    answer = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    body = json.dumps(answer).encode()  # the answer's text, encoded again as a JSON string
    stdout.write(struct.pack(">I", len(body)) + body if packet else body + b"\n")
    stdout.flush()

"""A worker that encodes each answer twice (`json.dumps` of what `json.dumps` returned): a
JSON string holding its answer, in line framing or, with `--packet-4`, in packet-4 frames;
with `--after-init`, from its second request on (a pool's init ping is answered)."""

import json
import struct
import sys

packet = "--packet-4" in sys.argv
served = 0
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
    served += 1
    answer = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    if served > 1 or "--after-init" not in sys.argv:
        answer = json.dumps(answer)  # the answer's text, encoded again as a JSON string
    body = answer.encode()
    stdout.write(struct.pack(">I", len(body)) + body if packet else body + b"\n")
    stdout.flush()

"""A DSPex worker ({packet, 4}) that answers every request at once, but not as its answer:
`id-string` sends the id back as a string (`"1"` for 1, as a worker that makes every id a
string does), `no-success` leaves out the boolean `success` field."""

import json
import struct
import sys

mode = sys.argv[1]
while True:
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:
        break
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    answer = {"id": request["id"], "success": True, "result": {"status": "ok"}}
    if mode == "id-string":
        answer["id"] = str(request["id"])
    elif mode == "no-success":
        del answer["success"]
    body = json.dumps(answer).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()

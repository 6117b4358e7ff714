"""A worker that prints a banner to stdout, then answers each request in a way no client reads
as a message of its framing: `--pretty` answers a line request with JSON spread over lines
(`json.dumps(reply, indent=2)`), `--lines` reads packet-4 requests and answers with a JSON line
(`print(json.dumps(reply))`). The request's id is on stdout after the banner, but no whole
message carrying it is."""

import json
import struct
import sys

mode = sys.argv[1]
print("worker ready", flush=True)
if mode == "--pretty":
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps({"id": request["id"], "success": True, "result": "pong"}, indent=2))
        sys.stdout.flush()
else:
    stdin = sys.stdin.buffer
    while len(head := stdin.read(4)) == 4:
        request = json.loads(stdin.read(struct.unpack(">I", head)[0]))
        print(json.dumps({"id": request["id"], "success": True, "result": "pong"}), flush=True)

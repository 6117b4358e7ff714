"""A DSPex worker ({packet, 4}) that starts at once, reads each request as it comes, and
answers it `argv[1]` seconds later: its first answer is slow, not its start-up. With `retries`
(`argv[2]`), it logs a failed connection to a service on stderr at each third of that wait, as
a server retrying a service it cannot reach does."""

import json
import struct
import sys
import time

while len(header := sys.stdin.buffer.read(4)) == 4:
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    if sys.argv[2:] == ["retries"]:
        for attempt in (1, 2, 3):
            time.sleep(float(sys.argv[1]) / 3)
            print(f"API request connection error; retrying (attempt {attempt}/3)", file=sys.stderr)
            sys.stderr.flush()
    else:
        time.sleep(float(sys.argv[1]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()

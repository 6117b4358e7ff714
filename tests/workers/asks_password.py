"""A DSPex worker ({packet, 4}) that asks for a secret with getpass before it serves, as a
script written to be run by hand does: with no terminal, getpass prompts on stderr and reads
the reply from stdin, where the requests come."""

import getpass
import json
import struct
import sys

secret = getpass.getpass("Vault password: ")
while True:
    header = sys.stdin.buffer.read(4)
    if len(header) < 4:
        break
    request = json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0]))
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body)
    sys.stdout.buffer.flush()

"""A line worker whose handler queries a service (a database, say) at 127.0.0.1:PORT that
accepts the connection and never answers. With `--timeout`, the socket has one (60 s), and
Python waits for the answer in poll() rather than in recv()."""

import json
import socket
import sys

port = int(sys.argv[1])
for line in sys.stdin:
    request = json.loads(line)
    service = socket.create_connection(("127.0.0.1", port))
    if "--timeout" in sys.argv:
        service.settimeout(60)
    service.sendall(b"SELECT 1;\n")
    service.recv(100)  # the service never answers
    print(json.dumps({"id": request["id"], "success": True, "result": {}}), flush=True)

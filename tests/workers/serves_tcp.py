"""A worker that serves on a TCP port (as a server run with `--tcp` or `--port` does) and never
reads its stdin: the request on the pipe is never read. With `--banner` it says so on stdout
first, as an MCP server started with its HTTP transport does ("Starting Streamable HTTP
server...")."""

import socket
import sys
import time

if "--banner" in sys.argv:
    print("Starting Streamable HTTP server...", flush=True)
server = socket.create_server(("127.0.0.1", 0))
print(f"listening on {server.getsockname()[0]}:{server.getsockname()[1]}", file=sys.stderr)
sys.stderr.flush()
while True:
    server.settimeout(60)
    try:
        connection, _ = server.accept()
        connection.close()
    except TimeoutError:
        time.sleep(0)

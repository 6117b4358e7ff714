"""A language server that ends badly after `shutdown` and `exit`: `code3` exits with code 3
(LSP asks for 0 after a shutdown), `stays` ignores `exit` and keeps running (a process left
behind at every editor close)."""

import json
import sys
import time

MODE = sys.argv[1]


def read_message() -> dict[str, object] | None:
    length = 0
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return None
        if line.strip() == b"":
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    message: dict[str, object] = json.loads(sys.stdin.buffer.read(length))
    return message


def send(body: dict[str, object]) -> None:
    data = json.dumps(body).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
    sys.stdout.buffer.flush()


while (message := read_message()) is not None:
    if message.get("method") == "exit":
        if MODE == "stays":
            time.sleep(60)
        sys.exit(3)
    if "id" in message:
        result = (
            {"capabilities": {"hoverProvider": True}}
            if message.get("method") == "initialize"
            else None
        )
        send({"jsonrpc": "2.0", "id": message["id"], "result": result})

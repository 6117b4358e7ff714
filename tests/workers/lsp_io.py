"""The base protocol as the test language servers read and write it: header lines (either
line ending, as lenient servers take them), an empty line, then the body."""

import json
import sys


def read_message() -> dict[str, object] | None:
    """The next message on stdin, or None at its end."""
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
    """`body` framed as the base protocol says (its length in bytes)."""
    data = json.dumps(body).encode()
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
    sys.stdout.buffer.flush()

"""A JSON-RPC server framed by a 1-byte length header (Erlang's {packet, 1}): every request is
answered with its params, every notification read and dropped. A frame holds 255 bytes at
most, so a notification longer than that cannot be sent to it at all."""

from __future__ import annotations

import json
import sys


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while header := stdin.read(1):
        message = json.loads(stdin.read(header[0]))
        if "id" not in message:
            continue
        answer = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": {}}).encode()
        stdout.write(bytes([len(answer)]) + answer)
        stdout.flush()


main()

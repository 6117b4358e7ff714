"""A DSPex worker ({packet, 4}) that reads its stdin on a thread from the first instant, while
its main thread's start-up takes argv[1] seconds (a model loaded, a slow import): the reader
queues each request, and the main thread answers them once its start-up is over. Its stdin
pipe is empty as soon as a request arrives, its reader thread back in its read."""

import json
import queue
import struct
import sys
import threading
import time

requests: queue.Queue[dict[str, object]] = queue.Queue()


def read_requests() -> None:
    while len(header := sys.stdin.buffer.read(4)) == 4:
        requests.put(json.loads(sys.stdin.buffer.read(struct.unpack(">I", header)[0])))


threading.Thread(target=read_requests, daemon=True).start()
time.sleep(float(sys.argv[1]))  # the start-up
while True:
    request = requests.get()
    body = json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}})
    sys.stdout.buffer.write(struct.pack(">I", len(body)) + body.encode())
    sys.stdout.buffer.flush()

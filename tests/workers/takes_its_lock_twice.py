"""A line worker whose handler takes a `threading.Lock` it already holds (a helper called
under the lock takes it again): its one thread waits on itself forever."""

import json
import sys
import threading
from typing import Any

lock = threading.Lock()


def handle(request: dict[str, Any]) -> dict[str, Any]:
    with lock:
        return log_and_answer(request)


def log_and_answer(request: dict[str, Any]) -> dict[str, Any]:
    with lock:  # taken again by the thread that holds it
        return {"id": request["id"], "success": True, "result": {}}


for line in sys.stdin:
    print(json.dumps(handle(json.loads(line))), flush=True)

"""A line worker whose handler hands the work to a thread and joins it: the thread takes 30 s,
so the main thread waits on it (a futex) well past any timeout here."""

import json
import sys
import threading
import time

for line in sys.stdin:
    request = json.loads(line)
    worker = threading.Thread(target=time.sleep, args=(30,), daemon=True)
    worker.start()
    worker.join()
    print(json.dumps({"id": request["id"], "success": True, "result": {}}), flush=True)

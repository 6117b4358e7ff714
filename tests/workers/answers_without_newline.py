"""A line worker that writes each answer whole and flushes it, but never the newline that ends
its line (`sys.stdout.write(json.dumps(answer))`): a line reader never takes it."""

import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    sys.stdout.write(json.dumps({"id": request["id"], "success": True, "result": {}}))
    sys.stdout.flush()

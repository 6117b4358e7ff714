"""A newline-delimited worker that prints its answer dict (`print(answer)`): Python writes the
dict's repr, {'id': 1, 'success': True, ...}, not JSON."""

import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    print({"id": request["id"], "success": True, "result": {"status": "ok"}}, flush=True)

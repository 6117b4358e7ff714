"""A Python worker that writes a plain banner to stdout before its first answer, in line
framing: the text alone does not tell its language; its command, or its launcher, does."""

import json
import sys

print("server ready", flush=True)
for line in sys.stdin:
    answer = {"id": json.loads(line)["id"], "success": True, "result": {}}
    print(json.dumps(answer), flush=True)

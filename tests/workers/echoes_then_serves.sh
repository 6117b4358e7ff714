#!/bin/sh
# A start script that says it is starting with `echo` (stdout) and execs its server, which
# writes nothing but frames: the wrapper's own line lands on the framed stream.
echo "Starting server..."
exec python3 -c '
import json, sys
for line in sys.stdin:
    print(json.dumps({"id": json.loads(line)["id"], "success": True, "result": {}}), flush=True)
'

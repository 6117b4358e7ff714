#!/bin/sh
# A start script whose server prints its settings as a Python dict (print(settings)) before
# its first answer, run as its child (no `exec`: its running process stays the shell): the
# script names no language, the text's shape does.
python3 -c '
import json, sys
print({"model": "small", "workers": 2}, flush=True)
for line in sys.stdin:
    print(json.dumps({"id": json.loads(line)["id"], "success": True, "result": {}}), flush=True)
'
exit $?

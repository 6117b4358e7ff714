"""A JSON worker (line framing) that writes its answers into a 1 MiB stdout buffer of its own
and flushes it only as it exits, or after each answer when its stdout is a terminal and its
argument is `terminal`: behind a pipe no answer comes out before some 19,000 of them fill it,
as a reader of its whole input's would not."""

import json
import os
import sys

out = open(1, "w", buffering=1 << 20, closefd=False)  # noqa: SIM115 (kept open to the exit)
flush_each = os.isatty(1) and sys.argv[1:] == ["terminal"]
for line in sys.stdin:
    request = json.loads(line)
    out.write(json.dumps({"id": request["id"], "success": True, "result": {"status": "ok"}}))
    out.write("\n")
    if flush_each:
        out.flush()
out.flush()

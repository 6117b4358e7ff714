"""A language server that serves on its pipes only with `--stdio`, as svelteserver: without it,
it exits with code 0 after EXIT_AFTER seconds (its first argument), silent and reading nothing;
with it, it answers `initialize` ANSWER_AFTER seconds (its second) after it started, or never
(`never`: it stays up, silent), or once its stdin ends (`eof`: as it is stopped, still
starting). Either wait stands for a start-up slowed by a loaded machine."""

import sys
import time

from lsp_io import read_message, send  # beside this file

EXIT_AFTER, ANSWER_AFTER = sys.argv[1], sys.argv[2]
started = time.monotonic()

if "--stdio" not in sys.argv:
    time.sleep(float(EXIT_AFTER))
    sys.exit(0)
if ANSWER_AFTER == "never":
    time.sleep(3600)
message = read_message()
if ANSWER_AFTER == "eof":
    sys.stdin.buffer.read()
else:
    time.sleep(max(0.0, float(ANSWER_AFTER) - (time.monotonic() - started)))
if message is not None:
    send({"jsonrpc": "2.0", "id": message["id"], "result": {"capabilities": {}}})
read_message()  # until its stdin ends

"""A server started in another channel by an option's value (`server -m socket`), as
graphql-lsp is: it exits at once saying `--port is required …`, and its `--help` names the
value that gives stdio. Each `--help` it is asked for is counted, a line in helps-read.txt in
its working directory: a Node server's `--help` costs a whole start."""

import sys

if "--help" in sys.argv:
    with open("helps-read.txt", "a", encoding="utf-8") as count:
        count.write("--help\n")
    print("Usage: server [options]\n")
    print("  -m, --method  The IPC method.")
    print("                Can be one of: stream, node, socket.")
    sys.exit(0)
sys.stderr.write("--port is required to establish socket connection.\n")
sys.exit(1)

"""python-lsp-server, wrapped the way a launcher script breaks it: a line on stdout before the
first `Content-Length` header ("Content-Length not found in header" in the client)."""

import sys

from pylsp.__main__ import main

print("pylsp: starting language server", flush=True)
sys.argv = ["pylsp"]
main()

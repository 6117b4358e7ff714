"""A language server that starts for START seconds (its argument) before it reads anything, then
refuses initialize as astro-ls 2.x does without its option: 'Request initialize failed with
message: The `typescript.tsdk` init option is required.' Past a shorter timeout, poolctl waits
on and sees the request read while it waits, then the refusal."""

import sys
import time

from lsp_io import read_message, send  # beside this file

time.sleep(float(sys.argv[1]))
request = read_message()
time.sleep(0.5)  # read, then the refusal: poolctl's watch over its wait sees the read
if request is not None:
    message = (
        "Request initialize failed with message: The `typescript.tsdk` init option is required."
    )
    send({"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": -32603, "message": message}})
    while read_message() is not None:  # until its stdin ends
        pass

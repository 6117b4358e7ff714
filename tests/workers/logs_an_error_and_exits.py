"""A worker that checks its configuration at start, logs the error with Python's logging at its
default format and exits 1 without a traceback, as `mcp-server-git --repository /missing`
does (`ERROR:mcp_server_git.server:/missing does not exist`)."""

import logging
import os
import sys

logging.basicConfig()
log = logging.getLogger("worker.config")
log.warning("no cache directory given: using a temporary one")
path = sys.argv[1]
if not os.path.isdir(path):
    log.error("%s does not exist", path)
    sys.exit(1)

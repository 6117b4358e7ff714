"""A worker that checks its configuration at start, logs the error with Python's logging at its
default format and exits 1 without a traceback, as `mcp-server-git --repository /missing`
does (`ERROR:mcp_server_git.server:/missing does not exist`). Given a folder with no `.git` in
it, it logs that and exits 0, as mcp-server-git 2026.10.19 does (`ERROR:mcp_server_git.server:
/tmp is not a valid Git repository`, then a `return` from its main)."""

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
if not os.path.isdir(os.path.join(path, ".git")):
    log.error("%s is not a valid Git repository", path)
    sys.exit(0)

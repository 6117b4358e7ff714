"""poolctl: diagnose pools of JSON-over-stdio worker processes and triage their test failures.

Kept free of imports on purpose: the bundled reference worker runs as
`python -m poolctl.workers.reference` and must start as fast as a bare interpreter.
"""

import resource
import sys

__version__ = "0.1.0"

# Under a file-size limit (`ulimit -f`) CPython writes a module's bytecode cache with one
# write() that the limit cuts short, and keeps the cut file: every later import of that module,
# by any poolctl run, then fails with `EOFError: marshal data too short` (a 4 KiB limit cut
# poolctl/logs/pytest_log.py's). No cache is written under such a limit. (resource: 0.2 ms.)
if resource.getrlimit(resource.RLIMIT_FSIZE)[0] != resource.RLIM_INFINITY:
    sys.dont_write_bytecode = True

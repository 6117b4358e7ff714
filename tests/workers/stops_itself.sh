#!/bin/sh
# A worker that stops itself at start, as a SIGTSTP from a terminal or a debugger stops one:
# it never reads its request, and it acts on a SIGTERM only once continued.
kill -STOP $$
exec cat > /dev/null

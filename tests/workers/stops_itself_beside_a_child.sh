#!/bin/sh
# A worker that starts a helper (asleep, its stdin /dev/null as for any `&` of a script) and
# then stops itself, as a SIGTSTP from a terminal or a debugger stops one: the helper sleeps on,
# and the worker never reads its request.
sleep 600 &
kill -STOP $$
exec cat > /dev/null

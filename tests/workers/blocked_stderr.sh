#!/bin/bash
# A worker whose stderr goes to a pipe that nobody drains (a child that never reads it), as
# when a parent opens stderr as a pipe and forgets it: after 64 KiB of logs it blocks in write.
exec 2> >(sleep 300)
while :; do
    echo "blocked_stderr.sh: a log line that nobody reads, written again and again" >&2
done

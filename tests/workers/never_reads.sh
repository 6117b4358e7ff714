#!/bin/sh
# A worker that never reads its stdin: its start-up (here a child `sleep`) never ends.
echo "never_reads.sh: loading models..." >&2
sleep "${1:-30}"

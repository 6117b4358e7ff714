#!/bin/sh
# A worker that deletes the run folder poolctl captures it into (the folder of its
# $POOLCTL_DEBUG_LOG's workers/ folder), as a cleanup script run too early does, then serves as
# the reference worker does ("$@": its command).
rm -rf "$(dirname "$(dirname "$POOLCTL_DEBUG_LOG")")"
exec "$@"

#!/bin/sh
# A worker frozen by a cgroup v1 freezer, as `docker pause` freezes a container: it joins the
# freezer cgroup $FREEZE_CGROUP with a child (sleep 600), and a helper that first moves itself
# out of it freezes it. It reads no request, and frozen, nothing of it runs until thawed: a
# SIGTERM or SIGKILL stays pending until then.
echo $$ > "$FREEZE_CGROUP/cgroup.procs"
sleep 600 &
sh -c 'echo $$ > "$(dirname "$FREEZE_CGROUP")/cgroup.procs"; echo FROZEN > "$FREEZE_CGROUP/freezer.state"' &
wait

#!/bin/sh
# A worker (it reads nothing, and runs on at the end of its input) whose child, a `sleep`, may
# die while it runs: it waits for the child, then becomes a `sleep` itself (exec: no new pid is
# taken). tests/test_stop_pidfd.py kills the child during the worker's stop and gives its pid
# to a process of its own, which the stop must not signal.
sleep 300 &
wait $!
exec sleep 300

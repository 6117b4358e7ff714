#!/bin/sh
# Resets the terminal on its stdout to sane modes (output processing on: `\n` written as
# `\r\n`), as a wrapper that restores a terminal does, then runs its arguments. On a pipe
# `stty` fails, silently, and nothing changes.
stty sane <&1 2>/dev/null
exec "$@"

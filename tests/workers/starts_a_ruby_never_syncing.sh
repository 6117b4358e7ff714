#!/bin/sh
# A start script that `exec`s a Ruby worker which never syncs its stdout (ruby_never_syncs.rb):
# the script names no language; the running process, once the exec is done, is Ruby.
exec ruby "$(dirname "$0")/ruby_never_syncs.rb" "$@"

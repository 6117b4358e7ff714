#!/bin/sh
# A worker that waits and never reads; the first process of it (the one to make the folder $1)
# writes its pid into the file $2, for a test to send it a signal from outside.
mkdir "$1" 2>/dev/null && echo $$ > "$2.part" && mv "$2.part" "$2"
exec sleep 30

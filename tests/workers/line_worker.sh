#!/bin/sh
# A newline-delimited JSON worker in POSIX shell: one `printf` answer per request line.
# --banner prints a line of text to stdout first, as a stray `echo` in a start script does.
if [ "$1" = "--banner" ]; then
    echo "line_worker.sh ready"
fi
while IFS= read -r line; do
    id=$(printf '%s\n' "$line" | sed -n 's/.*"id":[[:space:]]*\([0-9][0-9]*\).*/\1/p')
    printf '{"id":%s,"success":true,"result":{"status":"ok","worker":"sh"}}\n' "${id:-null}"
done

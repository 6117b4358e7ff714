#!/bin/bash
# A newline-delimited JSON worker in bash that echoes its request's args back in an answer it
# writes by hand, as shell workers do: `read` without -r eats the backslashes of the JSON it
# reads (`"C:\\tmp"` becomes `"C:\tmp"`, an escape JSON lacks); with --echo-e it reads them
# whole and writes with `echo -e`, which turns the request's `\n` into a newline mid-answer.
mode=$1
while true; do
    if [ "$mode" = "--echo-e" ]; then IFS= read -r line || break; else read line || break; fi
    id=$(printf '%s\n' "$line" | sed -n 's/.*"id":[[:space:]]*\([0-9][0-9]*\).*/\1/p')
    args=$(printf '%s\n' "$line" | sed -n 's/.*"args":[[:space:]]*\({[^}]*}\).*/\1/p')
    answer="{\"id\":${id:-null},\"success\":true,\"result\":{\"echo\":${args:-null}}}"
    if [ "$mode" = "--echo-e" ]; then echo -e "$answer"; else printf '%s\n' "$answer"; fi
done

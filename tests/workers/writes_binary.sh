#!/bin/sh
# A worker that writes a PNG header to stdout at start-up (a plot sent to the wrong stream),
# then waits for requests it never answers.
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\020'
exec sleep 60

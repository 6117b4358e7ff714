#!/bin/sh
# A worker whose start-up closes its stdout and keeps running: no answer can come.
exec 1>&-
exec sleep 60

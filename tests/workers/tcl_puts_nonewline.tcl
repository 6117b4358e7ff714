#!/usr/bin/env tclsh
# A newline-delimited JSON worker in Tcl that writes each answer with `puts -nonewline`: Tcl's
# stdout is line-buffered (even on a pipe), so an answer with no newline stays in its buffer
# until the worker exits.
while {[gets stdin line] >= 0} {
    regexp {"id"\s*:\s*(\d+)} $line -> id
    puts -nonewline "{\"id\":$id,\"success\":true,\"result\":{\"status\":\"ok\"}}"
}

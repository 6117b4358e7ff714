#!/usr/bin/env tclsh
# A {packet, 4} worker in Tcl that writes its binary header on a stdout left in text mode
# (its -translation auto, utf-8 encoding): flushes each frame, but a byte over 127 in the
# header goes out as two UTF-8 bytes.
fconfigure stdin -translation binary
fconfigure stdout -buffering none
while {[binary scan [read stdin 4] I length] == 1} {
    set request [read stdin $length]
    regexp {"id"\s*:\s*(\d+)} $request -> id
    set body "{\"id\":$id,\"success\":true,\"result\":{\"status\":\"ok\",\"padding\":\"[string repeat x 100]\"}}"
    puts -nonewline [binary format I [string length $body]]$body
}

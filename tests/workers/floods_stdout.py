"""A worker still writing to its stdout when its answer is due, at about 6 MB/s (a flood that
fills the pipe once poolctl stops reading, without gigabytes for the test to read):
`endless-line` (line framing) begins its answer and never ends the line; `frames` ({packet, 4})
writes small frames that answer nothing, and never its answer."""

import struct
import sys
import time

mode = sys.argv[1]
out = sys.stdout.buffer
if mode == "endless-line":
    sys.stdin.buffer.readline()
    out.write(b'{"id": 1, "success": true, "result": "')
    chunk = b"x" * 65536
else:
    header = sys.stdin.buffer.read(4)
    sys.stdin.buffer.read(struct.unpack(">I", header)[0])
    frame = b'{"event": "log"}'
    chunk = (struct.pack(">I", len(frame)) + frame) * 3000
while True:
    out.write(chunk)
    out.flush()
    time.sleep(0.01)

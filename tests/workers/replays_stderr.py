"""Writes a recorded stderr (the file named by its first argument) to its stderr, reading
nothing, and exits with the code its second argument gives: a real process that starts as the
recorded server did (tests/fixtures/peers/*.stderr, each made by a capture script). A third
argument names a recorded stdout, written first (mcp-proxy prints its usage there)."""

import sys

if len(sys.argv) > 3:
    with open(sys.argv[3], "rb") as printed:
        sys.stdout.buffer.write(printed.read())
    sys.stdout.flush()
with open(sys.argv[1], "rb") as recording:
    sys.stderr.buffer.write(recording.read())
sys.stderr.flush()
sys.exit(int(sys.argv[2]))

"""Writes a recorded stderr (the file named by its first argument) to its stderr, reading
nothing, and exits with the code its second argument gives: a real process that starts as the
recorded server did (tests/fixtures/peers/*.stderr, each made by a capture script)."""

import sys

with open(sys.argv[1], "rb") as recording:
    sys.stderr.buffer.write(recording.read())
sys.stderr.flush()
sys.exit(int(sys.argv[2]))

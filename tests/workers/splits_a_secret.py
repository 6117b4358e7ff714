"""A worker that never answers and writes the value of $SERVICE_TOKEN (a secret by its name)
to stderr in two halves: the first as it starts, the second once its stdin closes. Neither half
alone is a secret the redactor knows: only the whole is. A log line cut by a blocking read, as
a logger that writes its prefix, then the rest when the request, or the end of input, comes."""

import os
import sys

secret = os.environ["SERVICE_TOKEN"]
half = len(secret) // 2
sys.stderr.write("connecting with token " + secret[:half])  # no newline: the line goes on later
sys.stderr.flush()
sys.stdin.buffer.read()  # to the end of its input: it never answers
sys.stderr.write(secret[half:] + "\n")
sys.stderr.flush()
sys.exit(2)

"""A worker that closes its stdin as it starts (as a daemonizing step that sends stdin to
/dev/null does) and runs on: poolctl's request stays unread in the pipe for good."""

import os
import time

os.close(0)
time.sleep(30)

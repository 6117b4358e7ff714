"""A worker whose multiprocessing child sends it SIGTERM as it starts (`os.kill(os.getppid(),
SIGTERM)`), then runs on: the child inherited its stdout, so the pipe stays open behind the
dead worker and no end of file ends the wait for its answer."""

import multiprocessing
import os
import signal
import sys
import time


def kill_the_parent() -> None:
    os.kill(os.getppid(), signal.SIGTERM)
    time.sleep(60)


if __name__ == "__main__":
    multiprocessing.get_context("fork").Process(target=kill_the_parent).start()
    sys.stdin.buffer.read()

"""A worker whose native code crashes on its first request: it reads the request's length
header, then reads memory at address 0 through ctypes (SIGSEGV). A thread of its own waits
beside it, so that faulthandler prints another thread's stack before the crashing one's."""

import ctypes
import sys
import threading
import time

threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
sys.stdin.buffer.read(4)
ctypes.string_at(0)

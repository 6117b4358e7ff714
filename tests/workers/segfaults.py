"""A worker whose native code crashes on its first request: it reads the request's length
header, then reads memory at address 0 through ctypes (SIGSEGV)."""

import ctypes
import sys

sys.stdin.buffer.read(4)
ctypes.string_at(0)
